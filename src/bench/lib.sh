# shellcheck shell=bash
# lib.sh: the shell code initial-sync.sh and send.sh share. Sourced, not run, right after the script sets HERE
# (its own directory), under set -euo pipefail:
#
#   HERE="$(cd "$(dirname "$0")" && pwd)"; SAY_TAG=send
#   . "$HERE/lib.sh"
#
# Sourcing sets, from the environment with these defaults (each script's header documents them):
#   ROOT           the repository (two levels above HERE)
#   RIG            the rig's scripts: BENCH_RIG, default ../../../shared/bench from HERE
#   BENCH_DIR      exported; /tmp/bench
#   IMAP_PORT OAUTH_PORT HTTP_PORT   BENCH_IMAP_PORT (10143), BENCH_OAUTH_PORT (10180), BENCH_HTTP_PORT (8080), BENCH_MANAGEMENT_PORT (9000)
#   BASE CALLBACK  the service's URL and its OAuth redirect URI
#   RIG_USER       BENCH_USER, default bench@example.com: the rig's mailbox the connect flow consents as
#   BENCH_OAUTH_CLIENT_ID BENCH_OAUTH_CLIENT_SECRET BENCH_OAUTH_ARGS   exported: the Entra app the rig's
#                  oauth2-fake is started to require (default mailsync-bench / mailsync-bench-secret)
#   LOGDIR RESULTS $BENCH_DIR/mailsync, $BENCH_DIR/results
#   JAVA_OPTS      default CONTAINER_JAVA_OPTS (jvm.sh): what the container image gives the JVM; the service's
#                  process also gets the Dockerfile's MALLOC_ARENA_MAX
#   JAR            the packaged service, target/quarkus-app/quarkus-run.jar
# and the state the functions keep:
#   SVC_PID SVC_LOG  the running service and its log (cleanup prints the log's tail on failure while SVC_LOG is set)
#   RIG_STOP         the rig servers cleanup stops, in this order, unless KEEP is 1 (empty: none)
#   ENC_KEY OIDC_KEY the service's encryption key and token public key, made on its first start (restarts keep them)
# The caller sets SAY_TAG (the tag of say's lines), and KEEP and BUILD (its options --keep-servers, --no-build).
# shellcheck disable=SC2034  # the settings are the callers'
# shellcheck disable=SC2154  # SAY_TAG, KEEP and BUILD are the caller's

ROOT="$(cd "$HERE/../.." && pwd)"
RIG="$(cd "${BENCH_RIG:-$HERE/../../../shared/bench}" && pwd)"
export BENCH_DIR="${BENCH_DIR:-/tmp/bench}"
IMAP_PORT="${BENCH_IMAP_PORT:-10143}"; OAUTH_PORT="${BENCH_OAUTH_PORT:-10180}"; HTTP_PORT="${BENCH_HTTP_PORT:-8080}"
BASE="http://127.0.0.1:$HTTP_PORT"
# health and metrics: the management interface
MANAGEMENT_PORT="${BENCH_MANAGEMENT_PORT:-9000}"; MANAGEMENT="http://127.0.0.1:$MANAGEMENT_PORT"
CALLBACK="$BASE/api/v1/mailboxes/connect/microsoft/callback"
RIG_USER="${BENCH_USER:-bench@example.com}"
# oauth2-fake accepts any client without these; with them it checks client id + secret (token endpoint),
# the registered redirect URI (authorize) and PKCE, as Entra ID would
export BENCH_OAUTH_CLIENT_ID="${BENCH_OAUTH_CLIENT_ID:-mailsync-bench}"
export BENCH_OAUTH_CLIENT_SECRET="${BENCH_OAUTH_CLIENT_SECRET:-mailsync-bench-secret}"
export BENCH_OAUTH_ARGS="--require-pkce --redirect-uri $CALLBACK ${BENCH_OAUTH_ARGS:-}"
LOGDIR="$BENCH_DIR/mailsync"; RESULTS="$BENCH_DIR/results"
# shellcheck source=jvm.sh
. "$HERE/jvm.sh"   # CONTAINER_JAVA_OPTS, CONTAINER_MALLOC_ARENA_MAX
JAVA_OPTS="${JAVA_OPTS:-$CONTAINER_JAVA_OPTS}"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
SVC_PID=""; SVC_LOG=""; RIG_STOP=(); ENC_KEY=""; OIDC_KEY=""

