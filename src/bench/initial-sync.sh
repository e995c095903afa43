#!/usr/bin/env bash
# initial-sync.sh: benchmark of mailsync's IMAP initial sync against the local Microsoft 365 rig
# (shared/bench: Dovecot in Outlook mode + oauth2-fake), compared with mbsync on the same server.
#
#   src/bench/initial-sync.sh [--no-build] [--keep-servers] [--timeout S] [--runs-mbsync N] [--condstore]
#
# --condstore: Dovecot's own face (CONDSTORE, SPECIAL-USE) instead of Outlook's.
#
# Run as root from anywhere. Steps: corpus (gen-corpus, 10,000 msgs, seed 42) -> imap-server start
# --outlook -> PostgreSQL 15 (fresh database mailsync_bench) -> ./mvnw package -> the packaged service
# -> provider settings + the real connect flow (authorize 302 -> our callback) -> time the initial sync
# by polling GET /api/v1/mailboxes/{id}/sync -> 3 no-change passes (POST .../sync) -> stop the service ->
# run-mbsync --fsync no -> figures, targets (PASS/FAIL), a JSON line in $BENCH_DIR/results/mailsync.jsonl.
# Exit status: 0 when the run completed (even if a target failed), 1 on any error.
#
# Env: BENCH_RIG (the rig's scripts, default ../../../shared/bench from here), BENCH_DIR (/tmp/bench),
# BENCH_IMAP_PORT (10143), BENCH_OAUTH_PORT (10180), BENCH_HTTP_PORT (8080), JAVA_OPTS (default -Xmx256m -XX:+UseParallelGC,
# the heap and collector of the container image),
# BENCH_OAUTH_CLIENT_ID / BENCH_OAUTH_CLIENT_SECRET (the Entra app oauth2-fake is started to require,
# default mailsync-bench / mailsync-bench-secret), BENCH_DB_PASSWORD, BENCH_COUNT (10000), BENCH_SEED (42).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"; SAY_TAG=bench
# shellcheck source=lib.sh
. "$HERE/lib.sh"   # ROOT, RIG, BENCH_DIR, the ports, BASE, CALLBACK, RIG_USER, the OAuth client, LOGDIR, RESULTS; helpers
export BENCH_CORPUS="${BENCH_CORPUS:-$BENCH_DIR/corpus/Maildir}"
SERVER_MAILDIR="$BENCH_DIR/imap/home/${RIG_USER%%@*}/Maildir"
DB=mailsync_bench; DB_PASS="${BENCH_DB_PASSWORD:-mailsync_bench}"
SERVER_MODE=(--outlook); BUILD=1; KEEP=0; TIMEOUT=300; MBSYNC_RUNS=3; NOCHANGE_RUNS=3; RIG_STOP=(imap-server)

while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) BUILD=0; shift ;;
    --condstore) SERVER_MODE=(); shift ;;
    --keep-servers) KEEP=1; shift ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --runs-mbsync) MBSYNC_RUNS="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

bench_begin
preflight curl python3 openssl java pg_ctlcluster runuser
mkdir -p "$LOGDIR" "$RESULTS"

# ---- 1. corpus and the Outlook-like IMAP server (+ oauth2-fake)
if [[ ! -d "$BENCH_CORPUS/cur" ]]; then
  say "generating the corpus (${BENCH_COUNT:-10000} msgs, seed ${BENCH_SEED:-42}) into $BENCH_CORPUS"
  "$RIG/gen-corpus" --count "${BENCH_COUNT:-10000}" --seed "${BENCH_SEED:-42}" --out "$BENCH_CORPUS" --force | tail -n 1
fi
rig_stop_running imap-server "with this benchmark's OAuth client"
ports_free BENCH_IMAP_PORT/BENCH_OAUTH_PORT/BENCH_HTTP_PORT "$IMAP_PORT" "$OAUTH_PORT" "$HTTP_PORT"
say "starting imap-server ${SERVER_MODE[*]:-(CONDSTORE)} (IMAP :$IMAP_PORT, oauth2-fake :$OAUTH_PORT, client $BENCH_OAUTH_CLIENT_ID)"
rig_start imap-server "$LOGDIR/imap-server.out" "${SERVER_MODE[@]}"
read -r NMSG NBYTES < <(python3 - "$SERVER_MAILDIR" <<'PY'
import os, sys
p = [os.path.join(sys.argv[1], s, n) for s in ("cur", "new") for n in os.listdir(os.path.join(sys.argv[1], s))]
print(len(p), sum(os.path.getsize(f) for f in p))
PY
)
MB=$(awk -v b="$NBYTES" 'BEGIN { printf "%.1f", b / 1e6 }')
say "INBOX of $RIG_USER: $NMSG messages, $MB MB"

