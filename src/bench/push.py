#!/usr/bin/env python3
"""The client side of push.sh (python3 standard library and openssl only). push.sh drives the rig (imap-server with
many users, PostgreSQL, the service) and calls one subcommand per phase:

  machine     the machine and its load, one line (printed with every figure)
  tokens      bearer tokens for N app users bench-u0001.. (signed with src/dev's key, as token.sh does)
  connect     the real connect flow for N mailboxes at once (app user bench-uNNNN consents as uNNNN@example.com)
  wait-synced until the first pass of every mailbox has finished (PostgreSQL's mailbox_sync), sampling CPU and RSS
  rest        CPU seconds, RSS and threads of the service and PostgreSQL over a quiet window
  latency     APPEND to random INBOXes (imaplib, as the user) and poll the API until each message is listed
  shares      the watches per replica (mailbox_watch) and each replica's RSS and threads
  takeover    after a replica was SIGKILLed: until the survivor watches every mailbox and the dead one's leases are gone
  jfr-top     the hottest frames of a JDK Flight Recording's CPU samples

Arguments are positional, in the order `push.py COMMAND -h` lists them. CPU seconds are utime + stime from /proc
(the service: its process; PostgreSQL: the postmaster and its children, summed; with PUSH_DB set, as push.sh does,
only the backends of that database, so that other users of the same PostgreSQL do not count).
"""
import base64, concurrent.futures, http.client, imaplib, json, os, random, re, statistics, subprocess, sys, threading
import time, urllib.parse

from benchcli import run

TICK = os.sysconf("SC_CLK_TCK")
PG_DB = os.environ.get("PUSH_DB")


def machine_line():
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                 "?")
    load = open("/proc/loadavg").read().split()[:3]
    return f"{os.cpu_count()} cores ({model}), load {' '.join(load)}"


def cmd_machine():
    """nproc, the CPU model and the load averages."""
    print(machine_line())


# ---- /proc: CPU, RSS, threads

def proc_stat(pid, pss=False):
    """(cpu seconds, rss MB, threads) of one process, or None when it is gone. PSS instead of RSS with pss (PostgreSQL's
    processes share their buffers: summing their RSS would count them once per process)."""
    try:
        stat = open(f"/proc/{pid}/stat").read()
        status = open(f"/proc/{pid}/status").read()
        mem = open(f"/proc/{pid}/smaps_rollup").read() if pss else status
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    m = re.search(r"^Pss:\s+(\d+)" if pss else r"VmRSS:\s+(\d+)", mem, re.M)
    rss = int(m[1]) / 1024 if m else 0
    threads = int(re.search(r"Threads:\s+(\d+)", status)[1])
    return cpu, rss, threads


def children(pid, only=None):
    """The child processes of PID; with ONLY, those whose command line names it (PostgreSQL's backends show their
    database: "postgres: user db 127.0.0.1(port) idle")."""
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                st = open(f"/proc/{p}/stat").read()
                if only and f" {only} " not in open(f"/proc/{p}/cmdline", "rb").read().replace(b"\0", b" ").decode(
                        errors="replace"):
                    continue
            except OSError:
                continue
            if st[st.rindex(")") + 2:].split()[1] == str(pid):
                out.append(int(p))
    return out