# ---- helpers
say() { printf '[%s %4ds] %s\n' "$SAY_TAG" "$(($(date +%s) - T_START))" "$*"; }
die() { say "FAILED: $*" >&2; exit 1; }
now() { date +%s.%N; }
alive() { [[ -n "$1" && -r /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }  # zombies too
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
json_get() { python3 -c 'import json,sys; v=json.load(sys.stdin); print(v[sys.argv[1]])' "$1"; }
api() { curl -sS --max-time 30 -H "Authorization: Bearer $1" "${@:2}"; }   # api TOKEN [curl args] URL
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / t }' "/proc/$1/stat" 2>/dev/null || echo 0; }  # cpu_s PID: user+system CPU seconds so far
rss_mb() { awk -v k="$2:" '$1 == k { print int($2 / 1024) }' "/proc/$1/status" 2>/dev/null || echo 0; }  # rss_mb PID VmRSS|VmHWM
git_version() { (cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo unknown); }

# ---- the service's end and the script's
stop_service() {
  alive "$SVC_PID" || { SVC_PID=""; return 0; }
  say "stopping the service (pid $SVC_PID)"
  kill -TERM "$SVC_PID" 2>/dev/null || true
  for _ in $(seq 300); do alive "$SVC_PID" || break; sleep 0.1; done
  alive "$SVC_PID" && { say "still alive after 30 s: SIGKILL"; kill -KILL "$SVC_PID" 2>/dev/null || true; }
  wait "$SVC_PID" 2>/dev/null || true
  SVC_PID=""
}
cleanup() {  # the EXIT trap [RC]: the service log's tail on failure, the service stopped, the rig servers of RIG_STOP
  local rc=${1:-$?} s
  if [[ $rc -ne 0 && -n "$SVC_LOG" && -s "$SVC_LOG" ]]; then
    echo "---- last lines of $SVC_LOG" >&2; tail -n 25 "$SVC_LOG" >&2
  fi
  stop_service
  if [[ $KEEP == 0 ]]; then
    for s in "${RIG_STOP[@]}"; do "$RIG/$s" stop 2>&1 | sed 's/^/  /' || true; done
  fi
  exit $rc
}
bench_begin() {  # after the options: the clock of say, and cleanup on exit
  T_START=$(date +%s)
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}
preflight() {  # preflight TOOL...: root, and every tool on the PATH
  [[ $EUID -eq 0 ]] || die "run as root (the rig needs it)"
  local t
  for t in "$@"; do command -v "$t" >/dev/null || die "$t not found"; done
}

# ---- the rig
ports_free() {  # ports_free HINT PORT...: dies when one is taken (HINT: the variables that move ours)
  local p
  for p in "${@:2}"; do
    port_open "$p" && die "port $p is in use by another process ($1 move ours)"
  done
  return 0
}
rig_stop_running() {  # rig_stop_running SERVER [WHY]: stops the rig's SERVER (imap-server, smtp-server) if it runs
  if "$RIG/$1" status >/dev/null 2>&1; then
    say "$1 already running: restarting it${2:+ $2}"; "$RIG/$1" stop 2>&1 | sed 's/^/  /'
  fi
}
rig_start() {  # rig_start SERVER OUTFILE [ARGS...]: "$RIG/SERVER start ARGS", its output into OUTFILE, its summary lines
  "$RIG/$1" start "${@:3}" >"$2" 2>&1 || { cat "$2" >&2; die "$1 start"; }
  grep "^$1:" "$2" | sed 's/^/  /' || true
}

# ---- PostgreSQL 15, the build, the service
psql_admin() { (cd / && PGOPTIONS='-c client_min_messages=warning' runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 "$@"); }
fresh_database() {  # fresh_database DB PASSWORD: PostgreSQL 15 started if stopped; role DB (LOGIN, PASSWORD), database DB
  pg_ctlcluster 15 main status >/dev/null 2>&1 || { say "starting PostgreSQL 15"; pg_ctlcluster 15 main start; }
  psql_admin -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$1') THEN CREATE ROLE $1 LOGIN; END IF; END \$\$;" \
    -c "ALTER ROLE $1 LOGIN PASSWORD '$2';" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE);" -c "CREATE DATABASE $1 OWNER $1;"
  say "PostgreSQL: fresh database $1"
}
build_jar() {  # ./mvnw package when BUILD is 1; JAR must exist
  if [[ $BUILD == 1 ]]; then
    say "building (./mvnw -B -q package -DskipTests)"; (cd "$ROOT" && ./mvnw -B -q package -DskipTests) || die "build failed"
  fi
  [[ -f "$JAR" ]] || die "$JAR missing (build first, or drop --no-build)"
}
start_java_service() {  # start_java_service LOG DB DB_PASSWORD [NAME=VALUE...]: the packaged service on DB, pointed at
  # the rig (IMAP without TLS, oauth2-fake as the Microsoft authority, sync interval 1h), with the extra variables;
  # output into LOG. Sets SVC_LOG and SVC_PID; returns when it is ready (dies after 60 s).
  SVC_LOG="$1"
  [[ -n "$ENC_KEY" ]] || ENC_KEY="$(openssl rand -base64 32)"
  [[ -n "$OIDC_KEY" ]] || OIDC_KEY="$(sed '/-----/d' "$ROOT/src/dev/dev-jwt-public.pem" | tr -d '\n')"
  # shellcheck disable=SC2086  # JAVA_OPTS is a list of options
  env QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$HTTP_PORT" \
    QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT="$MANAGEMENT_PORT" \
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$2" \
    QUARKUS_DATASOURCE_USERNAME="$2" QUARKUS_DATASOURCE_PASSWORD="$3" \
    MAILSYNC_ENCRYPTION_KEY="$ENC_KEY" QUARKUS_OIDC_PUBLIC_KEY="$OIDC_KEY" \
    QUARKUS_OIDC_TOKEN_ISSUER=https://mailsync.dev/local-issuer MAILSYNC_PUBLIC_URL="$BASE" \
    MAILSYNC_MICROSOFT_AUTHORITY="http://127.0.0.1:$OAUTH_PORT" MAILSYNC_MICROSOFT_IMAP_HOST=127.0.0.1 \
    MAILSYNC_MICROSOFT_IMAP_PORT="$IMAP_PORT" MAILSYNC_MICROSOFT_IMAP_TLS=none MAILSYNC_SYNC_INTERVAL=1h \
    MAILSYNC_MICROSOFT_GRAPH_URL="http://127.0.0.1:${BENCH_GRAPH_PORT:-10181}" MALLOC_ARENA_MAX="$CONTAINER_MALLOC_ARENA_MAX" \
    "${@:4}" java ${JAVA_OPTS:-} -jar "$JAR" >"$SVC_LOG" 2>&1 </dev/null &
  SVC_PID=$!
  local i
  for i in $(seq 600); do
    curl -sf -o /dev/null "$MANAGEMENT/q/health/ready" && break
    alive "$SVC_PID" || die "the service exited during start-up"
    [[ $i == 600 ]] && die "the service was not ready after 60 s"; sleep 0.1
  done
  say "service ready (pid $SVC_PID, RSS $(rss_mb "$SVC_PID" VmRSS) MB)"
}

# ---- provider settings and the connect flow, as an administrator and a browser would
provider_settings() {  # the Microsoft provider settings, as bench-admin: tenant common, the BENCH_OAUTH_CLIENT_ID app
  local admin settings
  admin="$("$ROOT/src/dev/token.sh" bench-admin --admin)"
  settings=$(python3 -c 'import json,sys; print(json.dumps({"tenant": "common", "clientId": sys.argv[1], "clientSecret": sys.argv[2]}))' \
    "$BENCH_OAUTH_CLIENT_ID" "$BENCH_OAUTH_CLIENT_SECRET")
  api "$admin" -f -o /dev/null -X PUT -H 'Content-Type: application/json' --data "$settings" "$BASE/api/v1/admin/providers/microsoft" \
    || die "PUT /api/v1/admin/providers/microsoft"
}
connect_mailbox() {  # connect_mailbox [SCOPE]: provider_settings, then the real connect flow as bench-user: POST
  # .../connect/microsoft (its authorization URL must ask for SCOPE, when given), authorize at oauth2-fake (a 302 with a
  # code to CALLBACK), the callback page (it hands out a one-time connection value), POST .../complete with it.
  # Sets USER_TOKEN, MAILBOX (the id complete answers) and T_CALLBACK (now, just before the callback request).
  local auth_url code location page connection
  provider_settings
  USER_TOKEN="$("$ROOT/src/dev/token.sh" bench-user)"
  auth_url=$(api "$USER_TOKEN" -f -X POST "$BASE/api/v1/mailboxes/connect/microsoft" | json_get authorizationUrl) \
    || die "POST /api/v1/mailboxes/connect/microsoft"
  [[ $# == 0 || "$auth_url" == *"$1"* ]] || die "the authorization URL asks for no $1 scope: $auth_url"
  read -r code location < <(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}\n' "$auth_url")
  [[ "$code" == 302 && "$location" == "$CALLBACK?"* && "$location" != *"error="* ]] \
    || die "authorize answered $code $location (expected a 302 with a code to $CALLBACK)"
  say "authorize: 302 to our callback, consenting as $RIG_USER"
  T_CALLBACK=$(now)
  page=$(curl -sS --max-time 60 "$location") || die "GET callback"
  connection=$(printf '%s' "$page" | sed -nE 's/.*"connection":"([A-Za-z0-9_-]+)".*/\1/p' | head -n 1)
  [[ -n "$connection" ]] || { printf '%s\n' "$page" | sed 's/<[^>]*>/ /g' >&2; die "the callback page hands out no connection"; }
  MAILBOX=$(api "$USER_TOKEN" -f -X POST -H 'Content-Type: application/json' --data "{\"connection\":\"$connection\"}" \
    "$BASE/api/v1/mailboxes/connect/microsoft/complete" | json_get id) || die "POST /api/v1/mailboxes/connect/microsoft/complete"
}
