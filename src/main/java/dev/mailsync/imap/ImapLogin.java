package dev.mailsync.imap;

import dev.mailsync.common.MailSockets;

/** Where and as whom a mailbox's IMAP session logs in (XOAUTH2). The access token stays out of {@link #toString()}. */
public record ImapLogin(String host, int port, MailSockets.Tls tls, String user, String token) {

    @Override
    public String toString() {
        return "ImapLogin[host=" + host + ", port=" + port + ", tls=" + tls + ", user=" + user + "]";
    }
}
