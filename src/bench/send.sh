#!/usr/bin/env bash
# send.sh: benchmark and end-to-end check of mailsync's sending (durable outbox -> SMTP with STARTTLS + XOAUTH2)
# against the local Microsoft 365 rig (shared/bench: Dovecot in Outlook mode, oauth2-fake, smtp-server).
#
#   src/bench/send.sh [--no-build] [--keep-servers] [--count N] [--concurrency C] [--crash-count M]
#                     [--post-parallel P] [--timeout S] [--large-mb N]
#
# --count N          messages per throughput run (default 200), each ~40 KB (6 KB text + 25 KB attachment)
# --concurrency C    MAILSYNC_OUTBOX_CONCURRENCY of the first throughput run (default 4); a second run
#                    uses the service's default (2)
# --crash-count M    messages of the crash scenario (default 100)
# --post-parallel P  parallel POSTs of the client (default 4)
# --timeout S        longest wait for a batch to be sent (default 300)
# --large-mb N       size of the large-message check as submitted, in MB (default 24; 0 skips the check)
#
# Run as root from anywhere. Steps: imap-server start --outlook --users 3 --no-warm (a 20-message INBOX) ->
# smtp-server start -> PostgreSQL 15 (fresh database mailsync_send_bench) -> ./mvnw package -> the packaged
# service (SMTP 127.0.0.1:10587 STARTTLS, the rig's certificate trusted via MAILSYNC_MAIL_TLS_TRUSTED_CERTIFICATES,
# retry delay 2 s) -> provider settings + the real connect flow (authorize 302 -> our callback, PKCE, client
# secret) -> 1. throughput: N POSTs to u0001@example.com, wait until all are sent (outbox concurrency C, then 2),
# then the peer: python3 smtplib, the same N messages on ONE connection (STARTTLS + XOAUTH2) -> 2. exactly-once:
# every item sent, each Message-ID once in the spool, in bench@example.com's "Sent Items" and in u0001's INBOX ->
# 3. failures injected with `smtp-server fail`: busy x2 (sent after 3 attempts), auth-disabled (failed
# smtp_auth_disabled), recipient-not-found (failed recipient_refused) -> 4. large message (same service): peak RSS
# (VmHWM) and used heap (jcmd GC.heap_info), one POST of ~N MB (a random attachment of N*0.73 MB, base64 -> ~N MB
# of MIME; JSON body built by python3, POSTed by curl), POST latency, time until sent (GET .../outbox/{id}), the
# spool holds it once, ~N MB, attachment sha256 = the posted bytes; VmHWM and used heap after GC.run; then a 19 MB
# attachment (~26 MB as MIME, over mailsync.outbox.max-message-size 25M) -> 400 problem+json, error on field
# attachments, and a ~45 MB JSON body (over quarkus.http.limits.max-body-size 40M) -> 413 expected, only reported
# (MB here = MiB, as in Quarkus' 25M/40M) -> 5. crash: lease 15 s, M POSTs, kill -9
# ~1 s after the first is in the spool, the moment the next one lands there (the server has it, its 250 is not
# out yet), restart on the same database, all must end sent with every Message-ID once in the spool
# (reconciliation against Sent Items: found + absent = the items left sending) -> summary, a JSON line in
# $BENCH_DIR/results/mailsync-send.jsonl.
# Exit status: 0 when the run completed and every check passed; 1 on an error or a failed check.
#
# Env: BENCH_RIG (the rig's scripts, default ../../../shared/bench from here), BENCH_DIR (/tmp/bench),
# BENCH_IMAP_PORT (10143), BENCH_OAUTH_PORT (10180), BENCH_SMTP_PORT (10587), BENCH_SMTP_CONTROL_PORT (10589),
# BENCH_HTTP_PORT (8080), JAVA_OPTS (default -Xmx256m -XX:+UseParallelGC),
# BENCH_OAUTH_CLIENT_ID / BENCH_OAUTH_CLIENT_SECRET (default mailsync-bench / mailsync-bench-secret),
# BENCH_DB_PASSWORD.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
RIG="$(cd "${BENCH_RIG:-$HERE/../../../shared/bench}" && pwd)"
export BENCH_DIR="${BENCH_DIR:-/tmp/bench}"
IMAP_PORT="${BENCH_IMAP_PORT:-10143}"; OAUTH_PORT="${BENCH_OAUTH_PORT:-10180}"; HTTP_PORT="${BENCH_HTTP_PORT:-8080}"
SMTP_PORT="${BENCH_SMTP_PORT:-10587}"; SMTP_CONTROL_PORT="${BENCH_SMTP_CONTROL_PORT:-10589}"
BASE="http://127.0.0.1:$HTTP_PORT"
CALLBACK="$BASE/api/v1/mailboxes/connect/microsoft/callback"
SENDER="${BENCH_USER:-bench@example.com}"; RCPT=u0001@example.com
DB=mailsync_send_bench; DB_PASS="${BENCH_DB_PASSWORD:-mailsync_send_bench}"
export BENCH_OAUTH_CLIENT_ID="${BENCH_OAUTH_CLIENT_ID:-mailsync-bench}"
export BENCH_OAUTH_CLIENT_SECRET="${BENCH_OAUTH_CLIENT_SECRET:-mailsync-bench-secret}"
export BENCH_OAUTH_ARGS="--require-pkce --redirect-uri $CALLBACK ${BENCH_OAUTH_ARGS:-}"
# a small INBOX: the initial sync after the connect must not compete with the sending
SEND_CORPUS="$BENCH_DIR/corpus-send/Maildir"
CERT="$BENCH_DIR/imap/tls/cert.pem"; SPOOL="$BENCH_DIR/smtp/spool"; SMTP_LOG="$BENCH_DIR/smtp/smtp.log"; DOVECOT_CONF="$BENCH_DIR/imap/dovecot.conf"
LOGDIR="$BENCH_DIR/mailsync"; RESULTS="$BENCH_DIR/results"; WORK="$LOGDIR/send"
HELPER="$WORK/send-bench.py"
BUILD=1; KEEP=0; TIMEOUT=300; COUNT=200; CONC=4; CRASH_COUNT=100; POST_PAR=4; LARGE_MB=24
SVC_PID=""; SVC_LOG=""; RIG_STARTED=0

while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) BUILD=0; shift ;;
    --keep-servers) KEEP=1; shift ;;
    --count) COUNT="$2"; shift 2 ;;
    --concurrency) CONC="$2"; shift 2 ;;
    --crash-count) CRASH_COUNT="$2"; shift 2 ;;
    --post-parallel) POST_PAR="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --large-mb) LARGE_MB="$2"; shift 2 ;;
    -h|--help) sed -n '2,41p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for v in COUNT CONC CRASH_COUNT POST_PAR TIMEOUT; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "--${v,,}: a positive number, not '${!v}'" >&2; exit 2; }
