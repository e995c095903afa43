package dev.mailsync.oauth;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * The small page the browser sees at the end of a Microsoft sign-in when no frontend URL is configured. It tells
 * the opener window (the frontend) the result with {@code postMessage}, addressed to the frontend's origin only.
 * Everything it embeds is escaped for its context: HTML text, or JSON inside a script element.
 */
record CallbackPage(int status, String html) {

    static CallbackPage signedIn(String address, String connection, String origin) {
        return page(200, "Almost connected", "Signed in at Microsoft as " + escape(address)
                + ". Go back to mailsync to finish connecting the mailbox; you can close this window.",
                new JsonObject().put("type", "mailsync.connect").put("connection", connection), origin);
    }

    static CallbackPage failed(ConnectFailure failure, String origin) {
        return page(400, "Mailbox not connected", escape(failure.getMessage()) + " (" + escape(failure.code()) + ")",
                new JsonObject().put("type", "mailsync.connect").put("error", failure.code()), origin);
    }

    private static CallbackPage page(int status, String title, String text, JsonObject message, String origin) {
        return new CallbackPage(status, """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>%s</title>
                <style>body{font-family:system-ui,sans-serif;margin:3rem;color:#222}</style></head>
                <body><h1>%s</h1><p>%s</p>
                <script>if (window.opener) { window.opener.postMessage(%s, %s); }</script>
                </body></html>
                """.formatted(title, title, text, scriptJson(message.encode()), scriptJson(Json.encode(origin))));
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    /** JSON that is safe inside a script element: nothing in it can close the element or start markup. */
    static String scriptJson(String json) {
        return json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    }
}
