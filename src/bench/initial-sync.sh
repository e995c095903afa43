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
# BENCH_IMAP_PORT (10143), BENCH_OAUTH_PORT (10180), BENCH_HTTP_PORT (8080), BENCH_MANAGEMENT_PORT (9000),
# BENCH_DB (the database, mailsync_bench: another name lets a second run use the same PostgreSQL), JAVA_OPTS (default -Xmx256m -XX:+UseParallelGC,
# the heap and collector of the container image),
# BENCH_OAUTH_CLIENT_ID / BENCH_OAUTH_CLIENT_SECRET (the Entra app oauth2-fake is started to require,
# default mailsync-bench / mailsync-bench-secret), BENCH_DB_PASSWORD, BENCH_COUNT (10000), BENCH_SEED (42).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"; SAY_TAG=bench
# shellcheck source=lib.sh
. "$HERE/lib.sh"   # ROOT, RIG, BENCH_DIR, the ports, BASE, CALLBACK, RIG_USER, the OAuth client, LOGDIR, RESULTS; helpers
# the client side (polling, the figures, the report): initial_sync.py, one subcommand per phase
helper() { local c=$1; shift; if (($#)); then python3 "$HERE/initial_sync.py" "$c" -- "$@"; else python3 "$HERE/initial_sync.py" "$c"; fi; }
export BENCH_CORPUS="${BENCH_CORPUS:-$BENCH_DIR/corpus/Maildir}"
SERVER_MAILDIR="$BENCH_DIR/imap/home/${RIG_USER%%@*}/Maildir"
DB="${BENCH_DB:-mailsync_bench}"; DB_PASS="${BENCH_DB_PASSWORD:-mailsync_bench}"
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
read -r NMSG NBYTES < <(helper maildir-size "$SERVER_MAILDIR")
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
T0=$T_CALLBACK; CPU0=$(cpu_s "$SVC_PID")
say "connected mailbox $MAILBOX ($(awk -v a="$(now)" -v b="$T0" 'BEGIN { printf "%.2f", a - b }') s); initial sync running"

# ---- 6./7. polling GET .../sync: one python process, 100 ms period, RSS sampled on every poll
# poll MODE [PREV]: MODE initial = INBOX has NMSG messages and state idle; MODE pass = lastFinishedAt != PREV and idle.
# Prints one JSON line: t (epoch s when seen), rss_max_kb, status (the last answer), pass_s (lastFinishedAt - lastStartedAt).
poll() {
  helper poll "$BASE/api/v1/mailboxes/$MAILBOX/sync" "$USER_TOKEN" "$SVC_PID" "$NMSG" "$TIMEOUT" "$@"
}
INITIAL=$(poll initial) || die "initial sync"
read -r WALL RSS_POLL_KB < <(helper initial-wall "$INITIAL" "$T0")
say "initial sync done: $NMSG messages in $WALL s wall (the API's lastFinishedAt - lastStartedAt: $(printf '%s' "$INITIAL" | json_get pass_s) s), service CPU $(awk -v a="$(cpu_s "$SVC_PID")" -v b="$CPU0" 'BEGIN { printf "%.1f", a - b }') s"

# search indexing runs right after the pass; the no-change passes are timed once it has settled
for _ in $(seq 600); do
  PENDING=$(su postgres -c "psql -d $DB -Atc 'select count(*) from message where search is null'")
  [[ "$PENDING" == 0 ]] && break
  sleep 0.1
done
say "all messages searchable $(helper since "$T0") s after the connect (search indexing follows the pass)"

NOCHANGE=()
for i in $(seq "$NOCHANGE_RUNS"); do
  PREV=$(api "$USER_TOKEN" -f "$BASE/api/v1/mailboxes/$MAILBOX/sync" | json_get lastFinishedAt) || die "GET .../sync"
  TP=$(now)
  HTTP=$(api "$USER_TOKEN" -o /dev/null -w '%{http_code}' -X POST "$BASE/api/v1/mailboxes/$MAILBOX/sync") || die "POST .../sync"
  [[ "$HTTP" == 2?? ]] || die "POST /api/v1/mailboxes/$MAILBOX/sync answered $HTTP (expected 202)"
  R=$(poll pass "$PREV") || die "no-change pass $i"
  read -r PASS_S PASS_WALL RSS_KB < <(helper pass-figures "$R" "$TP")
  say "no-change pass $i: $PASS_S s (lastFinishedAt - lastStartedAt), $PASS_WALL s wall from POST (HTTP $HTTP)"
  NOCHANGE+=("$PASS_S"); RSS_POLL_KB=$((RSS_KB > RSS_POLL_KB ? RSS_KB : RSS_POLL_KB))
done
NOCHANGE_MED=$(printf '%s\n' "${NOCHANGE[@]}" | helper median)
PEAK_KB=$(awk '/VmHWM/ { print $2 }' "/proc/$SVC_PID/status")
say "service RSS: peak (VmHWM) $((PEAK_KB / 1024)) MB, highest sampled $((RSS_POLL_KB / 1024)) MB"

# ---- 8. mbsync on the same server, the service stopped
stop_service; SVC_LOG=""   # a failure from here on is not the service's: no tail of its log
say "run-mbsync --fsync no --runs $MBSYNC_RUNS"
"$RIG/run-mbsync" --fsync no --runs "$MBSYNC_RUNS" 2>&1 | tee "$LOGDIR/mbsync.out" | sed 's/^/  /' || die "run-mbsync failed"
MBSYNC=$(awk '$1 == "wall_s" && $2 == "median" { print $3 }' "$LOGDIR/mbsync.out")
[[ -n "$MBSYNC" ]] || die "no 'wall_s median' in run-mbsync's output"

# ---- 9. figures
helper report "$NMSG" "$NBYTES" "$WALL" "$PEAK_KB" "$NOCHANGE_MED" "$MBSYNC" "$(IFS=,; echo "${NOCHANGE[*]}")" \
  "$RESULTS/mailsync.jsonl" "$(git_version)" "${JAVA_OPTS:-}" \
  "$([[ ${#SERVER_MODE[@]} -gt 0 ]] && echo "Outlook-mode IMAP" || echo "Dovecot IMAP with CONDSTORE")"

