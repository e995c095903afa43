#!/usr/bin/env bash
# push.sh: the scale benchmark of issue 12 (section 5) against the local Microsoft 365 rig with many mailboxes:
# how long connecting N mailboxes and their first sync take, how soon new mail is listed by the API, and what the
# service and PostgreSQL cost (RSS, threads, CPU seconds) at rest and during the sync.
#
#   src/bench/push.sh [--no-build] [--keep-servers] [--users N] [--parallel P] [--samples K] [--poll S]
#                     [--rest S] [--timeout S] [--label L] [--env NAME=VALUE]...
#
# --users N      rig users u0001..uNNNN (20 + 1 messages each), one mailbox each (default 2000)
# --parallel P   connect flows at once (default 16)
# --samples K    INBOXes (random, seed 12) that get a new message for the latency figure (default 50)
# --poll S       how often the client polls each of those mailboxes' message list (default 0.5 s)
# --rest S       the quiet windows measured before the connects and after the first sync (default 30 s)
# --timeout S    longest wait for the first sync of all, and for the new mail to be listed (default 600)
# --label L      a name for this run in the results (default: the git version)
# --env N=V      an extra setting of the service (repeatable), e.g. --env MAILSYNC_SYNC_MAX_CONCURRENCY=4
#
# Run as root from anywhere. Steps: imap-server start --outlook --users N -> PostgreSQL 15 (fresh database
# mailsync_push_bench) -> ./mvnw package -> bearer tokens for app users bench-u0001.. -> the packaged service
# (JAVA_OPTS as the container: -Xmx256m -XX:+UseParallelGC; sync interval 60 s) -> 1. at rest, no mailboxes ->
# 2. provider settings, then the real connect flow of all N mailboxes, P at once (app user bench-uNNNN picks
# uNNNN@example.com at the authorize step), timed, while PostgreSQL's mailbox_sync is watched until every mailbox
# has finished its first pass (CPU and RSS sampled every second) -> 3. at rest with N mailboxes (periodic passes)
# -> 4. latency: a message APPENDed (imaplib, LOGIN as the user) to K random INBOXes, each polled through
# GET .../messages?folder=INBOX until listed -> figures with the machine and its load, a JSON line in
# $BENCH_DIR/results/push.jsonl. Exit status: 0 when the run completed, 1 on an error.
#
# Env: as initial-sync.sh (BENCH_RIG, BENCH_DIR, the ports, JAVA_OPTS, BENCH_OAUTH_CLIENT_ID/SECRET), BENCH_DB_PASSWORD.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"; SAY_TAG=push
# shellcheck source=lib.sh
. "$HERE/lib.sh"   # ROOT, RIG, BENCH_DIR, the ports, BASE, CALLBACK, the OAuth client, LOGDIR, RESULTS; helpers
helper() { python3 "$HERE/push.py" "$@"; }
DB=mailsync_push_bench; DB_PASS="${BENCH_DB_PASSWORD:-mailsync_push_bench}"
BUILD=1; KEEP=0; USERS=2000; PARALLEL=16; SAMPLES=50; POLL=0.5; REST=30; TIMEOUT=600; LABEL=""; EXTRA_ENV=()
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
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
LABEL="${LABEL:-$(git_version)}"

bench_begin
preflight curl python3 openssl java pg_ctlcluster runuser
mkdir -p "$LOGDIR" "$RESULTS"
OUT="$LOGDIR/push"; mkdir -p "$OUT"; rm -f "$OUT"/*.json "$OUT"/ids "$OUT"/tokens
say "machine: $(helper machine)"

# ---- the rig: Outlook-like IMAP with N users, oauth2-fake requiring our client
rig_stop_running imap-server "with $USERS users and this benchmark's OAuth client"
ports_free BENCH_IMAP_PORT/BENCH_OAUTH_PORT/BENCH_HTTP_PORT "$IMAP_PORT" "$OAUTH_PORT" "$HTTP_PORT" "$MANAGEMENT_PORT"
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
start_java_service "$LOGDIR/push-service.log" "$DB" "$DB_PASS" MAILSYNC_SYNC_INTERVAL=60s "${EXTRA_ENV[@]}"
PG_PID=$(head -n 1 /var/lib/postgresql/15/main/postmaster.pid)

# ---- 1. at rest, no mailboxes
say "at rest, no mailboxes ($REST s)"
helper rest "$REST" "$PG_PID" "$SVC_PID" | tee "$OUT/rest-empty.json"

# ---- 2. connect all, and the first sync of all
provider_settings
say "connecting $USERS mailboxes, $PARALLEL flows at once; watching the first sync"
helper connect "$BASE" "$CALLBACK" "$OUT/tokens" "$USERS" "$PARALLEL" "$OUT/ids" >"$OUT/connect.json" &
CONNECT_PID=$!
helper wait-synced "$DB" "$OUT/connect.json" "$TIMEOUT" "$MANAGEMENT" "$PG_PID" "$SVC_PID" | tee "$OUT/first-sync.json" \
  || { kill "$CONNECT_PID" 2>/dev/null || true; die "first sync"; }
wait "$CONNECT_PID" || die "connect"
cat "$OUT/connect.json"

# ---- 3. at rest with N mailboxes (the periodic passes go on)
say "at rest with $USERS mailboxes ($REST s)"
helper rest "$REST" "$PG_PID" "$SVC_PID" | tee "$OUT/rest-full.json"

# ---- 4. latency: APPEND -> listed by the API
say "APPEND to $SAMPLES random INBOXes, polling each message list every $POLL s"
helper latency "$BASE" "$OUT/tokens" "$OUT/ids" "$SAMPLES" 12 "$IMAP_PORT" "$POLL" "$TIMEOUT" "$LABEL" \
  | tee "$OUT/latency.json"

# ---- figures
helper report -- "$OUT" "$LABEL" "${JAVA_OPTS:-}" "$(IFS=' '; echo "${EXTRA_ENV[*]:-}")" "$RESULTS/push.jsonl"
