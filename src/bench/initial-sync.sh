#!/usr/bin/env bash
# initial-sync.sh: benchmark of mailsync's IMAP initial sync against the local Microsoft 365 rig
# (shared/bench: Dovecot in Outlook mode + oauth2-fake), compared with mbsync on the same server.
#
#   src/bench/initial-sync.sh [--fetch-mode parts|whole|both] [--jvm cold|warm|both] [--warm-ups N] [--latency] [--no-build]
#                             [--keep-servers] [--timeout S] [--runs-mbsync N] [--condstore]
#
# --fetch-mode  the service's mailsync.sync.fetch-mode (MAILSYNC_SYNC_FETCH_MODE): parts = BODYSTRUCTURE, header
#               and text parts; whole = whole messages; both (default) = one run of each, side by side.
# --jvm         cold = the first sync after the service started (its JVM compiles the code as it first runs it);
#               warm = the same mailbox disconnected (DELETE: its rows go, then VACUUM ANALYZE) and connected again in
#               the same service process, as a replica that has synced before onboards a mailbox; both (default) =
#               cold, then warm. The JIT compiler threads' CPU is shown apart in both.
# --warm-ups    N more initial syncs of the mailbox, not measured, before the warm one (default 0): a replica
#               that has onboarded more mailboxes, whose JIT compilers have settled further.
# --latency     the service and mbsync reach Dovecot through latency_proxy.py: 20 ms each way (40 ms round
#               trip) and 4 MB/s each way (BENCH_LATENCY_DELAY_MS, BENCH_LATENCY_RATE bytes/s), as a client in
#               one region sees Exchange Online in another; its NOOP round trip is measured first. mbsync: 1 run.
# --condstore   Dovecot's own face (CONDSTORE, SPECIAL-USE) instead of Outlook's.
#
# Run as root from anywhere. Steps: corpus (gen-corpus, 10,000 msgs, seed 42) -> ./mvnw package -> a CPU watcher
# (cpu_groups.py: service JVM, PostgreSQL, Dovecot, machine, every 100 ms) -> per fetch mode: imap-server start
# --outlook (a fresh INBOX; Dovecot counts the bytes of every IMAP command: a `metric` in BENCH_DOVECOT_EXTRA) ->
# PostgreSQL 15 (fresh database mailsync_bench) -> the packaged service -> provider settings + the real connect
# flow (authorize 302 -> our callback) -> the initial sync, timed by polling GET /api/v1/mailboxes/{id}/sync ->
# its search indexing, over when the service counts the pass (mailsync_sync_passes_total on /q/metrics) -> 3
# no-change passes (POST .../sync) -> stop the service -> then run-mbsync --fsync no -> figures side by side,
# targets of issue 14 (PASS/FAIL), a JSON line per mode in $BENCH_DIR/results/mailsync.jsonl.
# Exit status: 0 when the run completed (even if a target failed), 1 on any error.
#
# Env: BENCH_RIG (the rig's scripts, default ../../../shared/bench from here), BENCH_DIR (/tmp/bench),
# BENCH_IMAP_PORT (10143), BENCH_OAUTH_PORT (10180), BENCH_HTTP_PORT (8080), BENCH_MANAGEMENT_PORT (9000),
# BENCH_LATENCY_PORT (BENCH_IMAP_PORT + 5: the proxy), BENCH_DB (the database, mailsync_bench: another name lets
# a second run use the same PostgreSQL), JAVA_OPTS (default lib.sh's CONTAINER_JAVA_OPTS, what the container image
# and the Deployment give the JVM), BENCH_OAUTH_CLIENT_ID / BENCH_OAUTH_CLIENT_SECRET (the Entra app oauth2-fake is
# started to require, default mailsync-bench / mailsync-bench-secret), BENCH_DB_PASSWORD, BENCH_COUNT (10000),
# BENCH_SEED (42).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"; SAY_TAG=bench
# shellcheck source=lib.sh
. "$HERE/lib.sh"   # ROOT, RIG, BENCH_DIR, the ports, BASE, CALLBACK, RIG_USER, the OAuth client, LOGDIR, RESULTS; helpers
# the client side (polling, the figures, the report): initial_sync.py, one subcommand per phase
helper() { local c=$1; shift; if (($#)); then python3 "$HERE/initial_sync.py" "$c" -- "$@"; else python3 "$HERE/initial_sync.py" "$c"; fi; }
export BENCH_CORPUS="${BENCH_CORPUS:-$BENCH_DIR/corpus/Maildir}"
SERVER_MAILDIR="$BENCH_DIR/imap/home/${RIG_USER%%@*}/Maildir"
DOVECOT_CONF="$BENCH_DIR/imap/dovecot.conf"
DB="${BENCH_DB:-mailsync_bench}"; DB_PASS="${BENCH_DB_PASSWORD:-mailsync_bench}"
SERVER_MODE=(--outlook); BUILD=1; KEEP=0; TIMEOUT=300; MBSYNC_RUNS=""; NOCHANGE_RUNS=3; RIG_STOP=(imap-server)
MODES=(whole parts); LATENCY=0; JVMS=(cold warm); WARM_UPS=0
LATENCY_PORT="${BENCH_LATENCY_PORT:-$((IMAP_PORT + 5))}"
LATENCY_DELAY_MS="${BENCH_LATENCY_DELAY_MS:-20}"; LATENCY_RATE="${BENCH_LATENCY_RATE:-4000000}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --fetch-mode)
      case "${2:-}" in both) MODES=(whole parts) ;; parts|whole) MODES=("$2") ;; *) echo "--fetch-mode parts|whole|both" >&2; exit 2 ;; esac
      shift 2 ;;
    --jvm)
      case "${2:-}" in both) JVMS=(cold warm) ;; cold|warm) JVMS=("$2") ;; *) echo "--jvm cold|warm|both" >&2; exit 2 ;; esac
      shift 2 ;;
    --warm-ups) WARM_UPS="${2:-}"; [[ "$WARM_UPS" =~ ^[0-9]+$ ]] || { echo "--warm-ups N" >&2; exit 2; }; shift 2 ;;
    --latency) LATENCY=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --condstore) SERVER_MODE=(); shift ;;
    --keep-servers) KEEP=1; shift ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --runs-mbsync) MBSYNC_RUNS="$2"; shift 2 ;;
    -h|--help) sed -n '2,37p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$MBSYNC_RUNS" ]] || MBSYNC_RUNS=$((LATENCY == 1 ? 1 : 3))
