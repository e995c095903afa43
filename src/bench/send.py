#!/usr/bin/env python3
"""The client side of send.sh (python3 standard library only): POSTs, polling, the smtplib peer, the checks and
the report. send.sh drives the rig (servers, database, the service, kill -9) and calls one subcommand per phase:

  post, wait, wait-item                 POST send requests, poll the outbox until they settle
  initial-sync, sync-pass, dl-sync       wait for sync passes (and the download message to be listed)
  peer                                   the same messages over one smtplib connection
  once, spooled, wait-spool, kill-on-spool   the exactly-once check and the crash's timing on the spool
  expect, problem, large-verify, dl-check    the checks of one failure case, size limit, large message, download
  expect-throttled, graph-summary        the Graph run (--transport graph): its 429 check and its report
  large-body, dl-message                 build the large request and the download message
  metrics, metric, smtp-timing, heap, smtplog   figures from the service and the rig
  large-summary, download-summary, summary      the JSON records and the final report

Arguments are positional, in the order `send.py COMMAND -h` lists them. A check that does not hold exits 3
(the shell tells it from an error, exit 1). Each subcommand is the function cmd_<name> below.
"""
import base64, datetime, http.client, json, os, random, re, smtplib, socket, ssl, sys, threading, time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from email.utils import make_msgid

from benchcli import run

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
    """Every item sent; each Message-ID exactly once in the spool (- : no spool, as with Graph), the sender's Sent
    Items, the recipient's INBOX."""
    items = [it for f in itemfiles for it in json.load(open(f))["items"]]
    where = {"spool": message_ids([spool]) if spool != "-" else None,
             "Sent Items": message_ids([os.path.join(sent_dir, "cur"), os.path.join(sent_dir, "new")]),
             "INBOX": message_ids([os.path.join(inbox_dir, "cur"), os.path.join(inbox_dir, "new")])}
    if where["spool"] is None:
        del where["spool"]
    not_sent = [it for it in items if it["state"] != "sent"]
    bad, sizes = {k: [] for k in where}, []
    for it in items:
        mid = (it.get("messageId") or "").strip("<>")
        for k, ids in where.items():
            n = len(ids.get(mid, []))
            if n != 1:
                bad[k].append((it["id"], mid, n))
        sizes += [s for _, s in where.get("spool", where["INBOX"]).get(mid, [])[:1]]
    dup_spool = sum(1 for k, v in where.get("spool", {}).items() if k and len(v) > 1)
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
    """How many files the spool holds."""
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
    """The one item of a failure case has this state, lastError.code (- for none) and attempts? Exit 3 if not."""
    it = json.load(open(itemsfile))["items"][0]
    code = (it.get("lastError") or {}).get("code") or "-"
    ok = it["state"] == want_state and code == want_code and str(it["attempts"]) == want_attempts
    msg = (it.get("lastError") or {}).get("message") or ""
    print(f"state {it['state']}, attempts {it['attempts']}, lastError.code {code}"
          + (f" ({msg[:150]})" if msg else "") + f" -> {'OK' if ok else 'FAIL'} (expected {want_state}, "
          f"attempts {want_attempts}, code {want_code})")
    sys.exit(0 if ok else 3)

def cmd_expect_throttled(itemsfile, retry_after):
    """The throttled item: sent at attempt 2, no sooner than retry_after s after it was accepted? Exit 3 if not."""
    it = json.load(open(itemsfile))["items"][0]
    took = ts(it["sentAt"]) - ts(it["createdAt"]) if it.get("sentAt") else None
    ok = it["state"] == "sent" and it["attempts"] == 2 and took is not None and took >= float(retry_after) \
        and it.get("transport") == "graph"
    print(f"state {it['state']}, transport {it.get('transport')}, attempts {it['attempts']}, accepted -> sent "
          f"{took if took is None else round(took, 2)} s -> {'OK' if ok else 'FAIL'} (expected sent through graph at "
          f"attempt 2, >= {retry_after} s)")
    sys.exit(0 if ok else 3)