done
[[ "$LARGE_MB" =~ ^[0-9]+$ ]] || { echo "--large-mb: a whole number of MB (0 skips the check), not '$LARGE_MB'" >&2; exit 2; }
LARGE_MB=$((10#$LARGE_MB))

T_START=$(date +%s)
say() { printf '[send %4ds] %s\n' "$(($(date +%s) - T_START))" "$*"; }
die() { say "FAILED: $*" >&2; exit 1; }
alive() { [[ -n "$1" && -r /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }  # zombies too
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
json_get() { python3 -c 'import json,sys; v=json.load(sys.stdin); print(v[sys.argv[1]])' "$1"; }
api() { curl -sS --max-time 30 -H "Authorization: Bearer $1" "${@:2}"; }   # api TOKEN [curl args] URL
helper() { python3 "$HELPER" "$@"; }
rss_mb() { awk -v k="$2:" '$1 == k { print int($2 / 1024) }' "/proc/$1/status" 2>/dev/null || echo 0; }

stop_service() {
  alive "$SVC_PID" || { SVC_PID=""; return 0; }
  say "stopping the service (pid $SVC_PID)"
  kill -TERM "$SVC_PID" 2>/dev/null || true
  for _ in $(seq 300); do alive "$SVC_PID" || break; sleep 0.1; done
  alive "$SVC_PID" && { say "still alive after 30 s: SIGKILL"; kill -KILL "$SVC_PID" 2>/dev/null || true; }
  wait "$SVC_PID" 2>/dev/null || true
  SVC_PID=""
}
cleanup() {
  local rc=$?
  if [[ $rc -ne 0 && -n "$SVC_LOG" && -s "$SVC_LOG" ]]; then
    echo "---- last lines of $SVC_LOG" >&2; tail -n 25 "$SVC_LOG" >&2
  fi
  stop_service
  if [[ $KEEP == 0 && $RIG_STARTED == 1 ]]; then
    "$RIG/smtp-server" stop 2>&1 | sed 's/^/  /' || true
    "$RIG/imap-server" stop 2>&1 | sed 's/^/  /' || true
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ $EUID -eq 0 ]] || die "run as root (the rig needs it)"
for t in curl python3 openssl java pg_ctlcluster runuser doveadm; do command -v "$t" >/dev/null || die "$t not found"; done
[[ $LARGE_MB == 0 ]] || command -v jcmd >/dev/null || die "jcmd not found (the large-message check reads the heap with it; --large-mb 0 skips it)"
mkdir -p "$LOGDIR" "$RESULTS" "$WORK"
rm -f "$WORK"/*.json

# ---- the client side of the benchmark (python3 standard library): POSTs, polling, smtplib peer, checks
cat >"$HELPER" <<'PY'
import base64, http.client, json, os, random, re, smtplib, socket, ssl, sys, threading, time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from email.utils import make_msgid

TEXT_CHARS, ATTACHMENT_BYTES = 6000, 25000
WORDS = ("outbox lease reconcile mailbox sender recipient quarterly report invoice meeting agenda budget "
         "schedule review draft attached please find below thanks regards project milestone release "
         "Zusammenfassung Rückmeldung réunion équipe").split()

def log(*a):
    print(*a, file=sys.stderr, flush=True)

def payload(i, tag):
    """The i-th message: ~6 KB of text and a 25 KB incompressible attachment (~40 KB as MIME)."""
    r = random.Random(f"{tag}-{i}")
    words, n = [], 0
    while n < TEXT_CHARS:
        w = r.choice(WORDS); words.append(w); n += len(w) + 1
    lines, line = [], ""
    for w in words:
        if len(line) + len(w) > 72:
            lines.append(line); line = ""
        line += w + " "
    lines.append(line)
    return "\n".join(l.rstrip() for l in lines) + "\n", os.urandom(ATTACHMENT_BYTES)

def ts(v):  # ISO-8601 (any fraction length, Z or offset) or epoch seconds/millis -> epoch seconds
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return v / 1000 if v > 1e11 else float(v)
    import datetime
    m = re.match(r"(.*?T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$", v)
    base = datetime.datetime.fromisoformat(m[1] + (m[3].replace("Z", "+00:00") or "+00:00"))
    return base.timestamp() + (float("0." + m[2]) if m[2] else 0)

def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100
    f = int(k); c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)

class Api:
    def __init__(self, base, token):
        u = urllib.parse.urlsplit(base)
        self.host, self.port, self.token = u.hostname, u.port, token
        self.local = threading.local()
    def call(self, method, path, body=None, headers=None):
        for retry in (0, 1):
            c = getattr(self.local, "c", None)
            if c is None:
                c = self.local.c = http.client.HTTPConnection(self.host, self.port, timeout=60)
            h = {"Authorization": "Bearer " + self.token}
            if body is not None:
                h["Content-Type"] = "application/json"
            h.update(headers or {})
            try:
                c.request(method, path, body=body, headers=h)
                r = c.getresponse()
                data = r.read()
                return r.status, data
            except (http.client.HTTPException, OSError):
                c.close(); self.local.c = None
                if retry:
                    raise
    def get_json(self, path):
        st, data = self.call("GET", path)
        if st != 200:
            raise SystemExit(f"GET {path}: HTTP {st} {data[:300]!r}")
        return json.loads(data)

def cmd_post(base, token, mailbox, count, prefix, par, out, to):
    """POSTs count messages with par parallel clients; writes {t0, t1, items: [{id, subject, latency_s}]}."""
    count, par = int(count), int(par)
    api, tag = Api(base, token), f"{prefix}-{int(time.time() * 1000)}"
    bodies = []
    for i in range(count):
        text, att = payload(i, tag)
        subject = f"{prefix} {i + 1:04d}/{count} [{tag}]"
        bodies.append((subject, json.dumps({
            "to": [{"name": "Recipient " + to.split("@")[0], "address": to}], "cc": [], "bcc": [],
            "subject": subject, "text": text,
            "attachments": [{"filename": f"{prefix}-{i + 1:04d}.bin", "contentType": "application/octet-stream",
                             "content": base64.b64encode(att).decode()}]}).encode()))
    path = f"/api/v1/mailboxes/{mailbox}/outbox"
    def one(i):
        subject, body = bodies[i]
        t = time.perf_counter()
        st, data = api.call("POST", path, body, {"Idempotency-Key": f"{tag}-{i}"})
        dt = time.perf_counter() - t
        if st != 202:
            raise SystemExit(f"POST {path}: HTTP {st} {data[:300]!r}")
        return {"id": json.loads(data)["id"], "subject": subject, "latency_s": dt}
    t0 = time.time()
    with ThreadPoolExecutor(par) as ex:
        items = list(ex.map(one, range(count)))
    t1 = time.time()
    with open(out, "w") as fh:
        json.dump({"t0": t0, "t1": t1, "items": items, "request_bytes": sum(len(b) for _, b in bodies) / count}, fh)
    lat = [x["latency_s"] * 1000 for x in items]
    log(f"  {count} POSTs ({par} parallel) in {t1 - t0:.2f} s: {count / (t1 - t0):.0f}/s, latency p50 "
        f"{pct(lat, 50):.1f} ms, p99 {pct(lat, 99):.1f} ms, max {max(lat):.1f} ms; request ~{bodies[0][1].__len__() / 1024:.0f} KB")

def cmd_wait(base, token, mailbox, postfile, out, timeout, pid, label):
    """Polls until nothing is queued or sending, then reads our items; writes them with t_done."""
    api, posted = Api(base, token), json.load(open(postfile))
    ids = {x["id"] for x in posted["items"]}
    start, last = time.time(), 0
    root = f"/api/v1/mailboxes/{mailbox}/outbox"
    while True:
        if pid != "-" and not os.path.exists(f"/proc/{pid}"):
            raise SystemExit("the service process is gone")
        q = api.get_json(root + "?state=queued&limit=200")["items"]
        s = api.get_json(root + "?state=sending&limit=1")["items"]
        t = time.time()
        if not q and not s:
            break
        if t - start > float(timeout):
            raise SystemExit(f"timeout after {timeout} s: {len(q)} queued, sending e.g. {json.dumps(s)}")
        if t - last >= 5:
            log(f"  {t - posted['t0']:6.1f} s  {len(q)}{'+' if len(q) == 200 else ''} queued, "
                f"{'some' if s else 'none'} sending")
            last = t
        time.sleep(0.1)
    found, cursor = {}, None
    while len(found) < len(ids):
        page = api.get_json(root + "?limit=200" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else ""))
        for it in page["items"]:
            if it["id"] in ids:
                found[it["id"]] = it
        cursor = page.get("nextCursor")
        if not cursor:
            break
    missing = ids - set(found)
    if missing:
        raise SystemExit(f"{len(missing)} posted items are not listed, e.g. {sorted(missing)[:3]}")
    items = [found[x["id"]] for x in posted["items"]]
    with open(out, "w") as fh:
        json.dump({"t_done": t, "items": items}, fh)
    states = {}
    for it in items:
        states[it["state"]] = states.get(it["state"], 0) + 1
    if label == "-":
        return
    sent = [it for it in items if it["state"] == "sent"]
    t0 = posted["t0"]
    last_sent = max(ts(it["sentAt"]) for it in sent) if sent else float("nan")
    tts = [ts(it["sentAt"]) - ts(it["createdAt"]) for it in sent]
    lat = [x["latency_s"] * 1000 for x in posted["items"]]
    wall = last_sent - t0
    retried = sum(1 for it in items if it["attempts"] != 1)
    r = {"label": label, "count": len(items), "states": states, "post_wall_s": round(posted["t1"] - t0, 3),
         "post_p50_ms": round(pct(lat, 50), 1), "post_p99_ms": round(pct(lat, 99), 1),
         "all_sent_s": round(wall, 3), "msgs_per_s": round(len(sent) / wall, 1) if sent else 0,
         "time_to_sent_p50_s": round(pct(tts, 50), 3), "time_to_sent_p99_s": round(pct(tts, 99), 3),
         "time_to_sent_max_s": round(max(tts), 3) if tts else None, "not_first_attempt": retried,
         "poll_seen_done_s": round(t - t0, 3), "request_kb": round(posted["request_bytes"] / 1024, 1)}
    log(f"  states {states}; all sent {wall:.2f} s after the first POST -> {r['msgs_per_s']} msgs/s end to end; "
        f"time to sent (sentAt - createdAt) p50 {r['time_to_sent_p50_s']:.2f} s, p99 {r['time_to_sent_p99_s']:.2f} s; "
        f"items needing more than one attempt: {retried}")
    print(json.dumps(r))

def cmd_peer(count, cafile, token, user, to, port):
    """The same messages over ONE smtplib connection: STARTTLS (rig cert verified), AUTH XOAUTH2, TCP_NODELAY."""
    count, tag = int(count), f"peer-{int(time.time() * 1000)}"
    msgs = []
    for i in range(count):
        text, att = payload(i, tag)
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = user, f"Recipient {to.split('@')[0]} <{to}>", f"peer {i + 1:04d}/{count} [{tag}]"
        m["Message-ID"] = make_msgid(domain="peer.bench.example.com")
        m.set_content(text)
        m.add_attachment(att, maintype="application", subtype="octet-stream", filename=f"peer-{i + 1:04d}.bin")
        msgs.append(m.as_bytes())
    t0 = time.time()
    s = smtplib.SMTP("127.0.0.1", int(port), timeout=60)
    s.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.ehlo(); s.starttls(context=ssl.create_default_context(cafile=cafile)); s.ehlo()
    code, resp = s.docmd("AUTH", "XOAUTH2 " + base64.b64encode(
        f"user={user}\x01auth=Bearer {token}\x01\x01".encode()).decode())
    if code != 235:
        raise SystemExit(f"AUTH XOAUTH2: {code} {resp!r}")
    t1 = time.time()
    lat = []
    for raw in msgs:
        t = time.perf_counter()
        s.sendmail(user, [to], raw)
        lat.append(time.perf_counter() - t)
    t2 = time.time()
    s.quit()
    r = {"count": count, "connect_auth_s": round(t1 - t0, 3), "send_s": round(t2 - t1, 3),
         "msgs_per_s": round(count / (t2 - t0), 1), "msgs_per_s_after_auth": round(count / (t2 - t1), 1),
         "per_msg_p50_ms": round(pct(lat, 50) * 1000, 1), "per_msg_p99_ms": round(pct(lat, 99) * 1000, 1),
         "avg_bytes": round(sum(map(len, msgs)) / count)}
    log(f"  smtplib, one connection: {count} messages in {t2 - t0:.2f} s (connect+STARTTLS+AUTH {t1 - t0:.3f} s) -> "
        f"{r['msgs_per_s']} msgs/s; per message p50 {r['per_msg_p50_ms']} ms, p99 {r['per_msg_p99_ms']} ms; "
        f"{r['avg_bytes'] / 1024:.1f} KB each")
    print(json.dumps(r))

HDR_MID = re.compile(rb"^message-id:[ \t]*<?([^>\s]+)>?", re.I | re.M)

def message_ids(dirs):
    """Message-ID -> [(file, size)] for every message file in the given directories."""
    out = {}
    for d in dirs:
        if not os.path.isdir(d):
            continue
        for n in os.listdir(d):
            p = os.path.join(d, n)
            with open(p, "rb") as fh:
                head = fh.read(65536)
            end = min([i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0] or [len(head)])
            m = HDR_MID.search(re.sub(rb"\r?\n[ \t]+", b" ", head[:end]))
            out.setdefault(m.group(1).decode(errors="replace") if m else None, []).append((p, os.path.getsize(p)))
    return out

def cmd_once(spool, sent_dir, inbox_dir, *itemfiles):
    """Every item sent; each Message-ID exactly once in the spool, the sender's Sent Items, the recipient's INBOX."""
    items = [it for f in itemfiles for it in json.load(open(f))["items"]]
    where = {"spool": message_ids([spool]),
             "Sent Items": message_ids([os.path.join(sent_dir, "cur"), os.path.join(sent_dir, "new")]),
             "INBOX": message_ids([os.path.join(inbox_dir, "cur"), os.path.join(inbox_dir, "new")])}
    not_sent = [it for it in items if it["state"] != "sent"]
    bad, sizes = {k: [] for k in where}, []
    for it in items:
        mid = (it.get("messageId") or "").strip("<>")
        for k, ids in where.items():
            n = len(ids.get(mid, []))
            if n != 1:
                bad[k].append((it["id"], mid, n))
        sizes += [s for _, s in where["spool"].get(mid, [])[:1]]
    dup_spool = sum(1 for k, v in where["spool"].items() if k and len(v) > 1)
    ok = not not_sent and not any(bad.values()) and dup_spool == 0
    log(f"  {len(items)} items: {len(items) - len(not_sent)} sent" +
        "".join(f"; {k}: {len(items) - len(v)} exactly once" + (f", {len(v)} NOT (e.g. {v[:2]})" if v else "")
                for k, v in bad.items()) +
        f"; Message-IDs more than once in the whole spool: {dup_spool}; {'OK' if ok else 'FAIL'}")
    for it in not_sent[:5]:
        log("  not sent: " + json.dumps(it))
    print(json.dumps({"ok": ok, "items": len(items), "not_sent": len(not_sent),
                      "bad": {k: len(v) for k, v in bad.items()}, "spool_dups": dup_spool,
                      "avg_spool_bytes": round(sum(sizes) / len(sizes)) if sizes else 0}))

def cmd_spooled(spool):
    print(len(os.listdir(spool)))

def cmd_wait_spool(spool, above, timeout):
    """Waits until the spool holds more than `above` files; prints the epoch time."""
    end = time.time() + float(timeout)
    while len(os.listdir(spool)) <= int(above):
        if time.time() > end:
            raise SystemExit(f"nothing reached the spool within {timeout} s")
        time.sleep(0.01)
    print(f"{time.time():.3f}")

def cmd_kill_on_spool(spool, pid, timeout):
    """SIGKILLs pid the moment a new file lands in the spool: the server has the message but has not answered
    250 yet (it files the copies first, ~30-50 ms), so that item is caught in 'sending' although delivered."""
    import signal
    before, end = len(os.listdir(spool)), time.time() + float(timeout)
    while len(os.listdir(spool)) <= before:
        if time.time() > end:
            raise SystemExit(f"no new message in the spool within {timeout} s")
        time.sleep(0.002)
    os.kill(int(pid), signal.SIGKILL)
    print(f"{time.time():.3f}")

def cmd_smtplog(logfile, from_line, user):
    """Server-side timings of the single-message sessions of `user` in smtp.log after line from_line."""
    lines = open(logfile).read().splitlines()[int(from_line):]
    ev = [json.loads(l) for l in lines if l.startswith("{")]
    sess = [e["ms"] for e in ev if e.get("event") == "session" and (e.get("auth") or {}).get("user") == user
            and e.get("messages") == 1]
    data = [e["ms"] for e in ev if e.get("event") == "message" and e.get("user") == user
            and str(e.get("outcome", "")).startswith("250")]
    print(f"smtp-server side: {len(sess)} one-message sessions, session (connect to close) p50 {pct(sess, 50):.0f} ms, "
          f"p90 {pct(sess, 90):.0f} ms; DATA to 250 (filing included) p50 {pct(data, 50):.0f} ms")

def cmd_metrics(base):
    """The outbox series of /q/metrics as JSON {series: value}."""
    import urllib.request
    with urllib.request.urlopen(base + "/q/metrics", timeout=10) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith(("mailsync_outbox_", "mailsync_smtp_")) and " " in line:
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    print(json.dumps(out))

def cmd_expect(itemsfile, want_state, want_code, want_attempts):
    it = json.load(open(itemsfile))["items"][0]
    code = (it.get("lastError") or {}).get("code") or "-"
    ok = it["state"] == want_state and code == want_code and str(it["attempts"]) == want_attempts
    msg = (it.get("lastError") or {}).get("message") or ""
    print(f"state {it['state']}, attempts {it['attempts']}, lastError.code {code}"
          + (f" ({msg[:150]})" if msg else "") + f" -> {'OK' if ok else 'FAIL'} (expected {want_state}, "
          f"attempts {want_attempts}, code {want_code})")
    sys.exit(0 if ok else 3)

MIB = 1048576

def cmd_heap(pid, gc):
    """Used Java heap in MB (MiB) from `jcmd PID GC.heap_info`, after `jcmd PID GC.run` when gc is 'gc'."""
    import subprocess
    if gc == "gc":
        subprocess.run(["jcmd", pid, "GC.run"], check=True, capture_output=True, timeout=120)
    out = subprocess.run(["jcmd", pid, "GC.heap_info"], check=True, capture_output=True, text=True,
                         timeout=60).stdout
    unit = {"K": 1 / 1024, "M": 1, "G": 1024}
    # Parallel (PSYoungGen + ParOldGen), G1 (garbage-first heap), Serial: "<space> total NK, used NK"; ZGC: ZHeap
    used = [float(m[1]) * unit[m[2]] for line in out.splitlines()
            if "total" in line or line.strip().startswith("ZHeap")
            for m in [re.search(r"\bused (\d+)([KMG])", line)] if m]
    if not used:
        raise SystemExit("no used heap in jcmd GC.heap_info:\n" + out)
    print(round(sum(used)))

def cmd_large_body(out, raw_bytes, to, subject):
    """Writes a send request with one attachment of raw_bytes random bytes to out; prints its sha256 and sizes."""
    import hashlib
    att = os.urandom(int(raw_bytes))
    body = json.dumps({"to": [{"name": "Recipient " + to.split("@")[0], "address": to}], "cc": [], "bcc": [],
                       "subject": subject, "text": f"{subject}: one attachment of {len(att)} random bytes.\n",
                       "attachments": [{"filename": "large.bin", "contentType": "application/octet-stream",
                                        "content": base64.b64encode(att).decode()}]})
    with open(out, "w") as fh:
        fh.write(body)
    print(json.dumps({"raw_bytes": len(att), "sha256": hashlib.sha256(att).hexdigest(), "body_bytes": len(body)}))

def cmd_wait_item(base, token, mailbox, item_id, timeout, pid, t_posted):
    """Polls GET .../outbox/{id} until the item is sent or failed; prints it with the time since t_posted."""
    api, path = Api(base, token), f"/api/v1/mailboxes/{mailbox}/outbox/{item_id}"
    start = time.time()
    while True:
        if not os.path.exists(f"/proc/{pid}"):
            raise SystemExit("the service process is gone")
        it, t = api.get_json(path), time.time()
        if it["state"] in ("sent", "failed"):
            break
        if t - start > float(timeout):
            raise SystemExit(f"timeout after {timeout} s: {json.dumps(it)}")
        time.sleep(0.05)
    it["seen_after_post_s"] = round(t - float(t_posted), 3)
    it["sent_minus_created_s"] = round(ts(it["sentAt"]) - ts(it["createdAt"]), 3) if it.get("sentAt") else None
    print(json.dumps(it))

def cmd_large_verify(spool, itemfile, sha, raw_bytes, want_mb):
    """The sent item is in the spool exactly once, ~want_mb MB and the item's size, and its one attachment decodes
    to the posted bytes (sha256)."""
    import email, email.policy, hashlib
    it = json.load(open(itemfile))
    mid = (it.get("messageId") or "").strip("<>")
    copies = message_ids([spool]).get(mid, []) if mid else []
    r = {"state": it["state"], "attempts": it["attempts"], "item_size": it.get("size"), "spool_copies": len(copies),
         "spool_bytes": None, "size_ok": False, "attachments": None, "attachment_bytes": None, "sha256_ok": False}
    if copies:
        p, size = copies[0]
        r["spool_bytes"] = size
        r["size_ok"] = (abs(size - (it.get("size") or 0)) <= 16384
                        and abs(size / MIB - float(want_mb)) <= max(0.05 * float(want_mb), 0.25))
        with open(p, "rb") as fh:
            msg = email.message_from_binary_file(fh, policy=email.policy.default)
        atts = list(msg.iter_attachments())
        data = atts[0].get_payload(decode=True) or b"" if atts else b""
        r["attachments"], r["attachment_bytes"] = len(atts), len(data)
        r["sha256_ok"] = len(atts) == 1 and len(data) == int(raw_bytes) and hashlib.sha256(data).hexdigest() == sha
    r["ok"] = it["state"] == "sent" and len(copies) == 1 and r["size_ok"] and r["sha256_ok"]
    log(f"  spool: {len(copies)} cop{'y' if len(copies) == 1 else 'ies'} of {mid}"
        + (f", {r['spool_bytes']} bytes ({r['spool_bytes'] / MIB:.2f} MB; item size {r['item_size']}; "
           f"{'about right' if r['size_ok'] else 'NOT about ' + str(want_mb) + ' MB'}), {r['attachments']} attachment(s) "
           f"of {r['attachment_bytes']} bytes decoded, sha256 {'= the posted bytes' if r['sha256_ok'] else 'DIFFERS'}"
           if copies else "") + f" -> {'OK' if r['ok'] else 'FAIL'}")
    print(json.dumps(r))
    sys.exit(0 if r["ok"] else 3)

def cmd_problem(status, ctype, bodyfile, field):
    """A 400 application/problem+json with an error on `field`?"""
    body = open(bodyfile, "rb").read() if os.path.exists(bodyfile) else b""
    try:
        p = json.loads(body)
    except ValueError:
        p = None
    errors = (p.get("errors") or []) if isinstance(p, dict) else []
    hit = [e for e in errors if isinstance(e, dict) and e.get("field") == field]
    ok = status == "400" and ctype.split(";")[0].strip().lower() == "application/problem+json" and bool(hit)
    print(json.dumps({"ok": ok, "status": int(status) if status.isdigit() else status, "content_type": ctype,
                      "code": p.get("code") if isinstance(p, dict) else None, "errors": errors,
                      "message": hit[0].get("message") if hit else None,
                      "body": body[:200].decode(errors="replace") if not hit else None}))
    sys.exit(0 if ok else 3)

cmds = {"post": cmd_post, "wait": cmd_wait, "peer": cmd_peer, "once": cmd_once, "spooled": cmd_spooled,
        "wait-spool": cmd_wait_spool, "metrics": cmd_metrics, "expect": cmd_expect,
        "kill-on-spool": cmd_kill_on_spool, "smtplog": cmd_smtplog, "heap": cmd_heap, "large-body": cmd_large_body,
        "wait-item": cmd_wait_item, "large-verify": cmd_large_verify, "problem": cmd_problem}
cmds[sys.argv[1]](*sys.argv[2:])
PY

# ---- 1. the rig: Outlook-like IMAP (+ oauth2-fake), then SMTP submission
if [[ ! -d "$SEND_CORPUS/cur" ]]; then
  say "generating a 20-message INBOX corpus into $SEND_CORPUS"
  "$RIG/gen-corpus" --count 20 --seed 7 --out "$SEND_CORPUS" --force >/dev/null
fi
if "$RIG/smtp-server" status >/dev/null 2>&1; then say "smtp-server already running: restarting it"; "$RIG/smtp-server" stop 2>&1 | sed 's/^/  /'; fi
if "$RIG/imap-server" status >/dev/null 2>&1; then
  say "imap-server already running: restarting it with this benchmark's OAuth client"; "$RIG/imap-server" stop 2>&1 | sed 's/^/  /'
fi
for p in "$IMAP_PORT" "$OAUTH_PORT" "$HTTP_PORT" "$SMTP_PORT" "$SMTP_CONTROL_PORT"; do
  port_open "$p" && die "port $p is in use by another process (BENCH_*_PORT move ours)"
done
say "starting imap-server --outlook --users 3 --no-warm (IMAP :$IMAP_PORT, oauth2-fake :$OAUTH_PORT, client $BENCH_OAUTH_CLIENT_ID)"
RIG_STARTED=1
BENCH_CORPUS="$SEND_CORPUS" "$RIG/imap-server" start --outlook --users 3 --no-warm >"$LOGDIR/send-imap-server.out" 2>&1 \
  || { cat "$LOGDIR/send-imap-server.out" >&2; die "imap-server start"; }
grep '^imap-server:' "$LOGDIR/send-imap-server.out" | sed 's/^/  /' || true
say "starting smtp-server (submission :$SMTP_PORT STARTTLS, control :$SMTP_CONTROL_PORT)"
"$RIG/smtp-server" start >"$LOGDIR/send-smtp-server.out" 2>&1 || { cat "$LOGDIR/send-smtp-server.out" >&2; die "smtp-server start"; }
grep '^smtp-server:' "$LOGDIR/send-smtp-server.out" | sed 's/^/  /' || true
[[ -s "$CERT" ]] || die "the rig's certificate $CERT is missing"
# the service verifies host names; 127.0.0.1 must be in the certificate's subjectAltName
openssl x509 -in "$CERT" -noout -checkip 127.0.0.1 | grep -q 'does match' \
  || die "the rig's certificate $CERT has no subjectAltName IP:127.0.0.1 ($(openssl x509 -in "$CERT" -noout -ext subjectAltName 2>&1 | tr '\n' ' ')); host name verification would fail and is not switched off here"
say "rig certificate $CERT: $(openssl x509 -in "$CERT" -noout -subject -ext subjectAltName | tr -s '\n ' ' ')"
SENT_DIR=$(doveadm -c "$DOVECOT_CONF" mailbox path -u "$SENDER" "Sent Items") || die "doveadm mailbox path (Sent Items)"
INBOX_DIR=$(doveadm -c "$DOVECOT_CONF" mailbox path -u "$RCPT" INBOX) || die "doveadm mailbox path ($RCPT INBOX)"

# ---- 2. PostgreSQL 15 with a fresh database
pg_ctlcluster 15 main status >/dev/null 2>&1 || { say "starting PostgreSQL 15"; pg_ctlcluster 15 main start; }
psql_admin() { (cd / && PGOPTIONS='-c client_min_messages=warning' runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 "$@"); }
psql_admin -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB') THEN CREATE ROLE $DB LOGIN; END IF; END \$\$;" \
  -c "ALTER ROLE $DB LOGIN PASSWORD '$DB_PASS';" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE);" -c "CREATE DATABASE $DB OWNER $DB;"
say "PostgreSQL: fresh database $DB"
psql_db() { (cd / && runuser -u postgres -- psql -X -At -d "$DB" -c "$1"); }

# ---- 3. build
if [[ $BUILD == 1 ]]; then
  say "building (./mvnw -B -q package -DskipTests)"; (cd "$ROOT" && ./mvnw -B -q package -DskipTests) || die "build failed"
fi
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
[[ -f "$JAR" ]] || die "$JAR missing (build first, or drop --no-build)"

# ---- 4. the service (restarted per phase with other outbox settings, always on the same database and key)
JAVA_OPTS="${JAVA_OPTS:--Xmx256m -XX:+UseParallelGC}"
ENC_KEY="$(openssl rand -base64 32)"
OIDC_KEY="$(sed '/-----/d' "$ROOT/src/dev/dev-jwt-public.pem" | tr -d '\n')"
start_service() {  # start_service LABEL CONCURRENCY LEASE
  SVC_LOG="$LOGDIR/send-service-$1.log"
  say "starting the service ($1: outbox concurrency $2, lease $3, retry delay 2 s), log $SVC_LOG"
  # shellcheck disable=SC2086  # JAVA_OPTS is a list of options
  env QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$HTTP_PORT" \
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$DB" \
    QUARKUS_DATASOURCE_USERNAME="$DB" QUARKUS_DATASOURCE_PASSWORD="$DB_PASS" \
    MAILSYNC_ENCRYPTION_KEY="$ENC_KEY" QUARKUS_OIDC_PUBLIC_KEY="$OIDC_KEY" \
    QUARKUS_OIDC_TOKEN_ISSUER=https://mailsync.dev/local-issuer MAILSYNC_PUBLIC_URL="$BASE" \
    MAILSYNC_MICROSOFT_AUTHORITY="http://127.0.0.1:$OAUTH_PORT" MAILSYNC_MICROSOFT_IMAP_HOST=127.0.0.1 \
    MAILSYNC_MICROSOFT_IMAP_PORT="$IMAP_PORT" MAILSYNC_MICROSOFT_IMAP_TLS=none MAILSYNC_SYNC_INTERVAL=1h \
    MAILSYNC_MICROSOFT_SMTP_HOST=127.0.0.1 MAILSYNC_MICROSOFT_SMTP_PORT="$SMTP_PORT" MAILSYNC_MICROSOFT_SMTP_TLS=starttls \
    MAILSYNC_MAIL_TLS_TRUSTED_CERTIFICATES="$CERT" \
    MAILSYNC_OUTBOX_CONCURRENCY="$2" MAILSYNC_OUTBOX_LEASE="$3" MAILSYNC_OUTBOX_RETRY_DELAY=2s MAILSYNC_OUTBOX_POLL=2s \
    java ${JAVA_OPTS:-} -jar "$JAR" >"$SVC_LOG" 2>&1 </dev/null &
  SVC_PID=$!
  for i in $(seq 600); do
    curl -sf -o /dev/null "$BASE/q/health/ready" && break
    alive "$SVC_PID" || die "the service exited during start-up"
    [[ $i == 600 ]] && die "the service was not ready after 60 s"; sleep 0.1
  done
  say "service ready (pid $SVC_PID, RSS $(rss_mb "$SVC_PID" VmRSS) MB)"
}
start_service "c$CONC" "$CONC" 5m

# ---- 5. provider settings and the connect flow, as an administrator and a browser would
ADMIN="$("$ROOT/src/dev/token.sh" bench-admin --admin)"; USER_TOKEN="$("$ROOT/src/dev/token.sh" bench-user)"
SETTINGS=$(python3 -c 'import json,sys; print(json.dumps({"tenant": "common", "clientId": sys.argv[1], "clientSecret": sys.argv[2]}))' \
  "$BENCH_OAUTH_CLIENT_ID" "$BENCH_OAUTH_CLIENT_SECRET")
api "$ADMIN" -f -o /dev/null -X PUT -H 'Content-Type: application/json' --data "$SETTINGS" "$BASE/api/v1/admin/providers/microsoft" \
  || die "PUT /api/v1/admin/providers/microsoft"
AUTH_URL=$(api "$USER_TOKEN" -f -X POST "$BASE/api/v1/mailboxes/connect/microsoft" | json_get authorizationUrl) \
  || die "POST /api/v1/mailboxes/connect/microsoft"
[[ "$AUTH_URL" == *SMTP.Send* ]] || die "the authorization URL asks for no SMTP.Send scope: $AUTH_URL"
read -r CODE LOCATION < <(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}\n' "$AUTH_URL")
[[ "$CODE" == 302 && "$LOCATION" == "$CALLBACK?"* && "$LOCATION" != *"error="* ]] \
  || die "authorize answered $CODE $LOCATION (expected a 302 with a code to $CALLBACK)"
say "authorize: 302 to our callback, consenting as $SENDER"
PAGE=$(curl -sS --max-time 60 "$LOCATION") || die "GET callback"
MAILBOX=$(printf '%s' "$PAGE" | sed -nE 's/.*"mailbox":"([0-9a-f-]{36})".*/\1/p' | head -n 1)
[[ -n "$MAILBOX" ]] || { printf '%s\n' "$PAGE" | sed 's/<[^>]*>/ /g' >&2; die "the callback page names no mailbox"; }
# the initial sync of the (small) mailbox runs first, so that it does not overlap the timed sending
python3 - "$BASE/api/v1/mailboxes/$MAILBOX/sync" "$USER_TOKEN" <<'PY' || die "the initial sync did not finish"
import json, sys, time, urllib.request
url, token = sys.argv[1:3]
end = time.time() + 120
while True:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": "Bearer " + token}), timeout=10) as r:
        st = json.load(r)
    if st.get("state") in ("error", "reauth_required"):
        sys.exit(f"sync state {st.get('state')}: {json.dumps(st.get('lastError'))}")
    if st.get("state") == "idle" and st.get("lastFinishedAt"):
        break
    if time.time() > end:
        sys.exit("timeout: " + json.dumps(st))
    time.sleep(0.2)
PY
say "connected mailbox $MAILBOX ($SENDER); initial sync done"

# ---- 6. throughput: mailsync at concurrency C, then at the default 2; the smtplib peer on one connection
throughput() {  # throughput LABEL -> prints the stats JSON line
  local from; from=$(wc -l <"$SMTP_LOG")
  helper post "$BASE" "$USER_TOKEN" "$MAILBOX" "$COUNT" "$1" "$POST_PAR" "$WORK/$1.post.json" "$RCPT" >&2 || die "POSTs ($1)"
  helper wait "$BASE" "$USER_TOKEN" "$MAILBOX" "$WORK/$1.post.json" "$WORK/$1.items.json" "$TIMEOUT" "$SVC_PID" "$1" \
    || die "waiting for the $1 batch to be sent"
  printf '  %s\n' "$(helper smtplog "$SMTP_LOG" "$from" "$SENDER")" >&2
}
metric() {  # metric JSON SERIES -> value (0 when absent)
  python3 -c 'import json,sys; print("%g" % json.loads(sys.argv[1]).get(sys.argv[2], 0))' "$1" "$2"
}
say "throughput 1: $COUNT messages to $RCPT, $POST_PAR parallel POSTs, outbox concurrency $CONC"
RUN1=$(throughput "run-c$CONC")
MET1=$(helper metrics "$BASE"); RSS1=$(rss_mb "$SVC_PID" VmHWM)
SUB1=$(python3 -c 'import json,sys; m=json.loads(sys.argv[1]); c=m.get("mailsync_smtp_submission_duration_seconds_count",0); print("%.0f %.0f" % (1000*m.get("mailsync_smtp_submission_duration_seconds_sum",0)/max(c,1), 1000*m.get("mailsync_smtp_submission_duration_seconds_max",0)))' "$MET1")
say "SMTP submission (service metric) mean/max ${SUB1/ /\/} ms; service peak RSS $RSS1 MB"

stop_service
start_service c2 2 5m
say "throughput 2: $COUNT messages, outbox concurrency 2 (the default)"
RUN2=$(throughput run-c2)
MET2=$(helper metrics "$BASE"); RSS2=$(rss_mb "$SVC_PID" VmHWM)
SUB2=$(python3 -c 'import json,sys; m=json.loads(sys.argv[1]); c=m.get("mailsync_smtp_submission_duration_seconds_count",0); print("%.0f %.0f" % (1000*m.get("mailsync_smtp_submission_duration_seconds_sum",0)/max(c,1), 1000*m.get("mailsync_smtp_submission_duration_seconds_max",0)))' "$MET2")
say "SMTP submission (service metric) mean/max ${SUB2/ /\/} ms; service peak RSS $RSS2 MB"

say "peer: python3 smtplib, $COUNT messages on one connection (STARTTLS + XOAUTH2 as $SENDER)"
PEER_TOKEN=$("$RIG/imap-server" token --user "$SENDER" | json_get access_token) || die "imap-server token"
PEER=$(helper peer "$COUNT" "$CERT" "$PEER_TOKEN" "$SENDER" "$RCPT" "$SMTP_PORT") || die "the smtplib peer"

# ---- 7. exactly once (both mailsync runs)
say "exactly-once check: spool $SPOOL, \"$SENT_DIR\", \"$INBOX_DIR\""
ONCE=$(helper once "$SPOOL" "$SENT_DIR" "$INBOX_DIR" "$WORK/run-c$CONC.items.json" "$WORK/run-c2.items.json") || die "exactly-once check"

# ---- 8. failures injected by smtp-server (one message each, the concurrency-2 service)
FAIL_OK=1; FAIL_LINES=()
fail_case() {  # fail_case NAME TO STATE CODE ATTEMPTS -- SMTP-SERVER-FAIL-ARGS...
  local name=$1 to=$2 state=$3 code=$4 attempts=$5; shift 6
  "$RIG/smtp-server" clear >/dev/null
  "$RIG/smtp-server" fail "$@" >/dev/null || die "smtp-server fail $*"
  helper post "$BASE" "$USER_TOKEN" "$MAILBOX" 1 "$name" 1 "$WORK/$name.post.json" "$to" 2>/dev/null || die "POST ($name)"
  helper wait "$BASE" "$USER_TOKEN" "$MAILBOX" "$WORK/$name.post.json" "$WORK/$name.items.json" 120 "$SVC_PID" - \
    || die "waiting for the $name item"
  local out rc=0
  out=$(helper expect "$WORK/$name.items.json" "$state" "$code" "$attempts") || rc=$?
  [[ $rc == 0 || $rc == 3 ]] || die "reading the $name item"
  [[ $rc == 0 ]] || FAIL_OK=0
  say "  smtp-server fail $*: $out"
  FAIL_LINES+=("$name: $(printf '%s' "$out" | sed -E 's/ \(.*\)//; s/ -> .*//') $([[ $rc == 0 ]] && echo OK || echo FAIL)")
  "$RIG/smtp-server" clear >/dev/null
}
say "failure cases (smtp-server fail ...)"
fail_case busy "$RCPT" sent - 3 -- busy --count 2 --user "$SENDER"
fail_case auth-disabled "$RCPT" failed smtp_auth_disabled 1 -- auth-disabled --user "$SENDER"
fail_case recipient-not-found nobody1@example.com failed recipient_refused 1 -- recipient-not-found --rcpt nobody1@example.com
MET3=$(helper metrics "$BASE")
say "  metrics: retries{smtp_busy} $(metric "$MET3" 'mailsync_outbox_retries_total{code="smtp_busy"}'), failed{smtp_auth_disabled} $(metric "$MET3" 'mailsync_outbox_failed_total{code="smtp_auth_disabled"}'), failed{recipient_refused} $(metric "$MET3" 'mailsync_outbox_failed_total{code="recipient_refused"}'), smtp_errors{smtp_busy} $(metric "$MET3" 'mailsync_smtp_errors_total{code="smtp_busy"}')"

# ---- 9. a large message, on the same service: peak RSS and heap, POST latency, time until sent, bytes intact;
#         then the two size limits (the composed message: 400; the HTTP body: 413, only reported)
LARGE='{"skipped": true}'; LARGE_OK=1
if [[ $LARGE_MB -gt 0 ]]; then
  T_LARGE=$(date +%s.%N)
  OUTBOX_URL="$BASE/api/v1/mailboxes/$MAILBOX/outbox"
  # large_post BODYFILE OUT [CURL ARGS] -> "CURL_RC HTTP_CODE SECONDS CONTENT_TYPE"; the response body in OUT.
  # curl sends "Expect: 100-continue" with a body this large (a server may answer before the upload)
  large_post() {
    local rc=0 w code secs ctype
    w=$(curl -sS --max-time 300 -H "Authorization: Bearer $USER_TOKEN" -H 'Content-Type: application/json' "${@:3}" \
      --data-binary "@$1" -o "$2" -w '%{http_code} %{time_total} %{content_type}' "$OUTBOX_URL" 2>"$2.stderr") || rc=$?
    read -r code secs ctype <<<"$w"
    printf '%s %s %.3f %s\n' "$rc" "${code:-000}" "${secs:-0}" "${ctype:-}"
  }
  RSS_L0=$(rss_mb "$SVC_PID" VmHWM); HEAP_L0=$(helper heap "$SVC_PID" -) || die "jcmd $SVC_PID GC.heap_info"
  RAW_L=$(( LARGE_MB * 1048576 * 73 / 100 ))
  say "large message: $LARGE_MB MB to $RCPT (one attachment of $RAW_L random bytes); before: service peak RSS $RSS_L0 MB, heap used $HEAP_L0 MB"
  BODY_L=$(helper large-body "$WORK/large.request.json" "$RAW_L" "$RCPT" "large $LARGE_MB MB [$(date +%s%3N)]") \
    || die "building the large request"
  read -r L_RC L_CODE L_TIME L_CTYPE < <(large_post "$WORK/large.request.json" "$WORK/large.response.json")
  T_POST1=$(date +%s.%N)
  say "  POST (request $(python3 -c 'import json,sys; print("%.1f" % (json.loads(sys.argv[1])["body_bytes"] / 1048576))' "$BODY_L") MB JSON): HTTP $L_CODE in $L_TIME s$([[ $L_RC == 0 ]] || echo " (curl exit $L_RC: $(head -c 200 "$WORK/large.response.json.stderr"))")"
  ITEM_L='null'; VERIFY_L='{"ok": false}'
  if [[ $L_CODE == 202 ]]; then
    ID_L=$(json_get id <"$WORK/large.response.json") || die "the 202 of the large POST has no id"
    ITEM_L=$(helper wait-item "$BASE" "$USER_TOKEN" "$MAILBOX" "$ID_L" "$TIMEOUT" "$SVC_PID" "$T_POST1") \
      || die "waiting for the large item $ID_L"
    printf '%s\n' "$ITEM_L" >"$WORK/large.item.json"
    say "  item $ID_L: $(python3 -c 'import json,sys; i=json.loads(sys.argv[1]); print("state %(state)s, attempts %(attempts)s, size %(size)s bytes; seen %(state)s %(seen_after_post_s)s s after the 202 (sentAt - createdAt %(sent_minus_created_s)s s)" % i)' "$ITEM_L")"
    V_RC=0; VERIFY_L=$(helper large-verify "$SPOOL" "$WORK/large.item.json" \
      "$(printf '%s' "$BODY_L" | json_get sha256)" "$RAW_L" "$LARGE_MB") || V_RC=$?
    [[ $V_RC == 0 || $V_RC == 3 ]] || die "verifying the large message in the spool"
    [[ $V_RC == 0 ]] || LARGE_OK=0
  else
    LARGE_OK=0
    say "  FAIL: the large POST was not accepted: HTTP $L_CODE $L_CTYPE $(head -c 300 "$WORK/large.response.json" 2>/dev/null)"
  fi
  alive "$SVC_PID" || die "the service died during the large-message check"
  RSS_L1=$(rss_mb "$SVC_PID" VmHWM); HEAP_L1=$(helper heap "$SVC_PID" gc) || die "jcmd $SVC_PID GC.run / GC.heap_info"
  SENT_AFTER_L=$(printf '%s' "$ITEM_L" | python3 -c 'import json,sys; i=json.load(sys.stdin); print(i["seen_after_post_s"] if i else "-")')
  say "large message: $LARGE_MB MB, POST $L_TIME s, sent after $SENT_AFTER_L s, peak RSS $RSS_L0 MB before / $RSS_L1 MB after, heap after GC $HEAP_L1 MB (before $HEAP_L0 MB)"

  # over mailsync.outbox.max-message-size (25M): a 19 MB attachment is ~26 MB as submitted
  BODY_O=$(helper large-body "$WORK/oversize.request.json" $(( 19 * 1048576 )) "$RCPT" "oversize 19 MB") \
    || die "building the oversize request"
  read -r O_RC O_CODE O_TIME O_CTYPE < <(large_post "$WORK/oversize.request.json" "$WORK/oversize.response.json")
  P_RC=0; PROBLEM_O=$(helper problem "$O_CODE" "${O_CTYPE:-}" "$WORK/oversize.response.json" attachments) || P_RC=$?
  [[ $P_RC == 0 || $P_RC == 3 ]] || die "reading the oversize answer"
  [[ $P_RC == 0 ]] || LARGE_OK=0
  say "  19 MB attachment (~26 MB as MIME, over max-message-size 25M): HTTP $O_CODE ${O_CTYPE:-(no content type)} in $O_TIME s: $(printf '%s' "$PROBLEM_O" | python3 -c 'import json,sys; p=json.load(sys.stdin); print("errors[].field attachments: " + repr(p["message"]) if p["message"] else "no error on attachments: " + repr(p["body"]))') -> $([[ $P_RC == 0 ]] && echo OK || echo "FAIL (expected 400 application/problem+json, an error on attachments)")"

  # over quarkus.http.limits.max-body-size (40M): a ~45 MB JSON body, refused before it is parsed
  BODY_B=$(helper large-body "$WORK/overbody.request.json" $(( 45 * 1048576 * 3 / 4 - 1024 )) "$RCPT" "overbody 45 MB") \
    || die "building the 45 MB request"
  read -r B_RC B_CODE B_TIME B_CTYPE < <(large_post "$WORK/overbody.request.json" "$WORK/overbody.response.json")
  B_BODY=$(head -c 200 "$WORK/overbody.response.json" 2>/dev/null | tr '\n\r' '  ' || true)
  say "  $(python3 -c 'import json,sys; print("%.1f" % (json.loads(sys.argv[1])["body_bytes"] / 1048576))' "$BODY_B") MB JSON body (over max-body-size 40M): HTTP $B_CODE, content type ${B_CTYPE:-(none)}, in $B_TIME s, curl exit $B_RC$([[ -s "$WORK/overbody.response.json.stderr" ]] && echo " ($(head -c 200 "$WORK/overbody.response.json.stderr" | tr '\n' ' '))"), body: '${B_BODY}' $([[ $B_CODE == 413 ]] && echo "(413 as expected)" || echo "(NOTE: expected 413; not counted)")"
  # the same without "Expect: 100-continue" (as browsers and most HTTP libraries send it): the whole body goes out
  read -r N_RC N_CODE N_TIME N_CTYPE < <(large_post "$WORK/overbody.request.json" "$WORK/overbody-noexpect.response.json" -H 'Expect:')
  N_BODY=$(head -c 200 "$WORK/overbody-noexpect.response.json" 2>/dev/null | tr '\n\r' '  ' || true)
  N_ERR=$(head -c 200 "$WORK/overbody-noexpect.response.json.stderr" 2>/dev/null | tr '\n' ' ' || true)
  say "  the same without Expect: 100-continue: HTTP $N_CODE, content type ${N_CTYPE:-(none)}, in $N_TIME s, curl exit $N_RC${N_ERR:+ ($N_ERR)}, body: '${N_BODY}' (reported only)"
  alive "$SVC_PID" || die "the service died during the size-limit requests"
  RSS_L2=$(rss_mb "$SVC_PID" VmHWM)
  rm -f "$WORK/large.request.json" "$WORK/oversize.request.json" "$WORK/overbody.request.json"
  LARGE=$(python3 - "$LARGE_MB" "$BODY_L" "$L_RC" "$L_CODE" "$L_TIME" "$ITEM_L" "$VERIFY_L" "$RSS_L0" "$RSS_L1" "$HEAP_L0" \
    "$HEAP_L1" "$PROBLEM_O" "$O_TIME" "$B_RC" "$B_CODE" "${B_CTYPE:-}" "$B_BODY" "$BODY_B" "$RSS_L2" \
    "$(awk -v a="$(date +%s.%N)" -v b="$T_LARGE" 'BEGIN { printf "%.1f", a - b }')" \
    "$B_TIME" "$N_RC" "$N_CODE" "${N_CTYPE:-}" "$N_BODY" "$N_TIME" "$N_ERR" <<'PY'
import json, sys
a = sys.argv[1:]
item, verify, body = json.loads(a[5]), json.loads(a[6]), json.loads(a[1])
print(json.dumps({
    "mb": int(a[0]), "raw_bytes": body["raw_bytes"], "request_bytes": body["body_bytes"],
    "post_status": int(a[3]) if a[3].isdigit() else a[3], "post_curl_rc": int(a[2]), "post_s": float(a[4]),
    "state": item["state"] if item else None, "size": item["size"] if item else None,
    "sent_after_post_s": item["seen_after_post_s"] if item else None,
    "sent_minus_created_s": item["sent_minus_created_s"] if item else None, "spool": verify,
    "peak_rss_before_mb": int(a[7]), "peak_rss_after_mb": int(a[8]), "heap_used_before_mb": int(a[9]),
    "heap_used_after_gc_mb": int(a[10]), "peak_rss_after_limits_mb": int(a[18]),
    "over_message_size": {**json.loads(a[11]), "time_s": float(a[12])},
    "over_body_size": {"status": int(a[14]) if a[14].isdigit() else a[14], "content_type": a[15], "body": a[16],
                       "curl_rc": int(a[13]), "time_s": float(a[20]), "request_bytes": json.loads(a[17])["body_bytes"],
                       "without_expect_100_continue": {"status": int(a[22]) if a[22].isdigit() else a[22],
                                                       "content_type": a[23], "body": a[24], "time_s": float(a[25]),
                                                       "curl_rc": int(a[21]), "curl_error": a[26]}},
    "step_s": float(a[19])}))
PY
  ) || die "summarising the large-message check"
  [[ $LARGE_OK == 1 ]] || say "  the large-message check FAILED (see above)"
fi

# ---- 10. crash: kill -9 during a batch, restart, reconcile
stop_service
start_service crash 2 15s
S0=$(helper spooled "$SPOOL")
say "crash: $CRASH_COUNT POSTs; SIGKILL ~1 s after the first reaches the spool, as the next one lands there (mid-submission)"
helper post "$BASE" "$USER_TOKEN" "$MAILBOX" "$CRASH_COUNT" crash "$POST_PAR" "$WORK/crash.post.json" "$RCPT" &
POST_JOB=$!
T_FIRST=$(helper wait-spool "$SPOOL" "$S0" 60) || die "crash: no message reached the spool"
sleep 1
wait "$POST_JOB" || die "crash: the POSTs failed"   # the POSTs must all be accepted before the kill
# the kill comes when the server has just taken a message and is filing it, before its 250 reply
T_KILL=$(helper kill-on-spool "$SPOOL" "$SVC_PID" 60) || die "crash: no further message reached the spool"
wait "$SVC_PID" 2>/dev/null || true; KILLED_PID=$SVC_PID; SVC_PID=""
AT_KILL_SPOOL=$(( $(helper spooled "$SPOOL") - S0 ))
AT_KILL=$(psql_db "select state || '=' || count(*) from outbox where subject like 'crash %' group by state order by state" | tr '\n' ' ')
say "killed pid $KILLED_PID $(awk -v a="$T_KILL" -v b="$T_FIRST" 'BEGIN { printf "%.2f", a - b }') s after the first message reached the spool; at the kill: ${AT_KILL}(database), $AT_KILL_SPOOL in the spool"
start_service crash-restart 2 15s
T_RESTART=$(date +%s.%N)
helper wait "$BASE" "$USER_TOKEN" "$MAILBOX" "$WORK/crash.post.json" "$WORK/crash.items.json" "$TIMEOUT" "$SVC_PID" - \
  || die "crash: waiting for the batch after the restart"
CRASH_WAIT=$(awk -v a="$(date +%s.%N)" -v b="$T_RESTART" 'BEGIN { printf "%.1f", a - b }')
MET4=$(helper metrics "$BASE"); RSS4=$(rss_mb "$SVC_PID" VmHWM)
FOUND=$(metric "$MET4" 'mailsync_outbox_reconciled_total{outcome="found"}')
ABSENT=$(metric "$MET4" 'mailsync_outbox_reconciled_total{outcome="absent"}')
say "after the restart: all $CRASH_COUNT settled $CRASH_WAIT s after the service was ready; reconciled_total found=$FOUND absent=$ABSENT; $(grep -c 'already sent (found in' "$SVC_LOG" || true) 'already sent' log lines"
CRASH_ONCE=$(helper once "$SPOOL" "$SENT_DIR" "$INBOX_DIR" "$WORK/crash.items.json") || die "crash: exactly-once check"
CRASH_SENDING=$(printf '%s' "$AT_KILL" | sed -nE 's/.*sending=([0-9]+).*/\1/p'); CRASH_SENDING=${CRASH_SENDING:-0}
[[ "${FOUND%.*}" -ge 1 ]] || say "note: no item was caught after the server took it (found=0): the 'found' path of reconciliation was not exercised this run"
RECON_OK=$(python3 -c 'import sys; print(1 if int(float(sys.argv[1])) + int(float(sys.argv[2])) == int(sys.argv[3]) else 0)' "$FOUND" "$ABSENT" "$CRASH_SENDING")

# ---- 11. figures
stop_service
SUMMARY_RC=0
python3 - "$RUN1" "$RUN2" "$PEER" "$ONCE" "$CRASH_ONCE" "$FAIL_OK" "$(printf '%s\n' "${FAIL_LINES[@]}")" "$CONC" \
  "$SUB1" "$SUB2" "$RSS1" "$RSS2" "$RSS4" "$AT_KILL" "$AT_KILL_SPOOL" "$FOUND" "$ABSENT" "$CRASH_WAIT" "$RECON_OK" \
  "$RESULTS/mailsync-send.jsonl" "$(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo unknown)" \
  "${JAVA_OPTS:-}" "$POST_PAR" "$CRASH_COUNT" "$LARGE" "$LARGE_OK" <<'PY' || SUMMARY_RC=$?
import datetime, json, sys
r1, r2, peer, once, conce = (json.loads(x) for x in sys.argv[1:6])
fail_ok, fail_lines, conc = sys.argv[6] == "1", sys.argv[7].splitlines(), int(sys.argv[8])
sub1, sub2 = sys.argv[9].split(), sys.argv[10].split()
rss1, rss2, rss4 = int(sys.argv[11]), int(sys.argv[12]), int(sys.argv[13])
at_kill, at_kill_spool, found, absent, crash_wait = sys.argv[14], int(sys.argv[15]), float(sys.argv[16]), \
    float(sys.argv[17]), float(sys.argv[18])
recon_ok, out, version, java_opts, post_par, crash_n = sys.argv[19] == "1", sys.argv[20], sys.argv[21], sys.argv[22], \
    int(sys.argv[23]), int(sys.argv[24])
large, large_ok = json.loads(sys.argv[25]), sys.argv[26] == "1"
ok = lambda c: "OK" if c else "FAIL"
crash_ok = conce["ok"] and recon_ok
all_ok = once["ok"] and fail_ok and crash_ok and large_ok and all(r["states"] == {"sent": r["count"]} for r in (r1, r2))
w = 25
print(f"""
==== mailsync sending (rig: smtp-server STARTTLS + XOAUTH2, Outlook-mode Dovecot; PostgreSQL 15; {version}; JAVA_OPTS {java_opts})
messages per run           {r1['count']} to u0001@example.com, ~{once['avg_spool_bytes'] / 1024:.1f} KB each as submitted (6 KB text + 25 KB attachment; request ~{r1['request_kb']:.0f} KB JSON); {post_par} parallel POSTs
{'':27}{'mailsync c=' + str(conc):<{w}}{'mailsync c=2 (default)':<{w}}{'smtplib, 1 connection':<{w}}
{'throughput (msgs/s)':<27}{r1['msgs_per_s']:<{w}}{r2['msgs_per_s']:<{w}}{peer['msgs_per_s']:<{w}}
{'all sent after (s)':<27}{r1['all_sent_s']:<{w}}{r2['all_sent_s']:<{w}}{peer['connect_auth_s'] + peer['send_s']:<{w}.3f}
{'POST latency p50/p99 (ms)':<27}{f"{r1['post_p50_ms']} / {r1['post_p99_ms']}":<{w}}{f"{r2['post_p50_ms']} / {r2['post_p99_ms']}":<{w}}{'-':<{w}}
{'POSTs done after (s)':<27}{r1['post_wall_s']:<{w}}{r2['post_wall_s']:<{w}}{'-':<{w}}
{'time to sent p50/p99 (s)':<27}{f"{r1['time_to_sent_p50_s']} / {r1['time_to_sent_p99_s']}":<{w}}{f"{r2['time_to_sent_p50_s']} / {r2['time_to_sent_p99_s']}":<{w}}{'-':<{w}}
{'SMTP per message mean (ms)':<27}{sub1[0] + ' (max ' + sub1[1] + ')':<{w}}{sub2[0] + ' (max ' + sub2[1] + ')':<{w}}{f"p50 {peer['per_msg_p50_ms']} p99 {peer['per_msg_p99_ms']}":<{w}}
{'service peak RSS (VmHWM)':<27}{str(rss1) + ' MB':<{w}}{str(rss2) + ' MB':<{w}}{'-':<{w}}
exactly-once               {ok(once['ok'])}: {once['items']} items sent; each Message-ID once in the spool, in Sent Items and in u0001's INBOX (not: {once['bad']}); duplicates in the spool: {once['spool_dups']}
failure cases              {ok(fail_ok)}""")
for l in fail_lines:
    print(f"  {l}")
if large.get("skipped"):
    print("large message              skipped (--large-mb 0)")
else:
    sp, om, ob = large["spool"], large["over_message_size"], large["over_body_size"]
    print(f"{'large message (' + str(large['mb']) + ' MB)':<27}{ok(large_ok)}: {large['request_bytes'] / 1048576:.1f} MB JSON -> "
          f"HTTP {large['post_status']} in {large['post_s']:.2f} s; sent {large['sent_after_post_s']} s after the 202 "
          f"(sentAt - createdAt {large['sent_minus_created_s']} s)")
    print(f"  spool                    {sp.get('spool_copies')} cop{'y' if sp.get('spool_copies') == 1 else 'ies'}, "
          f"{sp.get('spool_bytes')} bytes (item size {sp.get('item_size')}; {'about right' if sp.get('size_ok') else 'WRONG'}), "
          f"attachment of {sp.get('attachment_bytes')} bytes: sha256 {'= the posted bytes' if sp.get('sha256_ok') else 'DIFFERS'} "
          f"({ok(sp.get('ok'))})")
    print(f"  service memory           peak RSS (VmHWM) {large['peak_rss_before_mb']} MB before, {large['peak_rss_after_mb']} MB "
          f"after ({large['peak_rss_after_limits_mb']} MB after the limit checks); heap used {large['heap_used_before_mb']} MB "
          f"before, {large['heap_used_after_gc_mb']} MB after GC.run")
    print(f"  over max-message-size    {ok(om['ok'])}: 19 MB attachment -> HTTP {om['status']} {om['content_type'] or '(no content type)'}"
          + (f", {om['code']}, attachments: {om['message']!r}" if om['message'] else f": {om['body']!r}"))
    print(f"  over max-body-size       HTTP {ob['status']} {ob['content_type'] or '(no content type)'}, body {ob['body']!r} "
          f"({ob['request_bytes'] / 1048576:.1f} MB JSON; {'413 as expected' if ob['status'] == 413 else 'expected 413'}; not counted)")
    ne = ob["without_expect_100_continue"]
    print(f"    without Expect: 100-c  HTTP {ne['status']} {ne['content_type'] or '(no content type)'}, body {ne['body']!r}, "
          f"after {ne['time_s']} s, curl exit {ne['curl_rc']}" + (f" ({ne['curl_error'].strip()})" if ne['curl_error'] else ""))
print(f"""crash                      {ok(crash_ok)}: {crash_n} items, lease 15 s; at the kill: {at_kill.strip()} (database), {at_kill_spool} in the spool
  after the restart        all {conce['items'] - conce['not_sent']}/{conce['items']} sent {crash_wait} s after the service was ready; reconciled found={found:g} absent={absent:g} ({ok(recon_ok)}: = the items left sending)
  exactly once             spool/Sent Items/INBOX not once: {conce['bad']}; service peak RSS after the restart {rss4} MB
result                     {'ALL OK' if all_ok else 'SOME CHECKS FAILED'}""")
rec = {"peer": "mailsync-send", "version": version,
       "at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "messages": r1["count"],
       "avg_bytes": once["avg_spool_bytes"], "post_parallel": post_par, "java_opts": java_opts,
       "runs": [{**r1, "concurrency": conc, "smtp_mean_ms": float(sub1[0]), "max_rss_mb": rss1},
                {**r2, "concurrency": 2, "smtp_mean_ms": float(sub2[0]), "max_rss_mb": rss2}],
       "smtplib_one_connection": peer, "exactly_once": once, "failure_cases_ok": fail_ok, "failure_cases": fail_lines,
       "crash": {"items": crash_n, "at_kill_db": at_kill.strip(), "at_kill_spool": at_kill_spool,
                 "reconciled_found": found, "reconciled_absent": absent, "settled_after_restart_s": crash_wait,
                 "exactly_once": conce, "ok": crash_ok},
       "large_message": large if large.get("skipped") else {**large, "ok": large_ok}, "all_ok": all_ok}
with open(out, "a") as fh:
    fh.write(json.dumps(rec) + "\n")
print(f"(appended to {out})")
sys.exit(0 if all_ok else 3)
PY
[[ $SUMMARY_RC == 0 ]] || { [[ $SUMMARY_RC == 3 ]] && say "some checks failed (see above)"; exit 1; }
