#!/usr/bin/env python3
"""The client side of initial-sync.sh (python3 standard library only). initial-sync.sh drives the rig (corpus,
imap-server, PostgreSQL, the service, run-mbsync) and calls one subcommand per phase:

  maildir-size    the server's INBOX: messages and bytes
  poll            poll GET .../sync until the initial sync or a requested pass is over (RSS sampled)
  initial-wall    seconds from the connect until the initial sync was seen over, and the highest sampled RSS
  since           seconds since a moment
  pass-figures    one no-change pass: its seconds (the API's), wall seconds from the POST, highest sampled RSS
  median          the median of numbers on stdin
  metric          the sum of a metric now
  wait-metric     poll the service's metrics until a counter reaches a value (the pass with its search indexing)
  cpu-watch       sample CPU-seconds per process group (service, PostgreSQL, Dovecot, machine) in the background
  imap-bytes      bytes Dovecot has sent in IMAP commands so far (its statistics)
  imap-log-bytes  bytes Dovecot sent in the sessions that began after a point of its log (logout lines)
  record          one run's figures as a JSON line
  mbsync-record   run-mbsync's runs: wall, CPU, windows, bytes
  report          the figures of every fetch mode and mbsync's, the targets (PASS/FAIL), JSON lines in the results

Arguments are positional, in the order `initial_sync.py COMMAND -h` lists them.
"""
import datetime, json, os, re, statistics, subprocess, sys, time
import urllib.error, urllib.request

import cpu_groups
from benchcli import run


def ts(v):  # ISO-8601 (any fraction length, Z) or epoch millis -> epoch seconds
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return v / 1000
    m = re.match(r"(.*?T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$", v)
    base = datetime.datetime.fromisoformat(m[1] + (m[3].replace("Z", "+00:00") or "+00:00"))
    return base.timestamp() + (float("0." + m[2]) if m[2] else 0)


def cmd_maildir_size(maildir):
    """Messages and bytes in a Maildir (cur and new): "COUNT BYTES"."""
    p = [os.path.join(maildir, s, n) for s in ("cur", "new") for n in os.listdir(os.path.join(maildir, s))]
    print(len(p), sum(os.path.getsize(f) for f in p))


def cmd_poll(url, token, pid, nmsg, timeout, mode, prev=None):
    """Polls GET .../sync every 100 ms, sampling the service's RSS on every poll. MODE initial: until INBOX has
    NMSG messages and the state is idle; MODE pass: until lastFinishedAt differs from PREV and the state is idle.
    Prints one JSON line: t (epoch s when seen), rss_max_kb, status (the last answer), pass_s (lastFinishedAt -
    lastStartedAt)."""
    def rss_kb():
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    start, last_print, rss_max, st = time.time(), 0, 0, {}
    while True:
        try:
            rss_max = max(rss_max, rss_kb())
        except OSError:
            sys.exit("the service process is gone")
        req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                st = json.load(r)
        except urllib.error.HTTPError as e:
            sys.exit(f"GET {url}: HTTP {e.code} {e.read()[:300].decode(errors='replace')}")
        except (urllib.error.URLError, OSError, ValueError) as e:
            sys.exit(f"GET {url}: {e}")
        t = time.time()
        state = st.get("state")
        if state in ("error", "reauth_required"):
            sys.exit(f"sync state {state}: {json.dumps(st.get('lastError'))}")
        inbox = next((f.get("messages") for f in st.get("folders") or [] if f.get("name") == "INBOX"), None)
        if mode == "initial":
            done = state == "idle" and inbox == int(nmsg)
        else:
            done = state == "idle" and st.get("lastFinishedAt") not in (None, prev)
        if done:
            started, finished = ts(st.get("lastStartedAt")), ts(st.get("lastFinishedAt"))
            pass_s = finished - started if started is not None and finished is not None else t - start
            print(json.dumps({"t": t, "rss_max_kb": rss_max, "status": st, "pass_s": round(pass_s, 3)}))
            break
        if t - start > float(timeout):
            sys.exit(f"timeout after {timeout} s; last answer: {json.dumps(st)}")
        if mode == "initial" and t - last_print >= 1:
            p = st.get("progress") or {}
            print(f"  {t - start:6.1f} s  {state:8s} INBOX {inbox}/{nmsg}  progress {p.get('folder')} "
                  f"{p.get('done')}/{p.get('total')}  RSS {rss_max // 1024} MB", file=sys.stderr, flush=True)
            last_print = t
        time.sleep(0.1)