# the port the service and mbsync use: Dovecot's, or the latency proxy's in front of it
CLIENT_PORT=$([[ $LATENCY == 1 ]] && echo "$LATENCY_PORT" || echo "$IMAP_PORT")
# Dovecot sums the bytes of every IMAP command (doveadm stats dump; see initial_sync.py imap-bytes)
export BENCH_DOVECOT_EXTRA="${BENCH_DOVECOT_EXTRA:-}
metric bench_imap {
  filter = event=imap_command_finished
  fields = bytes_in bytes_out
}"

bench_begin
# the background helpers (CPU watcher, latency proxy) end with the script, before lib.sh's cleanup
BG_PIDS=()
on_exit() {
  local rc=$? p
  touch "$LOGDIR/cpu.stop" 2>/dev/null || true
  for p in "${BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  cleanup "$rc"   # not "(exit $rc); cleanup": under set -e a failing (exit) ends the trap before the cleanup
}
trap on_exit EXIT
preflight curl python3 openssl java pg_ctlcluster runuser doveadm
mkdir -p "$LOGDIR" "$RESULTS"
RUNS_FILE="$LOGDIR/runs.jsonl"; CPU_FILE="$LOGDIR/cpu.jsonl"; MBSYNC_FILE="$LOGDIR/mbsync.json"
rm -f "$RUNS_FILE" "$CPU_FILE" "$LOGDIR/cpu.stop"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $LOAD_START"

# ---- 1. corpus, build, the CPU watcher
if [[ ! -d "$BENCH_CORPUS/cur" ]]; then
  say "generating the corpus (${BENCH_COUNT:-10000} msgs, seed ${BENCH_SEED:-42}) into $BENCH_CORPUS"
  "$RIG/gen-corpus" --count "${BENCH_COUNT:-10000}" --seed "${BENCH_SEED:-42}" --out "$BENCH_CORPUS" --force | tail -n 1