def cmd_graph_summary(run, once, throttled_rc, throttled, conc, cpu0, cpu1, wall, machine, stats, rss, out, version,
                      java_opts, post_par):
    """The Graph run's report and its JSON line appended to `out`; exit 3 unless every check passed."""
    r, once, stats = json.loads(run), json.loads(once), json.loads(stats)
    cpu = float(cpu1) - float(cpu0)
    ok = once["ok"] and throttled_rc == "0" and r["states"] == {"sent": r["count"]}
    print(f"""
==== mailsync sending through Microsoft Graph (rig: graph-fake, MIME sendMail; PostgreSQL 15; {version}; JAVA_OPTS {java_opts})
machine                    {machine} (shared with other work: figures are upper bounds of the cost)
messages                   {r['count']} to u0001@example.com, ~{once['avg_spool_bytes'] / 1024:.1f} KB each as delivered; {post_par} parallel POSTs; outbox concurrency {conc}
throughput                 {r['msgs_per_s']} msgs/s (all sent {r['all_sent_s']} s after the first POST)
accepted -> sent           p50 {r['time_to_sent_p50_s']} s, p99 {r['time_to_sent_p99_s']} s, max {r['time_to_sent_max_s']} s
POST latency               p50 {r['post_p50_ms']} ms, p99 {r['post_p99_ms']} ms
service CPU                {cpu:.1f} s over {wall} s ({1000 * cpu / max(r['count'], 1):.1f} ms per message); peak RSS {rss} MB
graph-fake                 {json.dumps(stats)}
exactly once               {'OK' if once['ok'] else 'FAIL'}: each Message-ID once in Sent Items and in u0001's INBOX (not: {once['bad']})
429 Retry-After            {throttled}
result                     {'ALL OK' if ok else 'SOME CHECKS FAILED'}""")
    rec = {"peer": "mailsync-send-graph", "version": version,
           "at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "machine": machine,
           "concurrency": int(conc), "run": r, "cpu_s": round(cpu, 1), "wall_s": float(wall), "peak_rss_mb": int(rss),
           "graph_fake": stats, "exactly_once": once, "throttled": throttled, "all_ok": ok}
    with open(out, "a") as fh:
        fh.write(json.dumps(rec) + "\n")
    print(f"(appended to {out})")
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

DL_FILENAME = 'big-ü "test".bin'

def cmd_dl_message(out, mib, sender, rcpt, subject):
    """An RFC 5322 message (CRLF) from sender to rcpt: a short text part and ONE attachment of mib MiB random bytes,
    application/octet-stream, filename as RFC 2231 filename*=UTF-8''..., base64 in 76-character lines."""
    import email.utils, hashlib
    data = os.urandom(int(mib) * MIB)
    boundary = "=_download_" + os.urandom(12).hex()
    fname = "UTF-8''" + urllib.parse.quote(DL_FILENAME, safe="")
    mid = email.utils.make_msgid(domain="download.bench.example.com")
    head = "\r\n".join([
        f"From: Someone <{sender}>", f"To: Bench <{rcpt}>", f"Subject: {subject}",
        f"Date: {email.utils.formatdate(localtime=True)}", f"Message-ID: {mid}", "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{boundary}"', "",
        "This is a multi-part message in MIME format.", "",
        f"--{boundary}", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 7bit", "",
        f"{subject}: one attachment of {len(data)} random bytes.", "",
        f"--{boundary}", "Content-Type: application/octet-stream",
        f"Content-Disposition: attachment; filename*={fname}", "Content-Transfer-Encoding: base64", "", ""])
    body = base64.encodebytes(data).replace(b"\n", b"\r\n")  # 76 characters a line, the last line ends with CRLF
    with open(out, "wb") as fh:
        fh.write(head.encode("ascii")); fh.write(body); fh.write(f"--{boundary}--\r\n".encode("ascii"))
    print(json.dumps({"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), "message_bytes": os.path.getsize(out),
                      "message_id": mid.strip("<>"), "disposition_filename": fname}))