# ---- 2. PostgreSQL 15 with a fresh database
fresh_database "$DB" "$DB_PASS"

# ---- 3. build
build_jar

# ---- 4. the service
say "starting the service ($JAR, JAVA_OPTS='${JAVA_OPTS:-}'), log $LOGDIR/service.log"
start_java_service "$LOGDIR/service.log" "$DB" "$DB_PASS"

# ---- 5. provider settings and the connect flow, as an administrator and a browser would
# shellcheck disable=SC2119  # no scope to require of the authorization URL
connect_mailbox
T0=$T_CALLBACK
say "connected mailbox $MAILBOX ($(awk -v a="$(now)" -v b="$T0" 'BEGIN { printf "%.2f", a - b }') s); initial sync running"

# ---- 6./7. polling GET .../sync: one python process, 100 ms period, RSS sampled on every poll
# poll MODE [PREV]: MODE initial = INBOX has NMSG messages and state idle; MODE pass = lastFinishedAt != PREV and idle.
# Prints one JSON line: t (epoch s when seen), rss_max_kb, status (the last answer), pass_s (lastFinishedAt - lastStartedAt).
poll() {
  python3 - "$BASE/api/v1/mailboxes/$MAILBOX/sync" "$USER_TOKEN" "$SVC_PID" "$NMSG" "$TIMEOUT" "$@" <<'PY'
import datetime, json, re, sys, time, urllib.error, urllib.request
url, token, pid, nmsg, timeout, mode = sys.argv[1:7]
prev = sys.argv[7] if len(sys.argv) > 7 else None
def ts(v):  # ISO-8601 (any fraction length, Z) or epoch millis -> epoch seconds
    if v is None: return None
    if isinstance(v, (int, float)): return v / 1000
    m = re.match(r"(.*?T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$", v)
    base = datetime.datetime.fromisoformat(m[1] + (m[3].replace("Z", "+00:00") or "+00:00"))
    return base.timestamp() + (float("0." + m[2]) if m[2] else 0)
def rss_kb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"): return int(line.split()[1])
start, last_print, rss_max, st = time.time(), 0, 0, {}
while True:
    try:
        rss_max = max(rss_max, rss_kb())
    except OSError:
        sys.exit("the service process is gone")
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=10) as r: st = json.load(r)
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
        print(json.dumps({"t": t, "rss_max_kb": rss_max, "status": st, "pass_s": round(pass_s, 3)})); break
    if t - start > float(timeout):
        sys.exit(f"timeout after {timeout} s; last answer: {json.dumps(st)}")
    if mode == "initial" and t - last_print >= 1:
        p = st.get("progress") or {}
        print(f"  {t - start:6.1f} s  {state:8s} INBOX {inbox}/{nmsg}  progress {p.get('folder')} "
              f"{p.get('done')}/{p.get('total')}  RSS {rss_max // 1024} MB", file=sys.stderr, flush=True)
        last_print = t
    time.sleep(0.1)