fi
build_jar
helper cpu-watch "$CPU_FILE" "$LOGDIR/cpu.stop" "$DB" "svc=$JAR" "dovecot=dovecot -c $DOVECOT_CONF" &
BG_PIDS+=($!)

start_rig() {  # a fresh INBOX (imap-server start rebuilds it) and fresh IMAP byte counters
  rig_stop_running imap-server "with this benchmark's OAuth client and byte counters"
  ports_free BENCH_IMAP_PORT/BENCH_OAUTH_PORT/BENCH_HTTP_PORT "$IMAP_PORT" "$OAUTH_PORT" "$HTTP_PORT"
  say "starting imap-server ${SERVER_MODE[*]:-(CONDSTORE)} (IMAP :$IMAP_PORT, oauth2-fake :$OAUTH_PORT, client $BENCH_OAUTH_CLIENT_ID)"
  rig_start imap-server "$LOGDIR/imap-server.out" "${SERVER_MODE[@]}"
}
# IMAP bytes Dovecot sent: in the commands finished so far (its statistics: exact for a client that sends one
# command at a time, as the service's sessions do, checked against the logout lines below), and in the sessions
# that logged in after a point of its log (their logout lines: exact, for mbsync's pipelined FETCHes too)
imap_bytes() { helper imap-bytes "$DOVECOT_CONF" | cut -d' ' -f1; }
log_offset() { stat -c %s "$BENCH_DIR/imap/dovecot.log"; }
session_bytes() { helper imap-log-bytes "$BENCH_DIR/imap/dovecot.log" "$1" | cut -d' ' -f1; }   # session_bytes OFFSET

# ---- 2. the latency proxy (with --latency)
if [[ $LATENCY == 1 ]]; then
  ports_free BENCH_LATENCY_PORT "$LATENCY_PORT"
  python3 "$HERE/latency_proxy.py" serve "$LATENCY_PORT" "$IMAP_PORT" "$LATENCY_DELAY_MS" "$LATENCY_RATE" "$LATENCY_RATE" \
    "$LOGDIR/latency-proxy.json" >"$LOGDIR/latency-proxy.out" 2>&1 &
  BG_PIDS+=($!)
  for _ in $(seq 50); do port_open "$LATENCY_PORT" && break; sleep 0.1; done
  say "$(head -n 1 "$LOGDIR/latency-proxy.out")"
fi

# ---- 3. one run of the service per fetch mode
sync_run() {  # sync_run MODE: one service process, the initial sync with a cold JVM and/or a warm one
  local mode=$1 jvm
  start_rig
  read -r NMSG NBYTES < <(helper maildir-size "$SERVER_MAILDIR")
  say "INBOX of $RIG_USER: $NMSG messages, $(awk -v b="$NBYTES" 'BEGIN { printf "%.1f", b / 1e6 }') MB"
  if [[ $LATENCY == 1 ]]; then
    say "IMAP NOOP round trip (median, min, max ms): direct $(python3 "$HERE/latency_proxy.py" rtt "$IMAP_PORT"), through the proxy $(python3 "$HERE/latency_proxy.py" rtt "$LATENCY_PORT")"
  fi
  fresh_database "$DB" "$DB_PASS"
  say "starting the service, fetch mode $mode ($JAR, JAVA_OPTS='${JAVA_OPTS:-}', IMAP :$CLIENT_PORT), log $LOGDIR/service-$mode.log"
  start_java_service "$LOGDIR/service-$mode.log" "$DB" "$DB_PASS" MAILSYNC_SYNC_FETCH_MODE="$mode" \
    MAILSYNC_MICROSOFT_IMAP_PORT="$CLIENT_PORT"
  if [[ " ${JVMS[*]} " == *" cold "* ]]; then
    measure "$mode" cold
  else
    say "warming the service up: one initial sync of the mailbox, not measured"
    measure "$mode" warm-up
  fi
  if [[ " ${JVMS[*]} " == *" warm "* ]]; then
    for ((w = 0; w < WARM_UPS; w++)); do
      disconnect_mailbox
      say "warming the service up further: initial sync $((w + 1)) of $WARM_UPS, not measured"
      measure "$mode" warm-up
    done
    disconnect_mailbox
    measure "$mode" warm
  fi
  stop_service; SVC_LOG=""   # a failure from here on is not the service's: no tail of its log
  # the check of the statistics: the service's sessions (all ended now) by their logout lines; one figure per
  # service process, so it goes with its last run
  helper record "$RUNS_FILE.$mode" bytes_service_stats=$(($(imap_bytes) - B_SERVICE)) \
    bytes_service_sessions="$(session_bytes "$L_SERVICE")"
  python3 - "$RUNS_FILE.$mode" "$RUNS_FILE" <<'PY'
import json, sys
check = json.loads(open(sys.argv[1]).readlines()[-1])
runs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
with open(sys.argv[2], "w") as fh:
    for r in runs:
        if "bytes_service_stats" not in r:
            r.update(check)
        fh.write(json.dumps(r) + "\n")
PY
}