class Usage:
    """CPU seconds (a per-PID running sum, so processes that come and go still count) and peak RSS/threads of the
    service and of PostgreSQL (postmaster + children), sampled by sample()."""

    def __init__(self, svc_pids, pg_pid):
        self.svc_pids, self.pg_pid = [int(p) for p in svc_pids], int(pg_pid)
        self.first, self.last = {}, {}
        self.peak = {"svc_rss_mb": 0, "svc_threads": 0, "pg_rss_mb": 0, "pg_procs": 0}
        self.now = {}
        self.sample()

    def sample(self):
        stats = {("svc", p): proc_stat(p) for p in self.svc_pids}
        # PUSH_DB (push.sh sets it): only the backends of the bench's database, for the PostgreSQL is shared
        stats.update({("pg", p): proc_stat(p, pss=True)
                      for p in ([] if PG_DB else [self.pg_pid]) + children(self.pg_pid, PG_DB)})
        stats = {k: s for k, s in stats.items() if s}
        for key, s in stats.items():
            self.first.setdefault(key, s[0])
            self.last[key] = s[0]
        svc = [s for k, s in stats.items() if k[0] == "svc"]
        pg = [s for k, s in stats.items() if k[0] == "pg"]
        self.now = {"svc_rss_mb": round(sum(s[1] for s in svc)), "svc_threads": sum(s[2] for s in svc),
                    "pg_rss_mb": round(sum(s[1] for s in pg)), "pg_procs": len(pg)}
        for k, v in self.now.items():
            self.peak[k] = max(self.peak[k], v)

    def cpu(self, kind):
        return round(sum(self.last[k] - self.first[k] for k in self.last if k[0] == kind), 1)

    def summary(self, seconds):
        return {"seconds": round(seconds, 1), "svc_cpu_s": self.cpu("svc"), "pg_cpu_s": self.cpu("pg"),
                **{"peak_" + k: v for k, v in self.peak.items()}, **{"end_" + k: v for k, v in self.now.items()}}


def cmd_rest(seconds, pg_pid, *svc_pids):
    """Samples the service(s) and PostgreSQL every second for SECONDS: one JSON line (CPU seconds, peak and final
    RSS and threads, the machine)."""
    u, t0 = Usage(svc_pids, pg_pid), time.time()
    while time.time() - t0 < float(seconds):
        time.sleep(1)
        u.sample()
    print(json.dumps({**u.summary(time.time() - t0), "machine": machine_line()}))


# ---- bearer tokens and the connect flow

def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def cmd_tokens(keyfile, n, out):
    """Bearer tokens for app users bench-u0001..bench-uN (RS256 with KEYFILE, 8 h), one per line into OUT."""
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    now, lines = int(time.time()), []
    def mint(i):
        payload = b64url(json.dumps({"iss": "https://mailsync.dev/local-issuer", "aud": "mailsync",
                                     "sub": f"bench-u{i:04d}", "groups": [], "iat": now,
                                     "exp": now + 8 * 3600}).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", keyfile], input=f"{header}.{payload}".encode(),
                             capture_output=True, check=True).stdout
        return f"{header}.{payload}.{b64url(sig)}"
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        lines = list(pool.map(mint, range(1, int(n) + 1)))
    with open(out, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def request(method, url, token=None, body=None, timeout=60):
    """One request without following redirects: (status, headers, body bytes)."""
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    headers = {"Authorization": "Bearer " + token} if token else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    try:
        c.request(method, u.path + ("?" + u.query if u.query else ""), body=body, headers=headers)
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        c.close()


def connect_one(base, callback, token, address):
    """POST .../connect/microsoft, authorize (the user picks ADDRESS: login_hint), our callback, POST .../complete.
    Returns the mailbox id."""
    s, _, b = request("POST", base + "/api/v1/mailboxes/connect/microsoft", token)
    if s != 200 and s != 201:
        raise RuntimeError(f"connect: HTTP {s} {b[:200]!r}")
    auth = json.loads(b)["authorizationUrl"] + "&login_hint=" + urllib.parse.quote(address)
    s, h, _ = request("GET", auth)
    location = h.get("Location") or h.get("location") or ""
    if s != 302 or not location.startswith(callback + "?") or "error=" in location:
        raise RuntimeError(f"authorize: {s} {location[:200]}")
    s, _, page = request("GET", location)
    m = re.search(rb'"connection":"([A-Za-z0-9_-]+)"', page)
    if not m:
        raise RuntimeError(f"callback: HTTP {s}, no connection in the page")
    s, _, b = request("POST", base + "/api/v1/mailboxes/connect/microsoft/complete", token,
                   {"connection": m[1].decode()})
    if s // 100 != 2:
        raise RuntimeError(f"complete: HTTP {s} {b[:200]!r}")
    return json.loads(b)["id"]


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))] if v else None