PY
}
INITIAL=$(poll initial) || die "initial sync"
read -r WALL RSS_POLL_KB < <(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("%.3f" % (r["t"] - float(sys.argv[2])), r["rss_max_kb"])' "$INITIAL" "$T0")
say "initial sync done: $NMSG messages in $WALL s wall (the API's lastFinishedAt - lastStartedAt: $(printf '%s' "$INITIAL" | json_get pass_s) s)"

# search indexing runs right after the pass; the no-change passes are timed once it has settled
for _ in $(seq 600); do
  PENDING=$(su postgres -c "psql -d $DB -Atc 'select count(*) from message where search is null'")
  [[ "$PENDING" == 0 ]] && break
  sleep 0.1
done
say "all messages searchable $(python3 -c 'import sys,time; print("%.1f" % (time.time() - float(sys.argv[1])))' "$T0") s after the connect (search indexing follows the pass)"

NOCHANGE=()
for i in $(seq "$NOCHANGE_RUNS"); do
  PREV=$(api "$USER_TOKEN" -f "$BASE/api/v1/mailboxes/$MAILBOX/sync" | json_get lastFinishedAt) || die "GET .../sync"
  TP=$(now)
  HTTP=$(api "$USER_TOKEN" -o /dev/null -w '%{http_code}' -X POST "$BASE/api/v1/mailboxes/$MAILBOX/sync") || die "POST .../sync"
  [[ "$HTTP" == 2?? ]] || die "POST /api/v1/mailboxes/$MAILBOX/sync answered $HTTP (expected 202)"
  R=$(poll pass "$PREV") || die "no-change pass $i"
  read -r PASS_S PASS_WALL RSS_KB < <(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("%.3f" % r["pass_s"], "%.3f" % (r["t"] - float(sys.argv[2])), r["rss_max_kb"])' "$R" "$TP")
  say "no-change pass $i: $PASS_S s (lastFinishedAt - lastStartedAt), $PASS_WALL s wall from POST (HTTP $HTTP)"
  NOCHANGE+=("$PASS_S"); RSS_POLL_KB=$((RSS_KB > RSS_POLL_KB ? RSS_KB : RSS_POLL_KB))
done
NOCHANGE_MED=$(printf '%s\n' "${NOCHANGE[@]}" | python3 -c 'import statistics,sys; print("%.3f" % statistics.median(float(l) for l in sys.stdin))')
PEAK_KB=$(awk '/VmHWM/ { print $2 }' "/proc/$SVC_PID/status")
say "service RSS: peak (VmHWM) $((PEAK_KB / 1024)) MB, highest sampled $((RSS_POLL_KB / 1024)) MB"

# ---- 8. mbsync on the same server, the service stopped
stop_service; SVC_LOG=""   # a failure from here on is not the service's: no tail of its log
say "run-mbsync --fsync no --runs $MBSYNC_RUNS"
"$RIG/run-mbsync" --fsync no --runs "$MBSYNC_RUNS" 2>&1 | tee "$LOGDIR/mbsync.out" | sed 's/^/  /' || die "run-mbsync failed"
MBSYNC=$(awk '$1 == "wall_s" && $2 == "median" { print $3 }' "$LOGDIR/mbsync.out")
[[ -n "$MBSYNC" ]] || die "no 'wall_s median' in run-mbsync's output"

# ---- 9. figures
python3 - "$NMSG" "$NBYTES" "$WALL" "$PEAK_KB" "$NOCHANGE_MED" "$MBSYNC" "$(IFS=,; echo "${NOCHANGE[*]}")" \
  "$RESULTS/mailsync.jsonl" "$(git_version)" "${JAVA_OPTS:-}" \
  "$([[ ${#SERVER_MODE[@]} -gt 0 ]] && echo "Outlook-mode IMAP" || echo "Dovecot IMAP with CONDSTORE")" <<'PY'
import datetime, json, sys
nmsg, nbytes, wall, peak_kb, noch, mbs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), \
    float(sys.argv[5]), float(sys.argv[6])
passes, out, version, java_opts = [float(x) for x in sys.argv[7].split(",")], sys.argv[8], sys.argv[9], sys.argv[10]
server = sys.argv[11]
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
rec = {"peer": "mailsync", "version": version, "at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
       "messages": nmsg, "synced": nmsg, "bytes": nbytes, "wall_s": round(wall, 2),
       "msgs_per_s": round(nmsg / wall, 1), "mb_per_s": round(nbytes / 1e6 / wall, 1), "max_rss_kb": peak_kb,
       "nochange_s": passes, "nochange_median_s": noch, "mbsync_wall_s": mbs, "ratio_vs_mbsync": round(ratio, 3),
       "java_opts": java_opts, "server": server, "targets_met": wall <= 1.2 * mbs and rss_mb <= 512 and noch <= 0.5}
with open(out, "a") as fh:
    fh.write(json.dumps(rec) + "\n")
print(f"(appended to {out})")
PY