disconnect_mailbox() {  # the measured mailbox goes (DELETE: its rows with it), then VACUUM, then its peak RSS is reset
  local http
  http=$(api "$USER_TOKEN" -o /dev/null -w '%{http_code}' -X DELETE "$BASE/api/v1/mailboxes/$MAILBOX") || die "DELETE mailbox"
  [[ "$http" == 204 ]] || die "DELETE /api/v1/mailboxes/$MAILBOX answered $http (expected 204)"
  psql_admin -d "$DB" -qc 'vacuum analyze' || die "VACUUM"
  echo 5 > "/proc/$SVC_PID/clear_refs" || die "resetting the service's peak RSS"
  say "disconnected mailbox $MAILBOX (its $(psql_admin -d "$DB" -Atc 'select count(*) from message') messages left), vacuumed, peak RSS reset; connecting it again"
}

measure() {  # measure MODE JVM: connect, the initial sync, its indexing, the no-change passes; a line in RUNS_FILE
  local mode=$1 jvm=$2 b0 l0 b_sessions t0 initial wall rss_poll_kb t_sync b_sync t_indexed pending prev tp http r pass_s pass_wall rss_kb
  local nochange=() peak_kb passes
  passes=$(helper metric "$MANAGEMENT/q/metrics" mailsync_sync_passes_total) || die "GET /q/metrics"
  # provider settings and the connect flow, as an administrator and a browser would
  b0=$(imap_bytes); l0=$(log_offset)
  if [[ $jvm != warm ]]; then B_SERVICE=$b0; L_SERVICE=$l0; fi
  # shellcheck disable=SC2119  # no scope to require of the authorization URL
  connect_mailbox
  t0=$T_CALLBACK
  say "connected mailbox $MAILBOX ($(awk -v a="$(now)" -v b="$t0" 'BEGIN { printf "%.2f", a - b }') s); initial sync running ($jvm JVM)"

  # polling GET .../sync: one python process, 100 ms period, RSS sampled on every poll
  # poll MODE [PREV]: MODE initial = INBOX has NMSG messages and state idle; MODE pass = lastFinishedAt != PREV and idle.
  # Prints one JSON line: t (epoch s when seen), rss_max_kb, status (the last answer), pass_s (lastFinishedAt - lastStartedAt).
  poll() { helper poll "$BASE/api/v1/mailboxes/$MAILBOX/sync" "$USER_TOKEN" "$SVC_PID" "$NMSG" "$TIMEOUT" "$@"; }
  initial=$(poll initial) || die "initial sync"
  t_sync=$(printf '%s' "$initial" | json_get t); b_sync=$(imap_bytes)
  read -r wall rss_poll_kb < <(helper initial-wall "$initial" "$t0")
  say "initial sync done: $NMSG messages in $wall s wall (the API's lastFinishedAt - lastStartedAt: $(printf '%s' "$initial" | json_get pass_s) s), $(((b_sync - b0) / 1000000)) MB from IMAP"

  # search indexing runs right after the pass; the service counts the pass once it is over
  t_indexed=$(helper wait-metric "$MANAGEMENT/q/metrics" mailsync_sync_passes_total "$((passes + 1))" "$TIMEOUT") \
    || die "search indexing"
  pending=$(psql_admin -d "$DB" -Atc 'select count(*) from message where search is null')
  [[ "$pending" == 0 ]] || die "the pass was counted with $pending messages not indexed for search"
  b_sessions=$(helper imap-log-bytes "$BENCH_DIR/imap/dovecot.log" "$l0" 0 | cut -d' ' -f1)   # the sync's session has ended
  say "all messages searchable $(awk -v a="$t_indexed" -v b="$t0" 'BEGIN { printf "%.2f", a - b }') s after the connect (search indexing follows the pass)"
  [[ $jvm != warm-up ]] || return 0

  for i in $(seq "$NOCHANGE_RUNS"); do
    prev=$(api "$USER_TOKEN" -f "$BASE/api/v1/mailboxes/$MAILBOX/sync" | json_get lastFinishedAt) || die "GET .../sync"
    tp=$(now)
    http=$(api "$USER_TOKEN" -o /dev/null -w '%{http_code}' -X POST "$BASE/api/v1/mailboxes/$MAILBOX/sync") || die "POST .../sync"
    [[ "$http" == 2?? ]] || die "POST /api/v1/mailboxes/$MAILBOX/sync answered $http (expected 202)"
    r=$(poll pass "$prev") || die "no-change pass $i"
    read -r pass_s pass_wall rss_kb < <(helper pass-figures "$r" "$tp")
    say "no-change pass $i: $pass_s s (lastFinishedAt - lastStartedAt), $pass_wall s wall from POST (HTTP $http)"
    nochange+=("$pass_s"); rss_poll_kb=$((rss_kb > rss_poll_kb ? rss_kb : rss_poll_kb))
  done
  peak_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$SVC_PID/status")
  say "service RSS: peak (VmHWM) $((peak_kb / 1024)) MB, highest sampled $((rss_poll_kb / 1024)) MB"
  helper record "$RUNS_FILE" mode="$mode" jvm="$jvm$([[ $jvm == warm && $WARM_UPS -gt 0 ]] && echo " (+$WARM_UPS)")" t0="$t0" t_sync="$t_sync" t_indexed="$t_indexed" bytes_sync=$((b_sync - b0)) bytes_sync_sessions="$b_sessions" \
    peak_kb="$peak_kb" nochange="$(IFS=,; echo "${nochange[*]}")"
}
for mode in "${MODES[@]}"; do sync_run "$mode"; done

