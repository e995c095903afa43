package dev.mailsync.webhook;

import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Where a webhook may send: the URL's form, and the address its host resolves to. Unless private targets are
 * allowed, a host that is (or resolves to) a loopback, private, link-local, CGNAT, unique-local, multicast,
 * documentation or otherwise non-public address is refused (server-side request forgery), checked when the webhook
 * is created and again before every attempt (DNS rebinding). The attempt then connects to the very address checked.
 * IPv4 spellings that resolvers accept ({@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1}) are read as the
 * addresses they are, without DNS; {@code localhost} and names under it are refused by name.
 */
public final class TargetPolicy {

    /** Resolves a host name to its addresses ({@link InetAddress#getAllByName} in production). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A URL this policy accepts, with the one address to connect to. */
    public record Target(URI uri, String host, int port, boolean tls, InetAddress address) {
    }

    /** A URL refused; the message is safe to show (it names no resolved address of a name). */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    static final int MAX_URL_LENGTH = 2048;

    private final boolean allowPrivate;
    private final Resolver resolver;

    public TargetPolicy(boolean allowPrivate, Resolver resolver) {
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
    }

    /** What is wrong with the URL's form (scheme, host, credentials, length), or null when nothing is. */
    public static String formProblem(String url) {
        if (url == null || url.isBlank()) {
            return "must not be blank";
        }
        if (url.length() > MAX_URL_LENGTH) {
            return "must be at most " + MAX_URL_LENGTH + " characters";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "must be an absolute http or https URL";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return "must be an absolute http or https URL";
        }
        if (uri.getRawUserInfo() != null) {
            return "must not contain credentials (user@)";
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return "must name a host (an internationalised name in its punycode form, xn--...)";
        }
        if (uri.getHost().contains("%")) {
            return "must not name an IPv6 zone";
        }
        if (uri.getRawFragment() != null) {
            return "must not contain a fragment (#...)";
        }
        return null;
    }

    /**
     * The target of {@code url}, resolved now.
     *
     * @throws Refused the URL's form is wrong, its host does not resolve, or an address it resolves to is not public
     *         (and private targets are not allowed)
     */
    public Target check(String url) throws Refused {
        String problem = formProblem(url);
        if (problem != null) {
            throw new Refused("The URL " + problem);
        }
        URI uri = URI.create(url);
        boolean tls = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort();
        String host = uri.getHost();
        InetAddress address = allowPrivate ? resolveAny(host) : resolvePublic(host);
        return new Target(uri, host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port, tls,
                address);
    }

    private InetAddress resolveAny(String host) throws Refused {
        InetAddress literal = literal(host);
        return literal != null ? literal : resolve(host)[0];
    }