def cmd_sync_pass(base, token, mailbox, timeout, pid):
    """POST .../sync (202), then waits until a pass that finished after the POST is reported; prints its figures."""
    api, root = Api(base, token), f"/api/v1/mailboxes/{mailbox}/sync"
    before = {f["name"]: f["messages"] for f in api.get_json(root).get("folders") or []}
    t0 = time.time()
    st, data = api.call("POST", root)
    if st != 202:
        raise SystemExit(f"POST {root}: HTTP {st} {data[:300]!r}")
    while True:
        if not os.path.exists(f"/proc/{pid}"):
            raise SystemExit("the service process is gone")
        s = api.get_json(root)
        if s.get("state") in ("error", "reauth_required"):
            raise SystemExit(f"sync state {s['state']}: {json.dumps(s.get('lastError'))}")
        if s.get("state") == "idle" and s.get("lastFinishedAt") and ts(s["lastFinishedAt"]) >= t0:
            break
        if time.time() - t0 > float(timeout):
            raise SystemExit(f"no pass finished within {timeout} s: {json.dumps(s)}")
        time.sleep(0.1)
    after = {f["name"]: f["messages"] for f in s.get("folders") or []}
    print(json.dumps({"seconds": round(time.time() - t0, 3), "new": {k: v - before.get(k, 0) for k, v in after.items()
                                                                    if v != before.get(k, 0)}, "folders": after}))

def cmd_dl_sync(base, token, mailbox, subject, word, timeout, pid):
    """POST .../sync (202) and polls the INBOX listing (and ?q=word) until the message with this subject is listed,
    the pass is over and the message is searchable (or 60 s after it was listed); then reads its detail."""
    api, root = Api(base, token), f"/api/v1/mailboxes/{mailbox}"
    r = {"post_status": None, "listed_s": None, "searchable_s": None, "pass_done_s": None, "pass_state": None,
         "id": None, "detail": None}
    t0 = time.time()
    st, data = api.call("POST", root + "/sync")
    r["post_status"] = st
    if st != 202:
        r["post_body"] = data[:300].decode(errors="replace")
        print(json.dumps(r)); sys.exit(3)
    q, last = urllib.parse.quote(word), t0
    while True:
        if not os.path.exists(f"/proc/{pid}"):
            raise SystemExit("the service process is gone")
        if r["listed_s"] is None:
            hit = [m for m in api.get_json(root + "/messages?folder=INBOX&limit=20")["items"] if m.get("subject") == subject]
            if hit:
                r["listed_s"], r["id"], r["listed"] = round(time.time() - t0, 3), hit[0]["id"], hit[0]
        if r["searchable_s"] is None:
            if any(m.get("subject") == subject for m in api.get_json(root + f"/messages?q={q}&limit=10")["items"]):
                r["searchable_s"] = round(time.time() - t0, 3)
        if r["pass_done_s"] is None:
            s = api.get_json(root + "/sync")
            if s.get("state") in ("error", "reauth_required"):
                r["pass_state"], r["pass_error"] = s["state"], s.get("lastError")
                break
            if s.get("state") == "idle" and s.get("lastFinishedAt") and ts(s["lastFinishedAt"]) >= t0:
                r["pass_done_s"], r["pass_state"] = round(time.time() - t0, 3), "idle"
        t = time.time()
        if r["listed_s"] is not None and r["pass_done_s"] is not None and (
                r["searchable_s"] is not None or t - t0 - r["listed_s"] > 60):
            break
        if t - t0 > float(timeout):
            r["timeout"] = True
            break
        if t - last >= 5:
            log(f"  {t - t0:6.1f} s  listed: {r['listed_s'] is not None}, searchable: {r['searchable_s'] is not None}, "
                f"pass done: {r['pass_done_s'] is not None}")
            last = t
        time.sleep(0.1)
    if r["id"] is not None:
        r["detail"] = api.get_json(root + f"/messages/{r['id']}")
    print(json.dumps(r))
    sys.exit(0 if r["listed_s"] is not None else 3)