# ---- 4. mbsync on the same server (the last mode's Dovecot), the service stopped
say "run-mbsync --fsync no --runs $MBSYNC_RUNS (IMAP :$CLIENT_PORT)"
L0=$(log_offset)
BENCH_IMAP_PORT="$CLIENT_PORT" "$RIG/run-mbsync" --fsync no --runs "$MBSYNC_RUNS" 2>&1 | tee "$LOGDIR/mbsync.out" | sed 's/^/  /' \
  || die "run-mbsync failed"
helper mbsync-record "$RESULTS/mbsync.jsonl" "$BENCH_DIR/mbsync" "$MBSYNC_RUNS" "$(session_bytes "$L0")" "$MBSYNC_FILE"

# ---- 5. figures
touch "$LOGDIR/cpu.stop"; sleep 0.3
SERVER="$([[ ${#SERVER_MODE[@]} -gt 0 ]] && echo "Outlook-mode IMAP" || echo "Dovecot IMAP with CONDSTORE")"
if [[ $LATENCY == 1 ]]; then
  SERVER="$SERVER through latency_proxy.py ($LATENCY_DELAY_MS ms each way, $LATENCY_RATE B/s each way)"
  say "latency proxy's counters (every client): $(cat "$LOGDIR/latency-proxy.json")"
fi
helper report "$RUNS_FILE" "$MBSYNC_FILE" "$CPU_FILE" "$NMSG" "$NBYTES" "$RESULTS/mailsync.jsonl" "$(git_version)" \
  "${JAVA_OPTS:-}" "$SERVER" "$LOAD_START"