def cmd_connect(base, callback, tokens_file, n, parallel, out):
    """Connects N mailboxes (uNNNN@example.com by app user bench-uNNNN), PARALLEL flows at once; writes
    "index mailbox-id" lines to OUT and prints one JSON line: t0, t_end, wall_s, per-flow p50/p99/max, failures."""
    tokens = open(tokens_file).read().split()
    n = int(n)
    ids, times, errors = {}, [], []
    lock = threading.Lock()
    def one(i):
        t = time.time()
        try:
            mid = connect_one(base, callback, tokens[i - 1], f"u{i:04d}@example.com")
        except Exception as e:  # one failed flow is a figure, not the end of the run
            with lock:
                errors.append(f"u{i:04d}: {e}")
            return
        with lock:
            ids[i] = mid
            times.append(time.time() - t)
            if len(ids) % 250 == 0:
                print(f"  {len(ids)} connected, {time.time() - t0:.1f} s", file=sys.stderr, flush=True)
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(int(parallel)) as pool:
        list(pool.map(one, range(1, n + 1)))
    t_end = time.time()
    with open(out, "w") as fh:
        fh.writelines(f"{i} {ids[i]}\n" for i in sorted(ids))
    for e in errors[:5]:
        print("  connect failed: " + e, file=sys.stderr)
    print(json.dumps({"t0": t0, "t_end": t_end, "wall_s": round(t_end - t0, 1), "connected": len(ids),
                      "failed": len(errors), "flow_p50_s": round(pct(times, 50) or 0, 3),
                      "flow_p99_s": round(pct(times, 99) or 0, 3), "flow_max_s": round(max(times, default=0), 3),
                      "machine": machine_line()}))


# ---- the first sync

def psql(db, sql):
    r = subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-Atq", "-d", db, "-c", sql],
                       capture_output=True, text=True, cwd="/", check=True)
    return r.stdout.strip()


def metric(management, name):
    """One value of the service's Prometheus metrics (the first series named NAME), or None."""
    try:
        s, _, b = request("GET", management + "/q/metrics", timeout=5)
    except OSError:
        return None
    m = re.search(rb"^" + name.encode() + rb"(?:\{[^}]*\})? ([0-9.eE+-]+)$", b, re.M) if s == 200 else None
    return float(m[1]) if m else None


def metric_sum(management, name):
    """The sum of every series of the service's Prometheus metric NAME (e.g. a counter by outcome), or None."""
    try:
        s, _, b = request("GET", management + "/q/metrics", timeout=5)
    except OSError:
        return None
    found = re.findall(rb"^" + name.encode() + rb"(?:\{[^}]*\})? ([0-9.eE+-]+)$", b, re.M) if s == 200 else []
    return sum(float(v) for v in found) if found else None