    private InetAddress resolvePublic(String host) throws Refused {
        InetAddress literal = literal(host);
        if (literal != null) {
            if (!isPublic(literal)) {
                throw new Refused("The URL's host is not a public address");
            }
            return literal;
        }
        String name = name(host);
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            throw new Refused("The URL's host is not a public address (localhost)");
        }
        InetAddress[] addresses = resolve(name);
        for (InetAddress a : addresses) {
            if (!isPublic(a)) {
                throw new Refused("The URL's host " + name + " resolves to an address that is not public");
            }
        }
        return addresses[0];
    }

    private InetAddress[] resolve(String host) throws Refused {
        try {
            InetAddress[] addresses = resolver.resolve(name(host));
            if (addresses == null || addresses.length == 0) {
                throw new UnknownHostException(host);
            }
            return addresses;
        } catch (UnknownHostException e) {
            throw new Refused("The URL's host " + name(host) + " does not resolve");
        }
    }

    /** A host name as DNS sees it: ASCII (punycode), lower case, without a trailing dot. */
    static String name(String host) {
        String ascii = IDN.toASCII(host, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        return ascii.endsWith(".") ? ascii.substring(0, ascii.length() - 1) : ascii;
    }

    /**
     * The address a host names literally: an IPv6 literal ({@code [::1]}), or IPv4 in any spelling a resolver
     * accepts (one to four parts, each decimal, octal with a leading 0, or hex with 0x); null for a name.
     */
    static InetAddress literal(String host) throws Refused {
        if (host.startsWith("[")) {
            String inner = host.substring(1, host.length() - 1);
            if (inner.contains("%")) {
                throw new Refused("The URL's host must not carry an IPv6 zone");
            }
            try {
                return InetAddress.getByName(inner); // a literal: no lookup
            } catch (UnknownHostException e) {
                throw new Refused("The URL's host is not a valid IPv6 address");
            }
        }
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String[] parts = h.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Long v = number(parts[i]);
            if (v == null) {
                return null;
            }
            values[i] = v;
        }
        long address = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (values[i] > 255) {
                throw new Refused("The URL's host is not a valid IPv4 address");
            }
            address = address << 8 | values[i];
        }
        int restBytes = 4 - (parts.length - 1);
        long last = values[parts.length - 1];
        if (last >= 1L << (8 * restBytes)) {
            throw new Refused("The URL's host is not a valid IPv4 address");
        }
        address = address << (8 * restBytes) | last;
        byte[] bytes = { (byte) (address >> 24), (byte) (address >> 16), (byte) (address >> 8), (byte) address };
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Long number(String part) {
        try {
            if (part.isEmpty() || part.length() > 12) {
                return null;
            }
            if (part.startsWith("0x") || part.startsWith("0X")) {
                return part.length() == 2 ? 0L : Long.parseLong(part.substring(2), 16);
            }
            if (part.length() > 1 && part.startsWith("0")) {
                return Long.parseLong(part.substring(1), 8);
            }
            return part.chars().allMatch(Character::isDigit) ? Long.parseLong(part) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Whether an address is publicly routable unicast: not loopback, private, link-local, reserved, ... */
    public static boolean isPublic(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return publicV4(b, 0);
        }
        int b0 = b[0] & 0xff;
        int b1 = b[1] & 0xff;
        if (zero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return publicV4(b, 12); // ::ffff:a.b.c.d, IPv4-mapped
        }
        if (zero(b, 0, 12)) {
            return false; // ::, ::1, and the deprecated IPv4-compatible ::a.b.c.d
        }
        if (b0 == 0x00 && b1 == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
            return zero(b, 4, 12) && publicV4(b, 12); // 64:ff9b::/96 NAT64; 64:ff9b:1::/48 is local
        }
        if (b0 == 0x20 && b1 == 0x02) {
            return publicV4(b, 2); // 6to4 carries the IPv4 address it stands for
        }
        if (b0 == 0x20 && b1 == 0x01 && (b[2] & 0xfe) == 0) {
            return false; // 2001::/23: Teredo, benchmarking, ORCHID and other special purposes
        }
        if (b0 == 0x20 && b1 == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
            return false; // 2001:db8::/32 documentation
        }
        if (b0 == 0x3f && b1 == 0xff && (b[2] & 0xf0) == 0) {
            return false; // 3fff::/20 documentation
        }
        return (b0 & 0xe0) == 0x20; // global unicast 2000::/3; everything else (fc00::/7, fe80::/10, ff00::/8...) not
    }

    private static boolean publicV4(byte[] bytes, int at) {
        int a = bytes[at] & 0xff;
        int b = bytes[at + 1] & 0xff;
        int c = bytes[at + 2] & 0xff;
        return !(a == 0 || a == 10 || a == 127 || a >= 224                  // this network, private, loopback, multicast, reserved
                || (a == 100 && (b & 0xc0) == 64)                             // 100.64.0.0/10 CGNAT
                || (a == 169 && b == 254)                                     // link-local, cloud metadata
                || (a == 172 && (b & 0xf0) == 16)                             // 172.16.0.0/12
                || (a == 192 && b == 168)                                     // 192.168.0.0/16
                || (a == 192 && b == 0 && (c == 0 || c == 2))                 // IETF protocol assignments, TEST-NET-1
                || (a == 192 && b == 88 && c == 99)                           // 6to4 relay anycast
                || (a == 198 && (b & 0xfe) == 18)                             // 198.18.0.0/15 benchmarking
                || (a == 198 && b == 51 && c == 100)                          // TEST-NET-2
                || (a == 203 && b == 0 && c == 113));                         // TEST-NET-3
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