def cmd_dl_check(out_file, want_bytes, sha, curl_out, want_disposition):
    """A downloaded attachment: curl exit 0, HTTP 200, Content-Length and bytes = want_bytes, the Content-Disposition
    names want_disposition, sha256 = the generated bytes."""
    import hashlib
    rc, code, secs, size = (open(curl_out).read().split() + ["", "", "", ""])[:4]
    hdrs = {}
    if os.path.exists(out_file + ".headers"):
        for line in open(out_file + ".headers", "rb").read().decode("latin-1").splitlines():
            if line.startswith("HTTP/"):
                hdrs = {}
            elif ":" in line:
                k, v = line.split(":", 1)
                hdrs[k.strip().lower()] = v.strip()
    h = hashlib.sha256()
    n = 0
    if os.path.exists(out_file):
        with open(out_file, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk); n += len(chunk)
    cd = hdrs.get("content-disposition", "")
    r = {"curl_rc": int(rc) if rc.lstrip("-").isdigit() else rc, "status": int(code) if code.isdigit() else code,
         "seconds": float(secs) if secs else None, "bytes": n, "content_length": hdrs.get("content-length"),
         "content_type": hdrs.get("content-type"), "content_disposition": cd,
         "status_ok": code == "200" and rc == "0",
         "size_ok": hdrs.get("content-length") in (None, str(want_bytes)) and n == int(want_bytes),
         "disposition_ok": want_disposition in cd, "sha256_ok": h.hexdigest() == sha}
    if not r["status_ok"]:
        err = open(out_file + ".stderr").read().strip() if os.path.exists(out_file + ".stderr") else ""
        r["error"] = (err + " " + (open(out_file, "rb").read(300).decode(errors="replace") if n < 4096 else "")).strip()
    r["ok"] = r["status_ok"] and r["size_ok"] and r["disposition_ok"] and r["sha256_ok"]
    print(json.dumps(r))
    sys.exit(0 if r["ok"] else 3)

def cmd_initial_sync(url, token):
    """Waits (at most 120 s) until the connect's initial sync pass is over: state idle with a lastFinishedAt."""
    import urllib.request
    end = time.time() + 120
    while True:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": "Bearer " + token}),
                                    timeout=10) as r:
            st = json.load(r)
        if st.get("state") in ("error", "reauth_required"):
            sys.exit(f"sync state {st.get('state')}: {json.dumps(st.get('lastError'))}")
        if st.get("state") == "idle" and st.get("lastFinishedAt"):
            break
        if time.time() > end:
            sys.exit("timeout: " + json.dumps(st))
        time.sleep(0.2)

def cmd_metric(metrics, series):
    """One series of a `metrics` answer (0 when absent)."""
    print("%g" % json.loads(metrics).get(series, 0))

def cmd_smtp_timing(metrics):
    """Mean and max SMTP submission time in ms from a `metrics` answer: "MEAN MAX"."""
    m = json.loads(metrics)
    c = m.get("mailsync_smtp_submission_duration_seconds_count", 0)
    print("%.0f %.0f" % (1000 * m.get("mailsync_smtp_submission_duration_seconds_sum", 0) / max(c, 1),
                         1000 * m.get("mailsync_smtp_submission_duration_seconds_max", 0)))

def cmd_request_mb(body):
    """The size of a `large-body` request in MB (MiB)."""
    print("%.1f" % (json.loads(body)["body_bytes"] / 1048576))

def cmd_item_line(item):
    """One line on a `wait-item` answer."""
    print("state %(state)s, attempts %(attempts)s, size %(size)s bytes; seen %(state)s %(seen_after_post_s)s s after "
          "the 202 (sentAt - createdAt %(sent_minus_created_s)s s)" % json.loads(item))

def cmd_sent_after(item):
    """Seconds from the 202 until a `wait-item` answer was seen settled; "-" without an item (null)."""
    i = json.loads(item)
    print(i["seen_after_post_s"] if i else "-")

def cmd_problem_line(problem):
    """What a `problem` answer says about the attachments."""
    p = json.loads(problem)
    print("errors[].field attachments: " + repr(p["message"]) if p["message"] else "no error on attachments: "
          + repr(p["body"]))