def cmd_wait_synced(db, connect_file, timeout, management, pg_pid, *svc_pids):
    """Polls mailbox_sync every second, while `connect` runs and after it has written CONNECT_FILE, until every
    connected mailbox has had a successful pass (a failed one counts as done and is reported), sampling the
    service(s) and PostgreSQL. Prints one JSON line: seconds from the first connect and from the last, the passes'
    seconds, CPU and peak RSS/threads, errors by code."""
    u, start, last_print, connect, limits = Usage(svc_pids, pg_pid), time.time(), 0, None, []
    passes_before = metric_sum(management, "mailsync_sync_passes_total") or 0
    while True:
        row = psql(db, """select count(*) filter (where last_success_at is not null),
                                 count(*) filter (where last_success_at is null and last_error_code is not null),
                                 coalesce(extract(epoch from max(last_success_at)), 0)
                          from mailbox_sync""").split("|")
        ok, failed, last_done = int(row[0]), int(row[1]), float(row[2])
        u.sample()
        limit = metric(management, "mailsync_sync_concurrency_limit")
        if limit is not None:
            limits.append(int(limit))
        t = time.time()
        if connect is None and os.path.exists(connect_file) and os.path.getsize(connect_file) > 0:
            connect = json.loads(open(connect_file).read())
        if connect and ok + failed >= connect["connected"]:
            break
        if t - start > float(timeout):
            sys.exit(f"timeout after {timeout} s: {ok} synced, {failed} failed")
        if t - last_print >= 10:
            print(f"  {t - start:6.1f} s  {ok} synced, {failed} failed  service RSS {u.now['svc_rss_mb']} MB, "
                  f"{u.now['svc_threads']} threads, sync limit {limit}, load {open('/proc/loadavg').read().split()[0]}",
                  file=sys.stderr, flush=True)
            last_print = t
        time.sleep(1)
    errors = psql(db, "select coalesce(json_object_agg(c, k), '{}') from (select last_error_code c, count(*) k "
                      "from mailbox_sync where last_success_at is null group by 1) e")
    passes = psql(db, """select percentile_disc(0.5) within group (order by s), percentile_disc(0.99) within group
                           (order by s), max(s) from (select extract(epoch from last_success_at - last_started_at) s
                           from mailbox_sync where last_success_at is not null) p""").split("|")
    # each mailbox's first successful pass: its mailbox.sync event with firstSync (written as the pass ends), from
    # the moment it was connected (mailbox.created_at); the last of them ends the first sync of all (later passes
    # of a mailbox move last_success_at, not this)
    first = psql(db, """select percentile_disc(0.5) within group (order by s), percentile_disc(0.99) within group
                          (order by s), max(s), extract(epoch from max(t)) from (
                          select extract(epoch from e.created_at - m.created_at) s, e.created_at t from event e
                          join mailbox m on m.id = e.mailbox_id
                          where e.type = 'mailbox.sync' and e.data->>'firstSync' = 'true') f""").split("|")
    if first[3]:
        last_done = float(first[3])
    passes_after = metric_sum(management, "mailsync_sync_passes_total") or 0
    print(json.dumps({"synced": ok, "failed": failed, "errors": json.loads(errors),
                      "from_first_connect_s": round(last_done - connect["t0"], 1),
                      "from_last_connect_s": round(last_done - connect["t_end"], 1),
                      "connect_to_synced_p50_s": round(float(first[0] or 0), 1),
                      "connect_to_synced_p99_s": round(float(first[1] or 0), 1),
                      "connect_to_synced_max_s": round(float(first[2] or 0), 1),
                      "passes_r1": int(passes_after - passes_before),
                      "pass_p50_s": round(float(passes[0]), 2), "pass_p99_s": round(float(passes[1]), 2),
                      "pass_max_s": round(float(passes[2]), 2),
                      "limit_max": max(limits, default=None),
                      "limit_mean": round(statistics.mean(limits), 1) if limits else None,
                      **u.summary(time.time() - start), "machine": machine_line()}))


# ---- latency: APPEND -> listed

def append(imap_port, address, subject):
    msg = (f"From: Latency Probe <probe@example.net>\r\nTo: {address}\r\nSubject: {subject}\r\n"
           f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n"
           f"Message-ID: <{subject}@bench.example.net>\r\n\r\nNew mail for the latency probe.\r\n").encode()
    c = imaplib.IMAP4("127.0.0.1", int(imap_port))
    try:
        c.login(address, "benchpass")
        typ, _ = c.append("INBOX", None, None, msg)
        if typ != "OK":
            raise RuntimeError(f"APPEND to {address}: {typ}")
        return time.time()
    finally:
        c.logout()


