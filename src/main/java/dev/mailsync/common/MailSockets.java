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

    public MailSockets(Config config) {
        this.tls = new NoDelayTls(config.trustedCertificates().map(MailSockets::trusting)
                .orElse((SSLSocketFactory) SSLSocketFactory.getDefault()));
    }

    /** Sets the socket factories of a protocol ({@code mail.imap.}, {@code mail.imaps.}, {@code mail.smtp.}). */
    public void configure(Properties props, String prefix) {
        props.put(prefix + "socketFactory", plain);
        props.put(prefix + "socketFactory.fallback", "false");
        props.put(prefix + "ssl.socketFactory", tls);
    }

    private static SSLSocketFactory trusting(Path pem) {
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
            X509TrustManager either = new X509TrustManager() {
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
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] { either }, null);
            return context.getSocketFactory();
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
