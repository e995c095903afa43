package dev.mailsync.push;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * GreenMail's IMAP (which offers IDLE, SASL-IR and XOAUTH2) on 127.0.0.1 with users u0001..uN whose XOAUTH2 token is
 * {@code token-uNNNN}, in a JVM of its own, for {@link IdleBench} when the rig's Dovecot cannot take N IDLE
 * connections. Not a test.
 *
 * <pre>IdleBenchServer PORT USERS</pre>
 */
public final class IdleBenchServer {

    private IdleBenchServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int users = Integer.parseInt(args[1]);
        ServerSetup imap = new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_IMAP);
        imap.setServerStartupTimeout(30_000);
        GreenMail mail = new GreenMail(imap);
        mail.start();
        for (int i = 0; i < users; i++) {
            String user = IdleBench.user(i);
            mail.setUser(user, user, "token-" + user.substring(0, user.indexOf('@')));
        }
        System.out.println("GreenMail IMAP on 127.0.0.1:" + port + " with " + users + " users");
        Thread.currentThread().join();
    }
}