def cmd_latency(base, tokens_file, ids_file, count, seed, imap_port, poll_s, timeout, label, held_file=None):
    """APPENDs one message to COUNT random INBOXes (SEED; one every 0.2 s), then polls GET .../messages?folder=INBOX
    of each every POLL_S seconds until it is listed. Prints one JSON line: p50/p99/max seconds from the APPEND's OK
    to the first poll that listed it (the poll period bounds the resolution), and the ones never seen. With
    HELD_FILE (mailbox ids, one a line: the watches of a killed replica) also how many picks were among them and
    their own figures."""
    tokens = open(tokens_file).read().split()
    ids = dict(line.split() for line in open(ids_file))
    picks = random.Random(int(seed)).sample(sorted(ids, key=int), int(count))
    held = set(open(held_file).read().split()) if held_file else None
    tag = f"{label}-{int(time.time())}"
    pending, seen, lock = {}, {}, threading.Lock()
    stop = threading.Event()

    def poller(i):
        subject = f"probe {tag} u{int(i):04d}"
        url = f"{base}/api/v1/mailboxes/{ids[i]}/messages?folder=INBOX&limit=5"
        while not stop.is_set():
            with lock:
                t_app = pending.get(i)
            if t_app is not None:
                s, _, b = request("GET", url, tokens[int(i) - 1], timeout=30)
                if s == 200 and subject.encode() in b:
                    with lock:
                        seen[i] = time.time() - t_app
                    return
            stop.wait(float(poll_s))

    with concurrent.futures.ThreadPoolExecutor(len(picks)) as pool:
        futures = [pool.submit(poller, i) for i in picks]
        for i in picks:
            t = append(imap_port, f"u{int(i):04d}@example.com", f"probe {tag} u{int(i):04d}")
            with lock:
                pending[i] = t
            time.sleep(0.2)
        deadline = time.time() + float(timeout)
        for f in futures:
            try:
                f.result(timeout=max(0.1, deadline - time.time()))
            except concurrent.futures.TimeoutError:
                break
        stop.set()
    lat = list(seen.values())
    figures = {"label": label, "appended": len(picks), "listed": len(lat), "missing": len(picks) - len(lat),
               "p50_s": round(pct(lat, 50), 2) if lat else None, "p99_s": round(pct(lat, 99), 2) if lat else None,
               "max_s": round(max(lat), 2) if lat else None, "poll_s": float(poll_s)}
    if held is not None:
        theirs = [i for i in picks if ids[i] in held]
        lat_theirs = [seen[i] for i in theirs if i in seen]
        figures.update({"of_dead": len(theirs), "of_dead_listed": len(lat_theirs),
                        "of_dead_p50_s": round(pct(lat_theirs, 50), 2) if lat_theirs else None,
                        "of_dead_max_s": round(max(lat_theirs), 2) if lat_theirs else None})
    print(json.dumps({**figures, "machine": machine_line()}))


# ---- two replicas: the shares, and a takeover after SIGKILL

def owners(db):
    """{replica name (the owner's host part, bench-r1..): live watch leases in IDLE} from mailbox_watch."""
    rows = psql(db, """select split_part(lease_owner, '/', 1), count(*) from mailbox_watch
                        where lease_until > now() and cardinality(folders) > 0 group by 1 order by 1""")
    return {r.split("|")[0]: int(r.split("|")[1]) for r in rows.splitlines() if r}


def cmd_shares(db, out, *svc_pids):
    """The watches in IDLE per replica (live leases in mailbox_watch), and each replica's RSS and threads (in the
    order of SVC_PIDS: bench-r1, bench-r2). One JSON line, printed and written to OUT."""
    rec = {"watching": owners(db), "replicas": []}
    for n, pid in enumerate(svc_pids, 1):
        s = proc_stat(pid)
        rec["replicas"].append({"name": f"bench-r{n}", "pid": int(pid), "rss_mb": round(s[1]) if s else None,
                                "threads": s[2] if s else None})
    rec["machine"] = machine_line()
    line = json.dumps(rec)
    open(out, "w").write(line + "\n")
    print(line)