def cmd_large_summary(mb, body, post_rc, post_code, post_s, item, verify, rss_before, rss_after, heap_before,
                      heap_after_gc, problem_over_message, over_message_s, over_body_rc, over_body_code,
                      over_body_ctype, over_body_body, over_body_request, rss_after_limits, step_s, over_body_s,
                      no_expect_rc, no_expect_code, no_expect_ctype, no_expect_body, no_expect_s, no_expect_error):
    """The large-message step as one JSON object."""
    item, verify, body = json.loads(item), json.loads(verify), json.loads(body)
    status = lambda v: int(v) if v.isdigit() else v
    print(json.dumps({
        "mb": int(mb), "raw_bytes": body["raw_bytes"], "request_bytes": body["body_bytes"],
        "post_status": status(post_code), "post_curl_rc": int(post_rc), "post_s": float(post_s),
        "state": item["state"] if item else None, "size": item["size"] if item else None,
        "sent_after_post_s": item["seen_after_post_s"] if item else None,
        "sent_minus_created_s": item["sent_minus_created_s"] if item else None, "spool": verify,
        "peak_rss_before_mb": int(rss_before), "peak_rss_after_mb": int(rss_after),
        "heap_used_before_mb": int(heap_before), "heap_used_after_gc_mb": int(heap_after_gc),
        "peak_rss_after_limits_mb": int(rss_after_limits),
        "over_message_size": {**json.loads(problem_over_message), "time_s": float(over_message_s)},
        "over_body_size": {"status": status(over_body_code), "content_type": over_body_ctype, "body": over_body_body,
                           "curl_rc": int(over_body_rc), "time_s": float(over_body_s),
                           "request_bytes": json.loads(over_body_request)["body_bytes"],
                           "without_expect_100_continue": {"status": status(no_expect_code),
                                                           "content_type": no_expect_ctype, "body": no_expect_body,
                                                           "time_s": float(no_expect_s),
                                                           "curl_rc": int(no_expect_rc),
                                                           "curl_error": no_expect_error}},
        "step_s": float(step_s)}))

def cmd_catchup_line(catchup):
    """One line on a `sync-pass` answer."""
    c = json.loads(catchup)
    print("%.2f s, new: %s" % (c["seconds"], json.dumps(c["new"])))

def cmd_random_word():
    """A random 14-letter word (the download message's subject, searched for)."""
    import secrets, string
    print("".join(secrets.choice(string.ascii_lowercase) for _ in range(14)))

def cmd_message_line(gen):
    """One line on a `dl-message` answer."""
    g = json.loads(gen)
    print("%d MB attachment, %.1f MB message" % (g["bytes"] / 1048576, g["message_bytes"] / 1048576))

def cmd_dl_sync_fields(sync):
    """From a `dl-sync` answer: LISTED_S SEARCH_S PASS_S URL SIZE and a line on the detail's attachments."""
    r = json.loads(sync); d = r.get("detail") or {}; a = (d.get("attachments") or [{}])
    a0 = a[0] if a else {}
    print(r["listed_s"], r["searchable_s"], r["pass_done_s"], a0.get("url") or "-", a0.get("size"),
          "%d attachment(s), [0]: %r %s, size %s, url %s" % (len(d.get("attachments") or []), a0.get("filename"),
                                                              a0.get("contentType"), a0.get("size"), a0.get("url")))

def cmd_dl_line(check):
    """One line on a `dl-check` answer."""
    c = json.loads(check)
    ok = lambda v: "ok" if v else "WRONG"
    print("HTTP %s in %s s, Content-Length %s (%s), %s bytes, sha256 %s, Content-Disposition %s -> %s%s" % (
        c["status"], c["seconds"], c["content_length"], ok(c["size_ok"]), c["bytes"],
        "= the generated bytes" if c["sha256_ok"] else "DIFFERS", ok(c["disposition_ok"]), "OK" if c["ok"] else "FAIL",
        (" (" + c["error"][:300] + ")") if c.get("error") else ""))

