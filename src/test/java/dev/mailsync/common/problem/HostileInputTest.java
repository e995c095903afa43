package dev.mailsync.common.problem;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.stream.Stream;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.RawHttp;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.ConnectedMailboxTestBase;

/**
 * Walks every endpoint of the API, found in the compiled resource classes (so a new endpoint is walked without
 * touching this test), and sends hostile values in each of its path and query parameters: NUL and other control
 * characters, bytes that are not UTF-8, times PostgreSQL cannot hold, numbers too large for any type, forged and
 * oversized cursors, malformed ids. Every answer must be a 4xx (or a harmless 2xx) problem, never a 5xx, and
 * nothing may be logged above INFO or with a stack trace.
 */
@MailsyncTest
class HostileInputTest extends ConnectedMailboxTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] HOSTILE = hostileValues();
    /** Not URIs at all: Quarkus refuses them with a bare 400 before any handler of ours runs. */
    private static final String[] UNPARSEABLE = { "%ZZ", "a%", "%G0", "a b" };
    /** Control characters (line breaks and tabs aside) and bytes that are not UTF-8: refused before routing. */
    private static final String[] UNREADABLE = { "%00", "a%00b", "%01", "%1B", "%7F", "%C3%28", "%ED%A0%80",
            "%FF%FE" };

    final Capture capture = new Capture();
    final Logger root = Logger.getLogger("");
    Map<String, String> valid;
    String admin;

    HostileInputTest() {
        super("hostile");
    }

    @BeforeEach
    void setUp() throws Exception {
        admin = TestUsers.admin("hostile-admin");
        Mailboxes.appendRaw(inbox, ("From: a@fabrikam.example\r\nSubject: walk\r\n"
                + "Message-ID: <walk@fabrikam.example>\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                + "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\n"
                + "%PDF\r\n--b--\r\n").getBytes(StandardCharsets.US_ASCII));
        pass();
        String messageId = sql.text("select id from message where mailbox_id = ?", id);
        String sendId = given().header("Authorization", bearer).contentType("application/json")
                .body(Map.of("to", List.of(Map.of("address", "b@fabrikam.example")), "text", "x"))
                .post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(202).extract().path("id");
        valid = Map.of("id", id, "messageId", messageId, "attachmentId", "1", "threadId", "walk@fabrikam.example",
                "sendId", sendId, "folder", "INBOX");
        root.addHandler(capture);
    }

    @AfterEach
    void tearDown() throws Exception {
        root.removeHandler(capture);
        sql.execute("delete from outbox where mailbox_id = ?", id); // the outbox tests send all
    }

    @Test
    void shouldAnswerEveryHostileParameterOfEveryEndpointWithA4xxProblem() throws Exception {
        List<Endpoint> endpoints = endpoints();
        assertThat(endpoints).as("endpoints found in the resource classes").hasSizeGreaterThan(20);
        List<String> failures = new ArrayList<>();
        int requests = 0;
        for (Endpoint endpoint : endpoints) {
            for (String name : endpoint.pathParams()) {
                for (String value : HOSTILE) {
                    failures.addAll(check(endpoint, endpoint.path(Map.of(name, value), valid), false));
                    requests++;
                }
                for (String value : UNPARSEABLE) {
                    failures.addAll(check(endpoint, endpoint.path(Map.of(name, value), valid), true));
                    requests++;
                }
            }
            String base = endpoint.path(Map.of(), valid);
            for (String name : endpoint.queryParams()) {
                for (String value : HOSTILE) {
                    failures.addAll(check(endpoint, base + "?" + name + "=" + value, false));
                    requests++;
                }
                for (String value : UNPARSEABLE) {
                    failures.addAll(check(endpoint, base + "?" + name + "=" + value, true));
                    requests++;
                }
            }
            // a parameter the endpoint does not read: only values refused before routing, as the others would
            // reach the resource with valid parameters (and a DELETE would delete)
            for (String value : UNREADABLE) {
                failures.addAll(check(endpoint, base + "?unexpected=" + value, false));
                requests++;
            }
        }
        assertThat(requests).isGreaterThan(2000);
        assertThat(failures).as("answers to %d hostile requests", requests).isEmpty();
        assertThat(capture.problems()).as("log records above INFO or with a stack trace").isEmpty();
        // the walk really reached the resources: the mailbox and its mail are still there
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/messages").then().statusCode(200);
    }

    @Test
    void shouldNameTheParameterOfAMalformedIdInsteadOfAnsweringNotFound() {
        RawHttp.Answer answer = RawHttp.send("GET", "/api/v1/mailboxes/not-a-uuid/messages/12x", bearer, null);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith(Problem.MEDIA_TYPE);
        assertThat(answer.body()).contains("\"field\":\"id\"", "\"field\":\"messageId\"");
        String cursor = Base64.getUrlEncoder()
                .encodeToString("-62167219200000001:1/2".getBytes(StandardCharsets.UTF_8));
        answer = RawHttp.send("GET", "/api/v1/mailboxes/" + id + "/messages?since=%2B300000-01-01T00:00:00Z&cursor="
                + cursor + "&unread=yes", bearer, null);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).contains("\"field\":\"since\"", "\"field\":\"cursor\"", "\"field\":\"unread\"");
        answer = RawHttp.send("GET", "/api/v1/mailboxes/" + id + "/threads/a%00b", bearer, null);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).contains("\"field\":\"threadId\"");
        answer = RawHttp.send("GET", "/api/v1/mailboxes/" + id + "/threads?folder=x%0Ay", bearer, null);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).contains("\"field\":\"folder\"");
    }

    @Test
    void shouldRefuseNulInAnyStringOfARequestBody() {
        String message = valid.get("messageId");
        given().header("Authorization", bearer).contentType("application/json").body("{\"folder\": \"a\\u0000b\"}")
                .post("/api/v1/mailboxes/" + id + "/messages/" + message + "/move").then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE).body("errors.field", org.hamcrest.Matchers.hasItem("folder"));
        given().header("Authorization", bearer).contentType("application/json")
                .body("{\"ids\": [\"" + message + "\", \"1\\u0000\"], \"action\": \"markRead\"}")
                .post("/api/v1/mailboxes/" + id + "/messages/batch").then().statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.hasItem("ids[1]"));
        given().header("Authorization", bearer).contentType("application/json")
                .body("{\"to\": [{\"address\": \"b@fabrikam.example\"}], \"text\": \"nul \\u0000 here\"}")
                .post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.hasItem("text"));
        assertThat(capture.problems()).isEmpty();
    }

    @Test
    void shouldLetMicrosoftsMultiLineErrorDescriptionReachTheCallback() {
        RawHttp.Answer answer = RawHttp.send("GET", "/api/v1/mailboxes/connect/microsoft/callback?error=access_denied"
                + "&error_description=AADSTS65004%3a+User+declined+to+consent.%0d%0aTrace+ID%3a+4f1d%0d%0a"
                + "Correlation+ID%3a+9a2c&state=unknown", null, null);
        assertThat(answer.status()).isLessThan(500);
        assertThat(answer.contentType()).startsWith("text/html"); // the callback's page, not a refusal of the URI
    }

    private List<String> check(Endpoint endpoint, String target, boolean unparseable) throws IOException {
        String body = endpoint.method().equals("GET") || endpoint.method().equals("DELETE") ? null : "{}";
        RawHttp.Answer answer = RawHttp.send(endpoint.method(), target,
                endpoint.template().startsWith("/api/v1/admin") ? admin : bearer, body);
        String what = endpoint.method() + " " + target + " -> " + answer.status() + " " + answer.contentType()
                + " " + answer.body();
        if (answer.status() >= 500) {
            return List.of(what);
        }
        if (unparseable) {
            return answer.status() == 400 ? List.of() : List.of(what);
        }
        if (answer.status() < 400 || endpoint.html()) {
            return List.of();
        }
        if (answer.contentType() == null || !answer.contentType().startsWith(Problem.MEDIA_TYPE)) {
            return List.of(what);
        }
        JsonNode problem = JSON.readTree(answer.body());
        if (problem.path("status").asInt() != answer.status() || answer.body().contains("Exception")
                || answer.body().contains("\tat ")) {
            return List.of(what);
        }
        return List.of();
    }

    private static String[] hostileValues() {
        Base64.Encoder b64 = Base64.getUrlEncoder();
        List<String> cursors = Stream.of("garbage", "{\"at\": \"garbage\"", "9223372036854775807:1/2",
                "-62167219200000001:1/2", "1:a\u0000b", "253402300800000000:1/2", "1:" + "x".repeat(2000), ":", "1:")
                .map(c -> b64.encodeToString(c.getBytes(StandardCharsets.UTF_8))).toList();
        List<String> values = new ArrayList<>(List.of("%00", "a%00b", "%00%00%00", "%01", "%0D%0ABcc:%20x", "%09",
                "%7F", "%C3%28", "%ED%A0%80", "%FF%FE", "%F4%90%80%80", "%EF%BF%BF", "0000-01-01",
                "%2B300000-01-01T00:00:00Z", "-0001-01-01", "2026-02-30", "2026-11-25T25:00:00Z",
                "99999999999999999999999", "-9223372036854775809", "9223372036854775807", "-1", "1e308", "NaN",
                "true1", "TRUE", "not-a-uuid", "00000000-0000-0000-0000-00000000000g", "1-1-1-1-1",
                "%2E%2E%2F%2E%2E%2Fetc", "%27%3B%20drop%20table%20message%3B--", "%3Cscript%3E", "%5C", "",
                "!!!!", "A".repeat(3000), "x".repeat(600)));
        values.addAll(cursors);
        return values.toArray(String[]::new);
    }

    /** One endpoint: its method, path template, parameters and whether it answers a browser with HTML. */
    record Endpoint(String method, String template, List<String> pathParams, List<String> queryParams,
            boolean html) {

        /** The template with the given raw values, the valid ones for the other parameters. */
        String path(Map<String, String> values, Map<String, String> valid) {
            Matcher m = java.util.regex.Pattern.compile("\\{(\\w+)(:[^}]*)?}").matcher(template);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                String value = values.containsKey(name) ? values.get(name) : valid.get(name);
                if (value == null) {
                    throw new IllegalStateException("give the walk a valid value for path parameter " + name
                            + " of " + template);
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            return out.toString();
        }
    }

    /** Every JAX-RS resource method of the application, read from the compiled classes. */
    static List<Endpoint> endpoints() throws IOException, ClassNotFoundException {
        List<Endpoint> endpoints = new ArrayList<>();
        Path classes = Path.of("target/classes");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class") && !p.toString().contains("$")).toList();
        }
        for (Path file : files) {
            String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
            Class<?> type = Class.forName(name, false, HostileInputTest.class.getClassLoader());
            jakarta.ws.rs.Path root = type.getAnnotation(jakarta.ws.rs.Path.class);
            if (root == null) {
                continue;
            }
            for (Method method : type.getDeclaredMethods()) {
                String verb = verb(method);
                if (verb == null) {
                    continue;
                }
                jakarta.ws.rs.Path sub = method.getAnnotation(jakarta.ws.rs.Path.class);
                String template = (root.value() + (sub == null ? "" : "/" + sub.value())).replaceAll("/+", "/")
                        .replaceAll("(.)/$", "$1");
                List<String> pathParams = new ArrayList<>();
                Matcher m = java.util.regex.Pattern.compile("\\{(\\w+)").matcher(template);
                while (m.find()) {
                    pathParams.add(m.group(1));
                }
                List<String> queryParams = new ArrayList<>();
                for (Parameter p : method.getParameters()) {
                    QueryParam q = p.getAnnotation(QueryParam.class);
                    if (q != null) {
                        queryParams.add(q.value());
                    }
                }
                Produces produces = method.getAnnotation(Produces.class);
                boolean html = produces != null && List.of(produces.value()).contains("text/html");
                endpoints.add(new Endpoint(verb, template, pathParams, queryParams, html));
            }
        }
        return endpoints;
    }

    private static String verb(Method method) {
        Map<Class<? extends java.lang.annotation.Annotation>, String> verbs = new LinkedHashMap<>();
        verbs.put(GET.class, "GET");
        verbs.put(POST.class, "POST");
        verbs.put(PUT.class, "PUT");
        verbs.put(DELETE.class, "DELETE");
        verbs.put(PATCH.class, "PATCH");
        for (var entry : verbs.entrySet()) {
            if (method.isAnnotationPresent(entry.getKey())) {
                return entry.getValue();
            }
        }
        return null;
    }

    /** Log records above INFO, or with a stack trace, or a statement PostgreSQL refused. */
    static class Capture extends Handler {
        private final List<String> problems = new ArrayList<>();

        @Override
        public synchronized void publish(LogRecord record) {
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
            String logger = String.valueOf(record.getLoggerName());
            if (logger.startsWith("com.icegreen") || logger.startsWith("org.eclipse.jetty")
                    || logger.startsWith("wiremock") || logger.startsWith("com.github.tomakehurst")) {
                return;
            }
            if (record.getLevel().intValue() > Level.INFO.intValue() || record.getThrown() != null
                    || String.valueOf(message).contains("ERROR:")) {
                problems.add(record.getLevel() + " " + logger + " " + message);
            }
        }

        synchronized List<String> problems() {
            return List.copyOf(problems);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