def cmd_initial_wall(result, t0):
    """From a `poll initial` answer: seconds since t0 (the connect) and the highest sampled RSS in KB."""
    r = json.loads(result)
    print("%.3f" % (r["t"] - float(t0)), r["rss_max_kb"])


def cmd_since(t0):
    """Seconds since t0 (epoch seconds), one decimal."""
    print("%.1f" % (time.time() - float(t0)))


def cmd_pass_figures(result, t_post):
    """From a `poll pass` answer: the pass's seconds, wall seconds since t_post (the POST) and the highest RSS in KB."""
    r = json.loads(result)
    print("%.3f" % r["pass_s"], "%.3f" % (r["t"] - float(t_post)), r["rss_max_kb"])


def cmd_median():
    """The median of the numbers on stdin, one a line."""
    print("%.3f" % statistics.median(float(line) for line in sys.stdin))


def metric_sum(url, name):
    """The sum of metric NAME (every label set) in the Prometheus text at URL."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            text = r.read().decode()
    except (urllib.error.URLError, OSError) as e:
        sys.exit(f"GET {url}: {e}")
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(name + "{") or line.startswith(name + " "))


def cmd_metric(url, name):
    """Prints the sum of metric NAME (every label set) at URL, as an integer."""
    print(int(metric_sum(url, name)))


def cmd_wait_metric(url, name, at_least, timeout):
    """Polls the Prometheus text at URL every 50 ms until the sum of metric NAME (every label set) reaches AT_LEAST;
    prints the epoch seconds when it was seen. The service counts a sync pass (mailsync_sync_passes_total) once
    its search indexing is over: that is the end of sync + indexing."""
    start = time.time()
    while True:
        value = metric_sum(url, name)
        t = time.time()
        if value >= float(at_least):
            print("%.3f" % t)
            return
        if t - start > float(timeout):
            sys.exit(f"timeout after {timeout} s: {name} = {value}")
        time.sleep(0.05)


def cmd_cpu_watch(out, stop_file, database, *trees):
    """Samples CPU-seconds per process group every 100 ms into OUT (JSON lines) until STOP_FILE exists (see
    cpu_groups.py). DATABASE: the PostgreSQL database whose backends count (group pg_db; the cluster's background
    processes are pg_bg). TREES: GROUP=SUBSTRING, a process tree whose root's command line holds SUBSTRING."""
    cpu_groups.watch(out, dict(t.split("=", 1) for t in trees), database, 0.1, stop_file)


def cmd_imap_bytes(conf):
    """Bytes Dovecot has sent and received in IMAP commands since it started ("OUT IN"), from its statistics
    (the metric bench_imap of initial-sync.sh's BENCH_DOVECOT_EXTRA: event imap_command_finished, fields
    bytes_out and bytes_in). The greeting, CAPABILITY and login (a few hundred bytes) come before, from imap-login."""
    dump = subprocess.run(["doveadm", "-c", conf, "stats", "dump"], check=True, capture_output=True, text=True)
    sums = {row[1]: int(float(row[3])) for row in (line.split("\t") for line in dump.stdout.splitlines())
            if row[0] == "bench_imap"}
    print(sums.get("bytes_out", 0), sums.get("bytes_in", 0))


def cmd_imap_log_bytes(log, offset, wait=None):
    """Bytes Dovecot sent and received in the IMAP sessions that logged in after byte OFFSET of its LOG and have
    ended, from their `Disconnected: ... in=N out=N` lines (imap_logout_format), after waiting up to WAIT seconds
    (default 10) for every such session to end: "OUT IN SESSIONS". Exact per session, pipelined commands included
    (Dovecot's per-command statistics count the output of overlapping commands once for each: mbsync pipelines
    its FETCHes)."""
    deadline = time.time() + float(wait or 10)
    while True:
        with open(log, "rb") as fh:
            fh.seek(int(offset))
            text = fh.read().decode(errors="replace")
        logins = set(re.findall(r"imap-login: Info: Login: .*session=<([^>]+)>", text))
        ended = {m[1]: (int(m[2]), int(m[3])) for m in re.finditer(
            r"imap\([^)]*\)<\d+><([^>]+)>: Info: Disconnected:.* in=(\d+) out=(\d+)", text)}
        if logins <= set(ended) or time.time() > deadline:
            break
        time.sleep(0.2)
    done = [ended[s] for s in logins if s in ended]
    print(sum(o for _, o in done), sum(i for i, _ in done), len(done))