def cmd_download_summary(mb, gen, save_s, catchup, sync, one, par, par_s, peak_rss_before, rss_before,
                         peak_rss_sync, rss_after_sync, peak_rss_downloads, rss_after_downloads, heap_before,
                         heap_after_sync, heap_after_one, heap_after_downloads, hwm_reset, tmp_left, log_warnings,
                         step_s, heap_sampled_sync, heap_sampled_one, heap_sampled_par):
    """The attachment-download step as one JSON object."""
    gen, catchup, sync, one, par = (json.loads(x) for x in (gen, catchup, sync, one, par))
    det = (sync.get("detail") or {}).get("attachments") or [{}]
    mb = int(mb)
    secs = one["seconds"] if one else None
    r = {"mb": mb, "attachment_bytes": gen["bytes"], "message_bytes": gen["message_bytes"],
         "doveadm_save_s": float(save_s),
         "catchup_pass": {"seconds": catchup["seconds"], "new": catchup["new"]},
         "sync_post_status": sync["post_status"], "listed_after_s": sync["listed_s"],
         "pass_done_after_s": sync["pass_done_s"],
         "searchable_after_s": sync["searchable_s"], "listed_size": (sync.get("listed") or {}).get("size"),
         "detail_attachments": len((sync.get("detail") or {}).get("attachments") or []),
         "detail_filename": det[0].get("filename"), "detail_size": det[0].get("size"),
         "detail_content_type": det[0].get("contentType"),
         "download": one, "download_s": secs, "download_mb_per_s": round(mb / secs, 1) if secs else None,
         "parallel": par, "parallel_wall_s": float(par_s),
         "peak_rss_before_mb": int(peak_rss_before), "rss_before_mb": int(rss_before),
         "peak_rss_sync_mb": int(peak_rss_sync), "rss_after_sync_mb": int(rss_after_sync),
         "peak_rss_downloads_mb": int(peak_rss_downloads), "rss_after_downloads_mb": int(rss_after_downloads),
         "peak_rss_per_phase": hwm_reset == "1",
         "heap_used_before_mb": int(heap_before), "heap_after_gc_sync_mb": int(heap_after_sync),
         "heap_after_gc_one_download_mb": int(heap_after_one),
         "heap_after_gc_downloads_mb": int(heap_after_downloads), "tmp_files_left": int(tmp_left),
         "service_log_warnings": int(log_warnings), "step_s": float(step_s)}
    num = lambda v: int(v) if v.isdigit() else None
    for k, v in zip(("sync", "one_download", "parallel_downloads"),
                    (heap_sampled_sync, heap_sampled_one, heap_sampled_par)):
        peak, young, full = (v.split() + ["-", "-", "-"])[:3]
        r[f"heap_sampled_{k}"] = {"peak_used_mb": num(peak), "young_gcs": num(young), "full_gcs": num(full)}
    r["checks"] = {"listed": sync["listed_s"] is not None,
                   "download": bool(one and one["ok"]), "parallel": len(par) == 3 and all(p["ok"] for p in par)}
    print(json.dumps(r))

def cmd_download_line(download):
    """One line on a `download-summary` answer."""
    r = json.loads(download)
    ph = "during" if r["peak_rss_per_phase"] else "after (cumulative)"
    f = lambda v, fmt="%.2f": (fmt % v) if v is not None else "-"
    print("download: %d MiB attachment, sync showed it after %s s, download %s s (%s MB/s), 3 parallel %s s; "
          "peak RSS %d MB before / %d MB %s sync / %d MB %s downloads; heap after GC %d MB (before %d MB used, after "
          "the sync %d MB, after one download %d MB); heap used sampled every 50 ms, peak: %s MB sync / %s MB one GET "
          "/ %s MB 3 parallel" % (
              r["mb"], f(r["listed_after_s"]), f(r["download_s"], "%.3f"), f(r["download_mb_per_s"], "%.1f"),
              f(r["parallel_wall_s"], "%.3f"), r["peak_rss_before_mb"], r["peak_rss_sync_mb"], ph,
              r["peak_rss_downloads_mb"], ph, r["heap_after_gc_downloads_mb"], r["heap_used_before_mb"],
              r["heap_after_gc_sync_mb"], r["heap_after_gc_one_download_mb"],
              r["heap_sampled_sync"]["peak_used_mb"], r["heap_sampled_one_download"]["peak_used_mb"],
              r["heap_sampled_parallel_downloads"]["peak_used_mb"]))

def cmd_recon_ok(found, absent, left_sending):
    """1 when the reconciled items (found + absent) are the items the kill left in sending, else 0."""
    print(1 if int(float(found)) + int(float(absent)) == int(left_sending) else 0)

