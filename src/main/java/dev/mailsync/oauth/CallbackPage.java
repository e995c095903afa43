package dev.mailsync.oauth;

import dev.mailsync.mailbox.Mailbox;

/** The small page the browser sees at the end of a connect flow; it also tells the opener window. */
record CallbackPage(int status, String html) {

    static CallbackPage connected(Mailbox mailbox) {
        return page(200, "Mailbox connected", escape(mailbox.address) + " is connected. You can close this window.",
                "{\"type\":\"mailsync.connect\",\"mailbox\":\"" + mailbox.id + "\"}");
    }

    static CallbackPage failed(ConnectFailure failure) {
        return page(400, "Mailbox not connected", escape(failure.getMessage()) + " (" + failure.code() + ")",
                "{\"type\":\"mailsync.connect\",\"error\":\"" + failure.code() + "\"}");
    }

    private static CallbackPage page(int status, String title, String text, String message) {
        return new CallbackPage(status, """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>%s</title>
                <style>body{font-family:system-ui,sans-serif;margin:3rem;color:#222}</style></head>
                <body><h1>%s</h1><p>%s</p>
                <script>if (window.opener) { window.opener.postMessage(%s, "*"); }</script>
                </body></html>
                """.formatted(title, title, text, message));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
