package dev.mailsync.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.config.ConfigMapping;

/**
 * TLS of the IMAP and SMTP connections. By default the JVM's trust store decides (standard
 * {@code javax.net.ssl.trustStore} settings apply). With {@code mailsync.mail-tls.trusted-certificates} (a PEM file
 * of CA certificates), the mail connections trust those too, besides the JVM's, e.g. a test server's self-signed
 * certificate. Host names are verified either way; there is no setting to turn verification off.
 */
@ApplicationScoped
public class MailTls {

    private final Optional<SSLSocketFactory> socketFactory;

    public MailTls(Config config) {
        this.socketFactory = config.trustedCertificates().map(MailTls::factory);
    }

    /** The socket factory for mail connections, when extra certificates are trusted. */
    public Optional<SSLSocketFactory> socketFactory() {
        return socketFactory;
    }

    private static SSLSocketFactory factory(Path pem) {
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

    /** Prefix {@code mailsync.mail-tls}. */
    @ConfigMapping(prefix = "mailsync.mail-tls")
    public interface Config {
        /** PEM file of CA certificates that IMAP and SMTP connections trust besides the JVM's trust store. */
        Optional<Path> trustedCertificates();
    }
}
