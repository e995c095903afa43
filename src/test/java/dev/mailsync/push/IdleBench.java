package dev.mailsync.push;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.Folder;
import jakarta.mail.Session;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;

import dev.mailsync.common.MailSockets;
import dev.mailsync.imap.ImapLogin;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/**
 * Holds N connections in IMAP IDLE on INBOX against the bench rig's Dovecot (users u0001..uN, XOAUTH2 tokens from
 * the rig's oauth2-fake) and prints what they cost this process at rest: RSS, threads, CPU seconds over a rest
 * period. Two ways: {@code nio} (push's {@link IdleConnection} on Vert.x event loops, as the service runs it) and
 * {@code threads} (Angus Mail's {@code IMAPFolder.idle()}, one blocked thread per connection). Run by
 * {@code src/bench/idle-connections.sh}; not a test.
 *
 * <pre>IdleBench nio|threads COUNT HOST PORT OAUTH_BASE|greenmail REST_SECONDS</pre>
 */
public final class IdleBench {

    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

    private IdleBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int count = Integer.parseInt(args[1]);
        String host = args[2];
        int port = Integer.parseInt(args[3]);
        String oauth = args[4];
        int rest = Integer.parseInt(args[5]);
        List<String> tokens = oauth.equals("greenmail") ? greenMailTokens(count) : tokens(oauth, count);
        Stats before = Stats.read();
        long started = System.nanoTime();
        AtomicInteger idling = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        CountDownLatch settled = new CountDownLatch(count);
        if (mode.equals("nio")) {
            nio(count, host, port, tokens, idling, failed, settled);
        } else {
            threads(count, host, port, tokens, idling, failed, settled);
        }
        settled.await(10, TimeUnit.MINUTES);
        double connectSeconds = (System.nanoTime() - started) / 1e9;
        Thread.sleep(10_000); // let start-up garbage and JIT settle
        System.gc();
        Thread.sleep(2_000);
        Stats atRest = Stats.read();
        Thread.sleep(rest * 1000L);
        Stats after = Stats.read();
        Runtime rt = Runtime.getRuntime();
        System.out.printf("{\"mode\": \"%s\", \"connections\": %d, \"idling\": %d, \"failed\": %d, "
                + "\"connect_s\": %.1f, \"rss_mb\": %.0f, \"rss_before_mb\": %.0f, \"threads\": %d, "
                + "\"threads_before\": %d, \"heap_used_mb\": %.0f, \"cpu_s_at_rest\": %.2f, \"rest_s\": %d}%n",
                mode, count, idling.get(), failed.get(), connectSeconds, after.rssKb / 1024.0, before.rssKb / 1024.0,
                after.threads, before.threads, (rt.totalMemory() - rt.freeMemory()) / 1048576.0,
                (after.cpuTicks - atRest.cpuTicks) / 100.0, rest);
        System.exit(0);
    }

    private static void nio(int count, String host, int port, List<String> tokens, AtomicInteger idling,
            AtomicInteger failed, CountDownLatch settled) throws InterruptedException {
        java.util.concurrent.Semaphore connecting = new java.util.concurrent.Semaphore(32); // as many as the threads way
        Vertx vertx = Vertx.vertx(new VertxOptions()); // event loops: 2 x cores, as in Quarkus
        NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(20_000)
                .setTcpKeepAlive(true).setTcpNoDelay(true));
        for (int i = 0; i < count; i++) {
            ImapLogin login = new ImapLogin(host, port, MailSockets.Tls.NONE, user(i), tokens.get(i));
            boolean[] counted = { false };
            connecting.acquire();
            new IdleConnection(vertx, client, login, "INBOX", Duration.ofSeconds(120), Duration.ofMinutes(25),
                    new IdleConnection.Events() {
                        @Override
                        public void idling() {
                            idling.incrementAndGet();
                            counted[0] = true;
                            connecting.release();
                            settled.countDown();
                        }

                        @Override
                        public void changed(String kind) {
                        }

                        @Override
                        public void ended(IdleConnection.End end, String detail) {
                            failed.incrementAndGet();
                            System.err.println(login.user() + ": " + end + " " + detail);
                            if (!counted[0]) {
                                connecting.release();
                                settled.countDown();
                            }
                        }
                    }).start();
        }
    }

    private static void threads(int count, String host, int port, List<String> tokens, AtomicInteger idling,
            AtomicInteger failed, CountDownLatch settled) throws InterruptedException {
        MailSockets sockets = new MailSockets(java.util.Optional::empty);
        Properties props = sockets.sessionProperties("imap", MailSockets.Tls.NONE, Duration.ofSeconds(20),
                Duration.ofMinutes(30));
        ExecutorService connecting = Executors.newFixedThreadPool(32);
        for (int i = 0; i < count; i++) {
            int n = i;
            connecting.execute(() -> {
                try {
                    IMAPStore store = (IMAPStore) Session.getInstance(props).getStore("imap");
                    store.connect(host, port, user(n), tokens.get(n));
                    IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
                    inbox.open(Folder.READ_ONLY);
                    Thread t = new Thread(() -> {
                        try {
                            while (true) {
                                inbox.idle(); // returns after each notification; the thread blocks in between
                            }
                        } catch (Exception e) {
                            failed.incrementAndGet();
                        }
                    }, "idle-" + n);
                    t.setDaemon(true);
                    t.start();
                    idling.incrementAndGet();
                } catch (Exception e) {
                    failed.incrementAndGet();
                    System.err.println(user(n) + ": " + e);
                } finally {
                    settled.countDown();
                }
            });
        }
        connecting.shutdown();
    }

    static String user(int i) {
        return String.format("u%04d@example.com", i + 1);
    }

    /** The tokens {@link IdleBenchServer} gives its users. */
    private static List<String> greenMailTokens(int count) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tokens.add("token-" + user(i).substring(0, user(i).indexOf('@')));
        }
        return tokens;
    }

    /** A grant per user from the rig's oauth2-fake ({@code POST /bench/issue}), cached in BENCH_DIR for reruns. */
    private static List<String> tokens(String oauth, int count) throws IOException, InterruptedException {
        Path cache = Path.of(System.getProperty("bench.tokens", "/tmp/idle-bench-tokens.txt"));
        if (Files.exists(cache)) {
            List<String> cached = Files.readAllLines(cache);
            if (cached.size() >= count) {
                return cached;
            }
        }
        HttpClient http = HttpClient.newHttpClient();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(oauth + "/bench/issue"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("username=" + user(i)
                            + "&scope=https://outlook.office.com/IMAP.AccessAsUser.All"))
                    .build();
            String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = ACCESS_TOKEN.matcher(body);
            if (!m.find()) {
                throw new IllegalStateException("no token for " + user(i) + ": " + body);
            }
            tokens.add(m.group(1));
        }
        Files.write(cache, tokens);
        return tokens;
    }

    /** This process's RSS, thread count and CPU time (user + system, in clock ticks) from /proc. */
    private record Stats(long rssKb, int threads, long cpuTicks) {
        static Stats read() throws IOException {
            long rss = 0;
            int threads = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.replaceAll("\\D", ""));
                }
            }
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new Stats(rss, threads, Long.parseLong(f[11]) + Long.parseLong(f[12]));
        }
    }
}