def cmd_summary(run1, run2, peer, once, crash_once, fail_ok, fail_lines, conc, sub1, sub2, rss1, rss2, rss4,
                at_kill, at_kill_spool, found, absent, crash_wait, recon_ok, out, version, java_opts, post_par,
                crash_n, large, large_ok, dl, dl_ok):
    """The report: a table of the figures and every check, and one JSON line appended to `out`; exit 3 unless
    every check passed."""
    r1, r2, peer, once, conce = (json.loads(x) for x in (run1, run2, peer, once, crash_once))
    fail_ok, fail_lines, conc = fail_ok == "1", fail_lines.splitlines(), int(conc)
    sub1, sub2 = sub1.split(), sub2.split()
    rss1, rss2, rss4 = int(rss1), int(rss2), int(rss4)
    at_kill_spool, found, absent, crash_wait = int(at_kill_spool), float(found), float(absent), float(crash_wait)
    recon_ok, post_par, crash_n = recon_ok == "1", int(post_par), int(crash_n)
    large, large_ok = json.loads(large), large_ok == "1"
    dl, dl_ok = json.loads(dl), dl_ok == "1"
    ok = lambda c: "OK" if c else "FAIL"
    crash_ok = conce["ok"] and recon_ok
    all_ok = once["ok"] and fail_ok and crash_ok and large_ok and dl_ok and all(r["states"] == {"sent": r["count"]} for r in (r1, r2))
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
    if dl.get("skipped"):
        print("attachment download        skipped (--download-mb 0)")
    else:
        one, par = dl["download"] or {}, dl["parallel"]
        ph = "during" if dl["peak_rss_per_phase"] else "after"
        print(f"{'attachment download (' + str(dl['mb']) + ' MB)':<26} {ok(dl_ok)}: {dl['message_bytes'] / 1048576:.1f} MB message "
              f"put into INBOX by doveadm save; listed {dl['listed_after_s']} s after POST .../sync (pass over after "
              f"{dl['pass_done_after_s']} s, searchable after {dl['searchable_after_s']} s); catch-up pass before it "
              f"{dl['catchup_pass']['seconds']} s")
        print(f"  detail                   {dl['detail_attachments']} attachment(s), {dl['detail_filename']!r} "
              f"{dl['detail_content_type']}, size {dl['detail_size']} (actual {dl['attachment_bytes']})")
        print(f"  one GET                  " + (f"{ok(one.get('ok'))}: HTTP {one.get('status')}, {one.get('seconds')} s "
              f"({dl['download_mb_per_s']} MB/s), Content-Length {one.get('content_length')}, sha256 "
              f"{'ok' if one.get('sha256_ok') else 'DIFFERS'}, Content-Disposition {'ok' if one.get('disposition_ok') else 'WRONG'}"
              if one else "not done"))
        print(f"  3 parallel GETs          " + (f"{ok(dl['checks']['parallel'])}: all done after {dl['parallel_wall_s']} s; "
              + "; ".join(f"HTTP {p['status']} {p['seconds']} s{'' if p['ok'] else ' FAIL'}" for p in par) if par else "not done"))
        print(f"  service memory           peak RSS (VmHWM) {dl['peak_rss_before_mb']} MB before, {dl['peak_rss_sync_mb']} MB "
              f"{ph} the sync, {dl['peak_rss_downloads_mb']} MB {ph} the downloads; heap used {dl['heap_used_before_mb']} MB "
              f"before, after GC.run {dl['heap_after_gc_sync_mb']} MB (sync) / {dl['heap_after_gc_one_download_mb']} MB (one GET) / "
              f"{dl['heap_after_gc_downloads_mb']} MB (3 parallel); temporary files left {dl['tmp_files_left']}")
        hs = lambda k: dl[k]["peak_used_mb"]
        print(f"  heap used (jstat, 50 ms) peak {hs('heap_sampled_sync')} MB during the sync, {hs('heap_sampled_one_download')} MB "
              f"during one GET, {hs('heap_sampled_parallel_downloads')} MB during 3 parallel GETs (young/full GCs: "
              + ", ".join(f"{dl[k]['young_gcs']}/{dl[k]['full_gcs']}" for k in
                          ("heap_sampled_sync", "heap_sampled_one_download", "heap_sampled_parallel_downloads")) + ")")
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
           "large_message": large if large.get("skipped") else {**large, "ok": large_ok},
           "attachment_download": dl if dl.get("skipped") else {**dl, "ok": dl_ok}, "all_ok": all_ok}
    with open(out, "a") as fh:
        fh.write(json.dumps(rec) + "\n")
    print(f"(appended to {out})")
    sys.exit(0 if all_ok else 3)


if __name__ == "__main__":
    run(globals(), __doc__)