def cmd_record(out, *pairs):
    """Appends one JSON object made of the NAME=VALUE pairs to OUT (numbers become numbers)."""
    def value(v):
        try:
            return float(v)
        except ValueError:
            return v
    with open(out, "a") as fh:
        fh.write(json.dumps({k: value(v) for k, v in (p.split("=", 1) for p in pairs)}) + "\n")


def cmd_mbsync_record(results, timedir, runs, imap_bytes, out):
    """The last RUNS runs of run-mbsync (its JSON lines in RESULTS; each run's /usr/bin/time -v output
    TIMEDIR/time.N is written when mbsync exits, so its mtime minus the wall time is the run's window), and the
    bytes Dovecot sent per run (IMAP_BYTES, for all runs, over RUNS). Writes them as JSON to OUT."""
    runs = int(runs)
    with open(results) as fh:
        recs = [json.loads(line) for line in fh if line.strip()][-runs:]
    for i, rec in enumerate(recs, 1):
        rec["t1"] = os.path.getmtime(os.path.join(timedir, f"time.{i}"))
        rec["t0"] = rec["t1"] - rec["wall_s"]
    with open(out, "w") as fh:
        json.dump({"runs": recs, "bytes_per_run": int(imap_bytes) / runs}, fh)


def machine():
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                 "unknown CPU")
    return f"nproc {os.cpu_count()}, {model}"


def mode_figures(r, samples, nbytes):
    """The figures of one service run (a record of initial-sync.sh) with its CPU windows."""
    f = {"mode": r["mode"], "jvm": r.get("jvm", "cold"), "wall_s": r["t_sync"] - r["t0"], "searchable_s": r["t_indexed"] - r["t0"],
         "bytes": r["bytes_sync"], "bytes_pct": 100 * r["bytes_sync"] / nbytes, "bytes_sessions": r["bytes_sync_sessions"], "peak_mb": r["peak_kb"] / 1024,
         "nochange": [float(x) for x in str(r["nochange"]).split(",")]}
    f["nochange_median"] = statistics.median(f["nochange"])
    # the service's whole life: Dovecot's per-command statistics against its sessions' logout lines
    f["bytes_check"] = (r["bytes_service_stats"], r["bytes_service_sessions"])
    if abs(f["bytes_check"][0] - f["bytes_check"][1]) > 0.005 * max(f["bytes_check"][1], 1):
        # pipelined commands (counted more than once by the statistics): the sessions that had ended when the
        # indexing was over instead (the sync's session ends with its pass)
        f["bytes"], f["bytes_pct"] = r["bytes_sync_sessions"], 100 * r["bytes_sync_sessions"] / nbytes
    for phase, t1 in (("sync", r["t_sync"]), ("all", r["t_indexed"])):
        c = cpu_groups.window(samples, r["t0"], t1)
        c["pg"] = c["pg_db"] + c["pg_bg"]
        c["sum"] = c["svc"] + c["pg"] + c["dovecot"]
        f["cpu_" + phase] = {k: round(v, 2) for k, v in c.items()}
    return f


def mbsync_figures(m, samples):
    """Median over mbsync's runs: wall, its own CPU (time -v), Dovecot's and the machine's in the run's window."""
    per_run = []
    for rec in m["runs"]:
        c = cpu_groups.window(samples, rec["t0"], rec["t1"])
        own = rec["user_s"] + rec["sys_s"]
        per_run.append({"wall_s": rec["wall_s"], "mbsync": own, "dovecot": c["dovecot"],
                        "sum": own + c["dovecot"], "machine": c["machine"]})
    med = {k: round(statistics.median(r[k] for r in per_run), 2) for k in per_run[0]}
    return dict(med, walls=[r["wall_s"] for r in per_run], bytes=m["bytes_per_run"])


