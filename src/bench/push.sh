#!/usr/bin/env bash
# push.sh: the scale benchmark of issue 12 (section 5) against the local Microsoft 365 rig with many mailboxes:
# how long connecting N mailboxes and their first sync take, how soon new mail is listed by the API, and what the
# service and PostgreSQL cost (RSS, threads, CPU seconds) at rest and during the sync.
#
#   src/bench/push.sh [--no-build] [--keep-servers] [--users N] [--parallel P] [--samples K] [--poll S]
#                     [--rest S] [--timeout S] [--label L] [--env NAME=VALUE]... [--replicas 1|2] [--jfr]
#
# --users N      rig users u0001..uNNNN (20 + 1 messages each), one mailbox each (default 2000)
# --parallel P   connect flows at once (default 16)
# --samples K    INBOXes (random, seed 12) that get a new message for the latency figure (default 50)
# --poll S       how often the client polls each of those mailboxes' message list (default 0.5 s)
# --rest S       the quiet windows measured before the connects and after the first sync (default 30 s)
# --timeout S    longest wait for the first sync of all, and for the new mail to be listed (default 600)
# --label L      a name for this run in the results (default: the git version)
# --env N=V      an extra setting of the service (repeatable), e.g. --env MAILSYNC_SYNC_MAX_CONCURRENCY=4
# --replicas 2   a second service process on the same database (HTTP BENCH_HTTP_PORT+1, management
#                BENCH_MANAGEMENT_PORT+1): the first sync runs on both, the watches are counted per replica, and after
#                the first latency figure the second replica is SIGKILLed: 5. the time until the survivor watches
#                every mailbox and the dead replica's leases (watch and sync) have run out, then 6. the latency again
#                on K other random INBOXes (about half of them were the dead replica's)
# --jfr          a JDK Flight Recording (settings=profile) of the first replica from the first connect until every
#                mailbox is synced, into $BENCH_DIR/mailsync/push/first-sync.jfr, and its hottest frames
#
# Run as root from anywhere. Steps: imap-server start --outlook --users N -> PostgreSQL 15 (fresh database
# mailsync_push_bench) -> ./mvnw package -> bearer tokens for app users bench-u0001.. -> the packaged service
# (JAVA_OPTS as the container: lib.sh's CONTAINER_JAVA_OPTS; sync interval 60 s) -> 1. at rest, no mailboxes ->
# 2. provider settings, then the real connect flow of all N mailboxes, P at once (app user bench-uNNNN picks
# uNNNN@example.com at the authorize step), timed, while PostgreSQL's mailbox_sync is watched until every mailbox
# has finished its first pass (CPU and RSS sampled every second) -> 3. at rest with N mailboxes (periodic passes)
# -> 4. latency: a message APPENDed (imaplib, LOGIN as the user) to K random INBOXes, each polled through
# GET .../messages?folder=INBOX until listed -> figures with the machine and its load, a JSON line in
# $BENCH_DIR/results/push.jsonl. Exit status: 0 when the run completed, 1 on an error.
#
# Env: as initial-sync.sh (BENCH_RIG, BENCH_DIR, the ports, JAVA_OPTS, BENCH_OAUTH_CLIENT_ID/SECRET), BENCH_DB (default
# mailsync_push_bench), BENCH_DB_PASSWORD, BENCH_JAR (another build's quarkus-run.jar, e.g. a copy of
# target/quarkus-app made before a change, to compare builds with the same command; use with --no-build).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"; SAY_TAG=push
# shellcheck source=lib.sh
. "$HERE/lib.sh"   # ROOT, RIG, BENCH_DIR, the ports, BASE, CALLBACK, the OAuth client, LOGDIR, RESULTS; helpers
helper() { python3 "$HERE/push.py" "$@"; }
JAR="${BENCH_JAR:-$JAR}"   # another build's quarkus-run.jar (a before/after comparison; with --no-build)
DB="${BENCH_DB:-mailsync_push_bench}"; DB_PASS="${BENCH_DB_PASSWORD:-$DB}"
export PUSH_DB="$DB"   # push.py counts only this database's PostgreSQL backends
BUILD=1; KEEP=0; USERS=2000; PARALLEL=16; SAMPLES=50; POLL=0.5; REST=30; TIMEOUT=600; LABEL=""; EXTRA_ENV=()
REPLICAS=1; JFR=0; SVC2_PID=
RIG_STOP=(imap-server)

