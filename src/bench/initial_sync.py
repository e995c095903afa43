#!/usr/bin/env python3
"""The client side of initial-sync.sh (python3 standard library only). initial-sync.sh drives the rig (corpus,
imap-server, PostgreSQL, the service, run-mbsync) and calls one subcommand per phase:

  maildir-size    the server's INBOX: messages and bytes
  poll            poll GET .../sync until the initial sync or a requested pass is over (RSS sampled)
  initial-wall    seconds from the connect until the initial sync was seen over, and the highest sampled RSS
  since           seconds since a moment
  pass-figures    one no-change pass: its seconds (the API's), wall seconds from the POST, highest sampled RSS
  median          the median of numbers on stdin
  report          the figures, the targets (PASS/FAIL) and one JSON line appended to the results

Arguments are positional, in the order `initial_sync.py COMMAND -h` lists them.
"""
import datetime, json, os, re, statistics, sys, time
import urllib.error, urllib.request

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


def cmd_report(nmsg, nbytes, wall, peak_kb, nochange_median, mbsync, nochange_runs, out, version, java_opts,
               server):
    """The figures and targets; one JSON line appended to `out`."""
    nmsg, nbytes, wall, peak_kb, noch, mbs = int(nmsg), int(nbytes), float(wall), int(peak_kb), \
        float(nochange_median), float(mbsync)
    passes = [float(x) for x in nochange_runs.split(",")]
    rss_mb, ratio = peak_kb / 1024, wall / mbs
    ok = lambda c: "PASS" if c else "FAIL"
    print(f"""
==== mailsync initial sync ({server}, PostgreSQL 15, {version}, JAVA_OPTS {java_opts})
messages                  {nmsg}
corpus                    {nbytes / 1e6:.1f} MB
initial sync wall         {wall:.2f} s   ({nmsg / wall:.0f} msgs/s, {nbytes / 1e6 / wall:.1f} MB/s)
peak RSS (VmHWM)          {rss_mb:.0f} MB
no-change pass (median)   {noch:.3f} s   (runs: {', '.join(f'{p:.3f}' for p in passes)})
mbsync median wall        {mbs:.2f} s   (FSync no)
ratio mailsync / mbsync   {ratio:.2f}
targets
  initial <= 1.2 x mbsync {ok(wall <= 1.2 * mbs)}   {wall:.2f} s vs {1.2 * mbs:.2f} s
  peak RSS <= 512 MB      {ok(rss_mb <= 512)}   {rss_mb:.0f} MB
  no-change <= 0.5 s      {ok(noch <= 0.5)}   {noch:.3f} s""")
    rec = {"peer": "mailsync", "version": version,
           "at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "messages": nmsg, "synced": nmsg, "bytes": nbytes, "wall_s": round(wall, 2),
           "msgs_per_s": round(nmsg / wall, 1), "mb_per_s": round(nbytes / 1e6 / wall, 1), "max_rss_kb": peak_kb,
           "nochange_s": passes, "nochange_median_s": noch, "mbsync_wall_s": mbs, "ratio_vs_mbsync": round(ratio, 3),
           "java_opts": java_opts, "server": server,
           "targets_met": wall <= 1.2 * mbs and rss_mb <= 512 and noch <= 0.5}
    with open(out, "a") as fh:
        fh.write(json.dumps(rec) + "\n")
    print(f"(appended to {out})")


if __name__ == "__main__":
    run(globals(), __doc__)