def cmd_takeover(db, t_kill, survivor, dead, timeout, held_out, pg_pid, svc_pid):
    """After the replica DEAD was SIGKILLed at T_KILL (epoch seconds): writes the mailboxes it held to HELD_OUT, then
    polls mailbox_watch and mailbox_sync every 0.5 s until SURVIVOR has every watchable mailbox in IDLE and no lease
    of DEAD (watch or sync) is live any more. One JSON line: seconds from the kill to the first watch moved, to all
    watched, to the dead replica's last lease running out; the survivor's CPU, RSS and threads."""
    t_kill = float(t_kill)
    held = psql(db, f"select mailbox_id from mailbox_watch where split_part(lease_owner, '/', 1) = '{dead}'")
    open(held_out, "w").write(held + "\n")
    n_held = len(held.split())
    u, first_moved, all_watched, leases_gone, last_print = Usage([svc_pid], pg_pid), None, None, None, 0
    while True:
        row = psql(db, f"""select
              count(*) filter (where split_part(w.lease_owner, '/', 1) = '{survivor}' and w.lease_until > now()
                               and cardinality(w.folders) > 0),
              count(*) filter (where w.idle_supported is not false),
              count(*) filter (where split_part(w.lease_owner, '/', 1) = '{survivor}' and w.started_at > to_timestamp({t_kill})),
              count(*) filter (where split_part(w.lease_owner, '/', 1) = '{dead}' and w.lease_until > now()),
              (select count(*) from mailbox_sync s where split_part(s.lease_owner, '/', 1) = '{dead}'
                 and s.lease_until > now())
            from mailbox_watch w join mailbox m on m.id = w.mailbox_id and m.state = 'ACTIVE'""").split("|")
        watching, watchable, moved, dead_watch, dead_sync = (int(x) for x in row)
        u.sample()
        t = time.time() - t_kill
        if first_moved is None and moved > 0:
            first_moved = t
        if all_watched is None and watching >= watchable:
            all_watched = t
        if leases_gone is None and dead_watch == 0 and dead_sync == 0:
            leases_gone = t
        if all_watched is not None and leases_gone is not None:
            break
        if t > float(timeout):
            sys.exit(f"timeout after {timeout} s: {survivor} watches {watching} of {watchable}; {dead} still holds "
                     f"{dead_watch} watch and {dead_sync} sync leases")
        if t - last_print >= 5:
            print(f"  {t:6.1f} s  {survivor} watches {watching}/{watchable} ({moved} taken over); {dead} holds "
                  f"{dead_watch} watch, {dead_sync} sync leases; RSS {u.now['svc_rss_mb']} MB, "
                  f"load {open('/proc/loadavg').read().split()[0]}", file=sys.stderr, flush=True)
            last_print = t
        time.sleep(0.5)
    print(json.dumps({"held_by_dead": n_held, "watchable": watchable, "first_moved_s": round(first_moved or 0, 1),
                      "all_watched_s": round(all_watched, 1), "dead_leases_gone_s": round(leases_gone, 1),
                      **u.summary(time.time() - t_kill), "machine": machine_line()}))


# ---- the profile

def cmd_jfr_top(recording, n="25"):
    """The CPU samples (jdk.ExecutionSample) of a JFR recording: the N hottest top frames (self), the N hottest
    mailsync frames (the first dev.mailsync frame of each stack: where the application's own work went), the share
    by package of the top frame and by thread."""
    out = subprocess.run(["jfr", "print", "--stack-depth", "200", "--events", "jdk.ExecutionSample", recording],
                         capture_output=True, text=True, check=True).stdout
    top, app, pkg, thread, total = {}, {}, {}, {}, 0
    for event in out.split("jdk.ExecutionSample")[1:]:
        frames = re.findall(r"^\s+([\w$.<>]+)\(.*?\)\s+line:", event, re.M)
        if not frames:
            continue
        total += 1
        top[frames[0]] = top.get(frames[0], 0) + 1
        mine = next((f for f in frames if f.startswith("dev.mailsync.")), "(no mailsync frame)")
        app[mine] = app.get(mine, 0) + 1
        p = ".".join(frames[0].split(".")[:3])
        pkg[p] = pkg.get(p, 0) + 1
        m = re.search(r'sampledThread = "([^"]*?)[-\d ]*"', event)
        t = m[1] if m else "?"
        thread[t] = thread.get(t, 0) + 1
    def show(title, counts):
        print(f"{title} ({total} samples)")
        for name, k in sorted(counts.items(), key=lambda kv: -kv[1])[:int(n)]:
            print(f"  {100 * k / total:5.1f} %  {name}")
    show("top frames", top)
    show("first mailsync frame", app)
    show("top frame's package", pkg)
    show("thread (numbers dropped)", thread)


# ---- the figures