def cmd_report(runs_file, mbsync_file, cpu_file, nmsg, nbytes, out, version, java_opts, server, load_start):
    """The figures of every fetch mode side by side with mbsync's, the targets of issue 14 (PASS/FAIL) per mode,
    and one JSON line per mode appended to OUT."""
    nmsg, nbytes = int(nmsg), int(nbytes)
    samples = cpu_groups.load(cpu_file)
    with open(runs_file) as fh:
        modes = [mode_figures(json.loads(line), samples, nbytes) for line in fh if line.strip()]
    with open(mbsync_file) as fh:
        mb = mbsync_figures(json.load(fh), samples)
    load_end = " ".join(open("/proc/loadavg").read().split()[:3])
    label = lambda f: f"{f['mode']}, {f['jvm']} JVM"
    cols = [label(f) for f in modes] + [f"mbsync ({len(mb['walls'])} runs)"]
    rows = []

    def row(label, per_mode, mbsync="–"):
        rows.append([label] + [per_mode(f) for f in modes] + [mbsync])

    row("initial sync wall", lambda f: f"{f['wall_s']:.2f} s", f"{mb['wall_s']:.2f} s (median)")
    row("  msgs/s, MB/s", lambda f: f"{nmsg / f['wall_s']:.0f}, {nbytes / 1e6 / f['wall_s']:.1f}",
        f"{nmsg / mb['wall_s']:.0f}, {nbytes / 1e6 / mb['wall_s']:.1f}")
    row("all searchable after", lambda f: f"{f['searchable_s']:.2f} s")
    row("bytes read from IMAP", lambda f: f"{f['bytes'] / 1e6:.1f} MB ({f['bytes_pct']:.1f} %)",
        f"{mb['bytes'] / 1e6:.1f} MB ({100 * mb['bytes'] / nbytes:.1f} %)")
    row("  check: service's life", lambda f: "stats %.1f MB, sessions %.1f MB" % (f["bytes_check"][0] / 1e6,
                                                                                 f["bytes_check"][1] / 1e6))
    row("  sessions ended by then", lambda f: f"{f['bytes_sessions'] / 1e6:.1f} MB")
    row("CPU-s sync: service JVM", lambda f: f"{f['cpu_sync']['svc']:.2f}", f"mbsync {mb['mbsync']:.2f}")
    row("    of which JIT compilers", lambda f: f"{f['cpu_sync']['jit']:.2f}")
    row("  PostgreSQL (db + bg)", lambda f: f"{f['cpu_sync']['pg']:.2f} ({f['cpu_sync']['pg_db']:.2f} + "
        f"{f['cpu_sync']['pg_bg']:.2f})")
    row("  Dovecot", lambda f: f"{f['cpu_sync']['dovecot']:.2f}", f"{mb['dovecot']:.2f}")
    row("  sum of the processes", lambda f: f"{f['cpu_sync']['sum']:.2f}", f"{mb['sum']:.2f}")
    row("  machine (/proc/stat)", lambda f: f"{f['cpu_sync']['machine']:.2f}", f"{mb['machine']:.2f}")
    row("CPU-s sync + indexing: JVM", lambda f: f"{f['cpu_all']['svc']:.2f}")
    row("    of which JIT compilers", lambda f: f"{f['cpu_all']['jit']:.2f}")
    row("  PostgreSQL (db + bg)", lambda f: f"{f['cpu_all']['pg']:.2f} ({f['cpu_all']['pg_db']:.2f} + "
        f"{f['cpu_all']['pg_bg']:.2f})")
    row("  Dovecot", lambda f: f"{f['cpu_all']['dovecot']:.2f}")
    row("  sum of the processes", lambda f: f"{f['cpu_all']['sum']:.2f}", f"{mb['sum']:.2f}")
    row("  machine (/proc/stat)", lambda f: f"{f['cpu_all']['machine']:.2f}", f"{mb['machine']:.2f}")
    row("peak RSS (VmHWM)", lambda f: f"{f['peak_mb']:.0f} MB")
    row("no-change pass (median)", lambda f: f"{f['nochange_median']:.3f} s")
    widths = [max(len(r[i]) for r in rows + [["", *cols]]) for i in range(len(cols) + 1)]
    fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    print(f"""
==== mailsync initial sync ({server}, PostgreSQL 15, {version}, JAVA_OPTS {java_opts})
machine: {machine()}; load average {load_start} at the start, {load_end} at the end
corpus: {nmsg} messages, {nbytes / 1e6:.1f} MB; mbsync FSync no, wall {', '.join(f'{w:.2f}' for w in mb['walls'])} s
{fmt(['', *cols])}""")
    for r in rows:
        print(fmt(r))
    for f in modes:
        stats, sessions = f["bytes_check"]
        if abs(stats - sessions) > 0.005 * max(sessions, 1):
            print(f"WARNING, {label(f)}: Dovecot's per-command statistics ({stats} bytes) differ from the "
                  f"service's sessions ({sessions} bytes): pipelined commands? The initial sync's bytes are those of "
                  f"the sessions that had ended when its search indexing was over.")
    print("""Bytes: what Dovecot sent after login (the initial sync: its per-command statistics, checked against
the service's sessions' logout lines; mbsync: its sessions' logout lines, per run). CPU-seconds: from the connect
(OAuth callback) until the sync was seen over, and until the pass was counted with its search indexing;
PostgreSQL = this database's backends + the cluster's background processes; mbsync's own CPU is /usr/bin/time's,
Dovecot's and the machine's are over each run's window; median of the runs. The machine figure includes whatever
else runs (other jobs on a shared machine): the targets use the sum of the processes. A cold JVM: the first sync
after the service started, when the JVM compiles the code it runs for the first time (the JIT compiler threads,
once per process); a warm JVM: the mailbox disconnected and connected again in the same service process.""")
    ok = lambda c: "PASS" if c else "FAIL"
    for f in modes:
        targets = [
            ("initial sync wall <= 0.8 x mbsync", f["wall_s"] <= 0.8 * mb["wall_s"],
             f"{f['wall_s']:.2f} s vs {0.8 * mb['wall_s']:.2f} s ({f['wall_s'] / mb['wall_s']:.2f} x)"),
            ("CPU-s sync <= 1.5 x mbsync", f["cpu_sync"]["sum"] <= 1.5 * mb["sum"],
             f"{f['cpu_sync']['sum']:.2f} vs {1.5 * mb['sum']:.2f} ({f['cpu_sync']['sum'] / mb['sum']:.2f} x; "
             f"machine {f['cpu_sync']['machine'] / mb['machine']:.2f} x)"),
            ("CPU-s sync + indexing <= 2.5 x mbsync", f["cpu_all"]["sum"] <= 2.5 * mb["sum"],
             f"{f['cpu_all']['sum']:.2f} vs {2.5 * mb['sum']:.2f} ({f['cpu_all']['sum'] / mb['sum']:.2f} x; "
             f"machine {f['cpu_all']['machine'] / mb['machine']:.2f} x)"),
            ("bytes from IMAP <= 30 % of the corpus", f["bytes_pct"] <= 30, f"{f['bytes_pct']:.1f} %"),
            ("peak RSS <= 384 MB", f["peak_mb"] <= 384, f"{f['peak_mb']:.0f} MB"),
            ("no-change pass <= 0.5 s", f["nochange_median"] <= 0.5,
             f"{f['nochange_median']:.3f} s (runs: {', '.join(f'{p:.3f}' for p in f['nochange'])})"),
        ]
        print(f"targets, {label(f)}")
        for name, met, detail in targets:
            print(f"  {name:39s} {ok(met)}   {detail}")
        rec = {"peer": "mailsync", "version": version, "fetch_mode": f["mode"], "jvm": f["jvm"],
               "at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "messages": nmsg, "bytes": nbytes, "wall_s": round(f["wall_s"], 2),
               "msgs_per_s": round(nmsg / f["wall_s"], 1), "mb_per_s": round(nbytes / 1e6 / f["wall_s"], 1),
               "searchable_s": round(f["searchable_s"], 2), "imap_bytes": f["bytes"],
               "imap_bytes_pct": round(f["bytes_pct"], 1), "cpu_sync": f["cpu_sync"], "cpu_with_indexing": f["cpu_all"],
               "max_rss_kb": round(f["peak_mb"] * 1024), "nochange_s": f["nochange"],
               "nochange_median_s": f["nochange_median"], "mbsync": mb, "machine": machine(),
               "java_opts": java_opts, "server": server, "targets_met": all(t[1] for t in targets)}
        with open(out, "a") as fh:
            fh.write(json.dumps(rec) + "\n")
    print(f"(appended to {out})")


if __name__ == "__main__":
    run(globals(), __doc__)
