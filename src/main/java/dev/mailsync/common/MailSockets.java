package dev.mailsync.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.config.ConfigMapping;

/**
 * The sockets of the IMAP and SMTP connections (Angus Mail's {@code socketFactory} properties).
 * <ul>
 * <li>TCP_NODELAY: a mail protocol is a dialogue of short commands; with Nagle's algorithm a command written
 * right after another waits for the server's delayed ACK (40 ms), several times per message.</li>
 * <li>TLS: by default the JVM's trust store decides (standard {@code javax.net.ssl.trustStore} settings apply).
 * With {@code mailsync.mail-tls.trusted-certificates} (a PEM file of CA certificates), the mail connections trust
 * those too, besides the JVM's, e.g. a test server's self-signed certificate. Host names are verified either
 * way; there is no setting to turn verification off.</li>
 * </ul>
 */
@ApplicationScoped
public class MailSockets {

    private final SocketFactory plain = new NoDelay(SocketFactory.getDefault());
    private final SSLSocketFactory tls;
    private final X509TrustManager trust;

    public MailSockets(Config config) {
        this.trust = config.trustedCertificates().map(MailSockets::trusting).orElseGet(MailSockets::jvmTrust);
        this.tls = new NoDelayTls(config.trustedCertificates().isPresent() ? socketFactory(trust)
                : (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    /**
     * What the mail connections trust, for those not made through Angus (the push watches on Vert.x): the JVM's
     * trust store, plus {@code mailsync.mail-tls.trusted-certificates} when set.
     */
    public X509TrustManager trustManager() {
        return trust;
    }

    /** How a mail connection is encrypted. */
    public enum Tls {
        /** Implicit TLS (IMAPS, SMTPS). */
        SSL,
        /** STARTTLS, required: the connection fails rather than going on in clear text. */
        STARTTLS,
        /** Clear text (a test server). */
        NONE
    }

    /**
     * The Angus session properties of an IMAP or SMTP connection, the same for both: XOAUTH2 and no other
     * mechanism (Angus would otherwise fall back to LOGIN, PLAIN, DIGEST-MD5 or NTLM), connect, read and write
     * timeouts, the server's host name checked against its certificate, TLS as asked, and our sockets.
     *
     * @param protocol {@code imap}, {@code imaps} or {@code smtp}
     */
    public Properties sessionProperties(String protocol, Tls tls, Duration connectTimeout, Duration readTimeout) {
        String p = "mail." + protocol + ".";
        Properties props = new Properties();
        props.put(p + "auth", "true");
        props.put(p + "auth.mechanisms", "XOAUTH2");
        for (String mechanism : new String[] { "login", "plain", "digest-md5", "ntlm" }) {
            props.put(p + "auth." + mechanism + ".disable", "true");
        }
        props.put(p + "connectiontimeout", String.valueOf(connectTimeout.toMillis()));
        props.put(p + "timeout", String.valueOf(readTimeout.toMillis()));
        props.put(p + "writetimeout", String.valueOf(readTimeout.toMillis()));
        props.put(p + "ssl.checkserveridentity", "true");
        if (tls == Tls.SSL) {
            props.put(p + "ssl.enable", "true");
        } else if (tls == Tls.STARTTLS) {
            props.put(p + "starttls.enable", "true");
            props.put(p + "starttls.required", "true");
        }
        configure(props, p);
        return props;
    }

    /** Sets the socket factories of a protocol ({@code mail.imap.}, {@code mail.imaps.}, {@code mail.smtp.}). */
    private void configure(Properties props, String prefix) {
        props.put(prefix + "socketFactory", plain);
        props.put(prefix + "socketFactory.fallback", "false");
        props.put(prefix + "ssl.socketFactory", tls);
    }

    private static X509TrustManager jvmTrust() {
        try {
            return trustManager(null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM's trust store cannot be read: " + e.getMessage(), e);
        }
    }

    private static SSLSocketFactory socketFactory(X509TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] { trust }, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509TrustManager trusting(Path pem) {
        try {
            KeyStore extra = KeyStore.getInstance(KeyStore.getDefaultType());
            extra.load(null, null);
            try (InputStream in = Files.newInputStream(pem)) {
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    extra.setCertificateEntry("extra-" + i++, c);
                }
            }
            X509TrustManager jvm = trustManager(null);
            X509TrustManager added = trustManager(extra);
            return new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                    jvm.checkClientTrusted(chain, authType);
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                    try {
                        jvm.checkServerTrusted(chain, authType);
                    } catch (CertificateException e) {
                        added.checkServerTrusted(chain, authType);
                    }
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return jvm.getAcceptedIssuers();
                }
            };
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("mailsync.mail-tls.trusted-certificates: cannot read " + pem + ": "
                    + e.getMessage(), e);
        }
    }

    private static X509TrustManager trustManager(KeyStore keys) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(keys);
        for (TrustManager m : factory.getTrustManagers()) {
            if (m instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    private static <S extends Socket> S noDelay(S socket) throws IOException {
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** Plain sockets with TCP_NODELAY. */
    private static final class NoDelay extends SocketFactory {
        private final SocketFactory delegate;

        NoDelay(SocketFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public Socket createSocket() throws IOException {
            return noDelay(delegate.createSocket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
            return noDelay(delegate.createSocket(host, port, local, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return noDelay(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
            return noDelay(delegate.createSocket(host, port, local, localPort));
        }
    }

    /** TLS sockets (implicit TLS, and STARTTLS over an existing socket) with TCP_NODELAY. */
    private static final class NoDelayTls extends SSLSocketFactory {
        private final SSLSocketFactory delegate;

        NoDelayTls(SSLSocketFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return noDelay(delegate.createSocket());
        }

        @Override
        public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
            return noDelay(delegate.createSocket(socket, host, port, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
            return noDelay(delegate.createSocket(host, port, local, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return noDelay(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
            return noDelay(delegate.createSocket(host, port, local, localPort));
        }
    }

    /** Prefix {@code mailsync.mail-tls}. */
    @ConfigMapping(prefix = "mailsync.mail-tls")
    public interface Config {
        /** PEM file of CA certificates that IMAP and SMTP connections trust besides the JVM's trust store. */
        Optional<Path> trustedCertificates();
    }
}