def cmd_report(outdir, label, java_opts, extra_env, out):
    """The figures of a run from OUTDIR's JSON files; one JSON line appended to OUT."""
    j = lambda name: json.load(open(os.path.join(outdir, name + ".json")))
    c, f, e, r, lat = j("connect"), j("first-sync"), j("rest-empty"), j("rest-full"), j("latency")
    two = os.path.exists(os.path.join(outdir, "takeover.json"))
    per_min = lambda x: (round(x["svc_cpu_s"] / x["seconds"] * 60, 1), round(x["pg_cpu_s"] / x["seconds"] * 60, 1))
    print(f"""
==== mailsync with {c['connected']} mailboxes ({label}; JAVA_OPTS {java_opts}; {extra_env or 'defaults'})
machine                      {machine_line()}
connect ({c['connected']} flows, {c['failed']} failed)  {c['wall_s']} s wall; one flow p50 {c['flow_p50_s']} s, p99 {c['flow_p99_s']} s
first sync of all            {f['from_first_connect_s']} s from the first connect, {f['from_last_connect_s']} s after the last ({f['synced']} synced, {f['failed']} failed {f['errors']}); one pass p50 {f['pass_p50_s']} s, p99 {f['pass_p99_s']} s; sync limit max {f.get('limit_max')}, mean {f.get('limit_mean')}
  each mailbox               connected -> first pass done p50 {f.get('connect_to_synced_p50_s')} s, p99 {f.get('connect_to_synced_p99_s')} s, max {f.get('connect_to_synced_max_s')} s; passes run {f.get('passes_r1')} (first replica) for {f['synced']} first syncs
  CPU per mailbox            {round((f['svc_cpu_s'] + f['pg_cpu_s']) / max(1, f['synced']), 3)} CPU s (service + PostgreSQL, connect flow included)
  during it                  service {f['svc_cpu_s']} CPU s, peak RSS {f['peak_svc_rss_mb']} MB, {f['peak_svc_threads']} threads; PostgreSQL {f['pg_cpu_s']} CPU s, {f['peak_pg_procs']} processes, {f['peak_pg_rss_mb']} MB (PSS, summed)
  load then                  {f['machine']}
at rest, no mailboxes        service RSS {e['end_svc_rss_mb']} MB, {e['end_svc_threads']} threads, {per_min(e)[0]} CPU s/min; PostgreSQL {per_min(e)[1]} CPU s/min
at rest, {c['connected']} mailboxes    service RSS {r['end_svc_rss_mb']} MB (peak {r['peak_svc_rss_mb']}), {r['end_svc_threads']} threads, {per_min(r)[0]} CPU s/min; PostgreSQL {per_min(r)[1]} CPU s/min, {r['end_pg_procs']} processes
new mail listed (APPEND ->)  p50 {lat['p50_s']} s, p99 {lat['p99_s']} s, max {lat['max_s']} s ({lat['listed']}/{lat['appended']} listed, polled every {lat['poll_s']} s)
  load then                  {lat['machine']}""")
    target = lambda x: "PASS" if x["missing"] == 0 and x["p99_s"] is not None and x["p99_s"] <= 5 else "FAIL"
    print(f"target new mail p99 <= 5 s  {target(lat)}")
    rec = {"bench": "push", "label": label,
           "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "java_opts": java_opts, "env": extra_env,
           "connect": c, "first_sync": f, "rest_empty": e, "rest_full": r, "latency": lat}
    if two:
        sh, k, after = j("shares-before-kill"), j("takeover"), j("latency-after-kill")
        rss = ", ".join(f"{x['name']} {x['rss_mb']} MB / {x['threads']} threads" for x in sh["replicas"])
        print(f"""two replicas, watches in IDLE  {sh['watching']}; RSS {rss}
SIGKILL of bench-r2          it held {k['held_by_dead']} watches; first moved after {k['first_moved_s']} s, all {k['watchable']} watched by bench-r1 after {k['all_watched_s']} s, its last lease (watch or sync) gone after {k['dead_leases_gone_s']} s
  the survivor then          {k['svc_cpu_s']} CPU s, peak RSS {k['peak_svc_rss_mb']} MB, {k['peak_svc_threads']} threads; PostgreSQL {k['pg_cpu_s']} CPU s
  load then                  {k['machine']}
new mail after the takeover  p50 {after['p50_s']} s, p99 {after['p99_s']} s, max {after['max_s']} s ({after['listed']}/{after['appended']} listed; {after['of_dead']} of them were bench-r2's: max {after['of_dead_max_s']} s)
  load then                  {after['machine']}
target after SIGKILL p99 <= 5 s  {target(after)}""")
        rec.update({"shares": sh, "takeover": k, "latency_after_kill": after})
    with open(out, "a") as fh:
        fh.write(json.dumps(rec) + "\n")
    print(f"(appended to {out})")


if __name__ == "__main__":
    run(globals(), __doc__)
