#!/usr/bin/env bash
# idle-connections.sh: what holding N connections in IMAP IDLE costs one JVM at rest, two ways:
#   nio      push's IdleConnection on Vert.x event loops (what the service runs)
#   threads  Angus Mail's IMAPFolder.idle(), one blocked thread per connection
# Each way runs in its own JVM (JAVA_OPTS, default jvm.sh's CONTAINER_JAVA_OPTS, the container image's) and opens
# at most 32 connections at a time. The server (--server):
#   greenmail (default)  IdleBenchServer, GreenMail's IMAP (IDLE, SASL-IR, XOAUTH2) in a JVM of its own on
#                        127.0.0.1:$BENCH_IDLE_PORT (11150), users u0001..uN; started and stopped here
#   rig                  the rig's Dovecot (Outlook mode) and oauth2-fake tokens, already started with as many users:
#                        ../shared/bench/imap-server start --outlook --users N (Dovecot took about 270 IDLE
#                        sessions with BENCH_DOVECOT_EXTRA='service imap { client_limit = 20; service_count = 0 }'
#                        before logins stalled; see docs/benchmarks.md)
#
#   src/bench/idle-connections.sh [--count 2000] [--rest 60] [--modes "nio threads"] [--server greenmail|rig] [--no-build]
#
# It prints one JSON line per way (RSS, threads, heap, CPU seconds over the rest period) and appends them to
# $BENCH_DIR/results/idle-connections.jsonl.
# Env: BENCH_DIR (/tmp/bench), BENCH_IDLE_PORT (11150), BENCH_IMAP_PORT (10143), BENCH_OAUTH_PORT (10180), JAVA_OPTS.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"; ROOT="$(cd "$HERE/../.." && pwd)"
BENCH_DIR="${BENCH_DIR:-/tmp/bench}"; IMAP_PORT="${BENCH_IMAP_PORT:-10143}"; OAUTH_PORT="${BENCH_OAUTH_PORT:-10180}"
# shellcheck source=jvm.sh
. "$HERE/jvm.sh"
JAVA_OPTS="${JAVA_OPTS:-$CONTAINER_JAVA_OPTS}"
COUNT=2000; REST=60; MODES="nio threads"; BUILD=1; SERVER=greenmail; IDLE_PORT="${BENCH_IDLE_PORT:-11150}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --count) COUNT="$2"; shift 2 ;;
    --rest) REST="$2"; shift 2 ;;
    --modes) MODES="$2"; shift 2 ;;
    --server) SERVER="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 1 ;;
  esac
done

cd "$ROOT"
CP_FILE="$BENCH_DIR/idle-bench.classpath"
mkdir -p "$BENCH_DIR/results"
if [[ "$BUILD" == 1 || ! -s "$CP_FILE" ]]; then
  ./mvnw -B -q test-compile
  ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
fi
CP="target/classes:target/test-classes:$(cat "$CP_FILE")"
TOKENS="$BENCH_DIR/idle-bench-tokens.txt"
rm -f "$TOKENS"   # fresh tokens (they live BENCH_ACCESS_TTL, 1 h)
SERVER_PID=""
trap '[[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true' EXIT
if [[ "$SERVER" == greenmail ]]; then
  java -Xmx2g -cp "$CP" dev.mailsync.push.IdleBenchServer "$IDLE_PORT" "$COUNT" >"$BENCH_DIR/idle-bench-server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 60); do grep -q "GreenMail IMAP on" "$BENCH_DIR/idle-bench-server.log" && break; sleep 1; done
  PORT="$IDLE_PORT"; AUTH=greenmail
else
  PORT="$IMAP_PORT"; AUTH="http://127.0.0.1:$OAUTH_PORT"
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -m | awk '/Mem:/ {print $2}') MB"
for mode in $MODES; do
  # shellcheck disable=SC2086  # JAVA_OPTS is a list of options
  java $JAVA_OPTS -Dbench.tokens="$TOKENS" -cp "$CP" dev.mailsync.push.IdleBench "$mode" "$COUNT" 127.0.0.1 \
    "$PORT" "$AUTH" "$REST" 2>"$BENCH_DIR/idle-bench-$mode.err" \
    | tee -a "$BENCH_DIR/results/idle-connections.jsonl"
  sleep 5   # the server closes the last run's sessions
done