while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) BUILD=0; shift ;;
    --keep-servers) KEEP=1; shift ;;
    --users) USERS="$2"; shift 2 ;;
    --parallel) PARALLEL="$2"; shift 2 ;;
    --samples) SAMPLES="$2"; shift 2 ;;
    --poll) POLL="$2"; shift 2 ;;
    --rest) REST="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --label) LABEL="$2"; shift 2 ;;
    --env) EXTRA_ENV+=("$2"); shift 2 ;;
    --replicas) REPLICAS="$2"; shift 2 ;;
    --jfr) JFR=1; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
LABEL="${LABEL:-$(git_version)}"
[[ $REPLICAS == 1 || $REPLICAS == 2 ]] || { echo "--replicas is 1 or 2" >&2; exit 2; }
HTTP2_PORT=$((HTTP_PORT + 1)); MANAGEMENT2_PORT=$((MANAGEMENT_PORT + 1))

bench_begin
push_cleanup() {  # the EXIT trap: the second replica too, then lib.sh's cleanup with the script's exit status
  local rc=$?
  if alive "$SVC2_PID"; then kill -TERM "$SVC2_PID" 2>/dev/null || true; wait "$SVC2_PID" 2>/dev/null || true; fi
  set +e; (exit $rc); cleanup  # set -e would end the trap at (exit $rc)
}
trap push_cleanup EXIT
preflight curl python3 openssl java pg_ctlcluster runuser
[[ $JFR == 0 ]] || preflight jcmd jfr
mkdir -p "$LOGDIR" "$RESULTS"
OUT="$LOGDIR/push"; mkdir -p "$OUT"; rm -f "$OUT"/*.json "$OUT"/ids "$OUT"/tokens "$OUT"/held-by-dead "$OUT"/*.jfr "$OUT"/*-jfr.txt
say "machine: $(helper machine)"

# ---- the rig: Outlook-like IMAP with N users, oauth2-fake requiring our client
rig_stop_running imap-server "with $USERS users and this benchmark's OAuth client"
ports_free BENCH_IMAP_PORT/BENCH_OAUTH_PORT/BENCH_HTTP_PORT "$IMAP_PORT" "$OAUTH_PORT" "$HTTP_PORT" "$MANAGEMENT_PORT"
[[ $REPLICAS == 1 ]] || ports_free BENCH_HTTP_PORT/BENCH_MANAGEMENT_PORT "$HTTP2_PORT" "$MANAGEMENT2_PORT"
# Push holds a connection in IDLE per mailbox: the rig's Dovecot allows 256 imap processes, so idle sessions
# hibernate (handed to imap-hibernate after 1 s of IDLE, woken by a change; Dovecot needs inotify instances for
# that) and the imap-master socket is opened to the dovecot user that wakes them.
sysctl -qw fs.inotify.max_user_instances=8192 fs.inotify.max_user_watches=1048576 || say "could not raise inotify limits"
HIBERNATE=$'imap_hibernate_timeout = 1s\nservice imap {\n  unix_listener imap-master {\n    user = dovecot\n  }\n}\nservice imap-hibernate {\n  process_limit = 8\n  client_limit = 1000\n}'
export BENCH_DOVECOT_EXTRA="${BENCH_DOVECOT_EXTRA:-$HIBERNATE}"
say "starting imap-server --outlook --users $USERS"
rig_start imap-server "$LOGDIR/imap-server.out" --outlook --users "$USERS"

fresh_database "$DB" "$DB_PASS"
build_jar
helper tokens "$ROOT/src/dev/dev-jwt-private.pem" "$USERS" "$OUT/tokens"
say "bearer tokens for bench-u0001..bench-u$(printf %04d "$USERS") minted"

say "starting the service (JAVA_OPTS='${JAVA_OPTS:-}', sync interval 60 s${EXTRA_ENV[*]:+, ${EXTRA_ENV[*]}}), log $LOGDIR/push-service.log"
# HOSTNAME names the replica in the lease tables (ReplicaId: host name + a random suffix)
start_java_service "$LOGDIR/push-service.log" "$DB" "$DB_PASS" HOSTNAME=bench-r1 MAILSYNC_SYNC_INTERVAL=60s "${EXTRA_ENV[@]}"
PG_PID=$(head -n 1 /var/lib/postgresql/15/main/postmaster.pid)
SVC_PIDS=("$SVC_PID")
if [[ $REPLICAS == 2 ]]; then
  # the second replica: same database, key and public URL (behind one load balancer), its own HTTP/management ports
  SVC1_PID=$SVC_PID; SVC1_LOG=$SVC_LOG
  HTTP_PORT=$HTTP2_PORT MANAGEMENT_PORT=$MANAGEMENT2_PORT MANAGEMENT="http://127.0.0.1:$MANAGEMENT2_PORT" \
    start_java_service "$LOGDIR/push-service-2.log" "$DB" "$DB_PASS" HOSTNAME=bench-r2 MAILSYNC_SYNC_INTERVAL=60s \
    "${EXTRA_ENV[@]}"
  SVC2_PID=$SVC_PID; SVC_PID=$SVC1_PID; SVC_LOG=$SVC1_LOG
  SVC_PIDS+=("$SVC2_PID")
  say "second replica ready (pid $SVC2_PID, HTTP $HTTP2_PORT, management $MANAGEMENT2_PORT)"
fi

# ---- 1. at rest, no mailboxes
say "at rest, no mailboxes ($REST s)"
helper rest "$REST" "$PG_PID" "${SVC_PIDS[@]}" | tee "$OUT/rest-empty.json"

# ---- 2. connect all, and the first sync of all
provider_settings
say "connecting $USERS mailboxes, $PARALLEL flows at once; watching the first sync"
[[ $JFR == 0 ]] || jcmd "$SVC_PID" JFR.start name=first-sync settings=profile filename="$OUT/first-sync.jfr" >/dev/null
helper connect "$BASE" "$CALLBACK" "$OUT/tokens" "$USERS" "$PARALLEL" "$OUT/ids" >"$OUT/connect.json" &
CONNECT_PID=$!
helper wait-synced "$DB" "$OUT/connect.json" "$TIMEOUT" "$MANAGEMENT" "$PG_PID" "${SVC_PIDS[@]}" | tee "$OUT/first-sync.json" \
  || { kill "$CONNECT_PID" 2>/dev/null || true; die "first sync"; }
wait "$CONNECT_PID" || die "connect"
cat "$OUT/connect.json"
if [[ $JFR == 1 ]]; then
  jcmd "$SVC_PID" JFR.stop name=first-sync >/dev/null
  say "JFR recording $OUT/first-sync.jfr; hottest frames (of the service's CPU samples):"
  helper jfr-top "$OUT/first-sync.jfr" 25 | tee "$OUT/first-sync-jfr.txt"
fi

# ---- 3. at rest with N mailboxes (the periodic passes go on)
say "at rest with $USERS mailboxes ($REST s)"
helper rest "$REST" "$PG_PID" "${SVC_PIDS[@]}" | tee "$OUT/rest-full.json"
helper shares "$DB" "$OUT/shares.json" "${SVC_PIDS[@]}"

# ---- 4. latency: APPEND -> listed by the API
say "APPEND to $SAMPLES random INBOXes, polling each message list every $POLL s"
helper latency "$BASE" "$OUT/tokens" "$OUT/ids" "$SAMPLES" 12 "$IMAP_PORT" "$POLL" "$TIMEOUT" "$LABEL" \
  | tee "$OUT/latency.json"

if [[ $REPLICAS == 2 ]]; then
  # ---- 5. SIGKILL the second replica; the survivor takes its watches over once their leases have run out
  helper shares "$DB" "$OUT/shares-before-kill.json" "${SVC_PIDS[@]}" >/dev/null
  say "SIGKILL of the second replica (pid $SVC2_PID); waiting until the first watches every mailbox"
  T_KILL=$(now); kill -KILL "$SVC2_PID"; wait "$SVC2_PID" 2>/dev/null || true; SVC2_PID=""
  helper takeover "$DB" "$T_KILL" bench-r1 bench-r2 "$TIMEOUT" "$OUT/held-by-dead" "$PG_PID" "$SVC_PID" \
    | tee "$OUT/takeover.json"
  # ---- 6. latency again, on other random INBOXes (another seed)
  say "APPEND to $SAMPLES other random INBOXes after the takeover"
  helper latency "$BASE" "$OUT/tokens" "$OUT/ids" "$SAMPLES" 13 "$IMAP_PORT" "$POLL" "$TIMEOUT" "$LABEL" \
    "$OUT/held-by-dead" | tee "$OUT/latency-after-kill.json"
fi

# ---- figures
helper report -- "$OUT" "$LABEL" "${JAVA_OPTS:-}" "$(IFS=' '; echo "${EXTRA_ENV[*]:-}")" "$RESULTS/push.jsonl"
