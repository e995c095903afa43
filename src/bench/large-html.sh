#!/usr/bin/env bash
# large-html.sh: concurrent reads of a message with a large HTML body, on the container's heap.
#
#   src/bench/large-html.sh [--no-build] [--jar PATH] [--size-mb 8] [--readers 4]
#
# Run as root. Uses the installed PostgreSQL 15 (started if stopped; fresh database mailsync_htmlbench) and the
# packaged service with the container's JVM settings (JAVA_OPTS, default jvm.sh's CONTAINER_JAVA_OPTS). One stored message gets an
# HTML body of --size-mb MB (a newsletter: tables, links, remote images), written directly in PostgreSQL; then
# --readers clients GET its detail at the same moment, twice. Prints each answer's status, size and time, the
# service's peak RSS, and whether it survived (no OutOfMemoryError, still answering).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=jvm.sh
. "$HERE/jvm.sh"
JAVA_OPTS="${JAVA_OPTS:-$CONTAINER_JAVA_OPTS}"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"; SIZE_MB=8; READERS=4; BUILD=1; PORT="${BENCH_HTTP_PORT:-8080}"; MANAGEMENT_PORT=$((PORT + 1))
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) BUILD=0; shift ;;
    --jar) JAR="$2"; BUILD=0; shift 2 ;;
    --size-mb) SIZE_MB="$2"; shift 2 ;;
    --readers) READERS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
say() { printf '[html-bench] %s\n' "$*"; }
DB=mailsync_htmlbench; WORK=/tmp/bench/html; mkdir -p "$WORK"
pg_lsclusters -h | grep -q online || pg_ctlcluster 15 main start
psql_su() { (cd / && runuser -u postgres -- psql -X -v ON_ERROR_STOP=1 -qAt "$@"); }
psql_su -c "drop database if exists $DB with (force)" -c "drop role if exists $DB" \
  -c "create role $DB login password '$DB'" -c "create database $DB owner $DB"

if [[ $BUILD == 1 ]]; then say "building"; (cd "$ROOT" && ./mvnw -B -q ${MVN_OFFLINE:-} package -DskipTests); fi
say "starting $JAR with $JAVA_OPTS"
PUB=$(grep -v -- '-----' "$ROOT/src/dev/dev-jwt-public.pem" | tr -d '\n')
QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$DB" QUARKUS_DATASOURCE_USERNAME=$DB \
QUARKUS_DATASOURCE_PASSWORD=$DB MAILSYNC_ENCRYPTION_KEY="$(openssl rand -base64 32)" \
QUARKUS_OIDC_PUBLIC_KEY="$PUB" QUARKUS_OIDC_TOKEN_ISSUER=https://mailsync.dev/local-issuer \
MAILSYNC_SYNC_ENABLED=false MAILSYNC_OUTBOX_ENABLED=false QUARKUS_HTTP_PORT="$PORT" QUARKUS_HTTP_HOST=127.0.0.1 \
QUARKUS_MANAGEMENT_PORT="$MANAGEMENT_PORT" QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
MALLOC_ARENA_MAX=$CONTAINER_MALLOC_ARENA_MAX \
  java $JAVA_OPTS -jar "$JAR" >"$WORK/service.log" 2>&1 &
SVC=$!
trap 'kill $SVC 2>/dev/null || true' EXIT
# health is on the management interface
for _ in $(seq 120); do curl -sf -o /dev/null "http://127.0.0.1:$MANAGEMENT_PORT/q/health/ready" && break; sleep 0.5; done

MAILBOX=$(cat /proc/sys/kernel/random/uuid)
say "storing a message with $SIZE_MB MB of HTML"
psql_su -d $DB <<SQL
insert into mailbox (id, user_id, provider, address, display_name, state, created_at, updated_at)
values ('$MAILBOX', 'bench-user', 'microsoft', 'bench@example.com', 'Bench', 'ACTIVE', now(), now());
insert into folder (mailbox_id, name, sync, uidvalidity, messages) values ('$MAILBOX', 'INBOX', true, 1, 1);
insert into message (mailbox_id, folder_id, uidvalidity, uid, message_id, thread_id, subject, internal_date, seen,
    flagged, answered, draft, deleted, size, snippet, text_body, html_body, has_attachments)
select '$MAILBOX', f.id, 1, 1, 'big@bench.example', 'big@bench.example', 'Newsletter', now(), false, false, false,
    false, false, $SIZE_MB * 1048576, 'Newsletter', 'Newsletter', left(string_agg(format(
      '<table width="600" cellpadding="0"><tr><td style="padding:10px"><a href="https://example.com/t?i=%s">'
      || '<img src="https://cdn.example.com/i/%s.png" width="100" height="50" alt="x"></a></td><td><p>Lorem ipsum '
      || 'dolor sit amet <b>bold</b> text number %s</p></td></tr></table>', g, g, g), E'\n'), $SIZE_MB * 1048576),
    false
from folder f cross join generate_series(1, $SIZE_MB * 1048576 / 250 + 1) g group by f.id;
SQL
ID=$(psql_su -d $DB -c "select id from message where mailbox_id = '$MAILBOX'")
TOKEN=$("$ROOT/src/dev/token.sh" bench-user)
URL="http://127.0.0.1:$PORT/api/v1/mailboxes/$MAILBOX/messages/$ID"

for round in 1 2; do
  say "round $round: $READERS readers at once"
  start=$(date +%s.%N)
  for r in $(seq "$READERS"); do
    curl -s -o /dev/null --max-time 300 -H "Authorization: Bearer $TOKEN" \
      -w "  reader $r: %{http_code}, %{size_download} bytes, %{time_total} s\n" "$URL" &
  done
  wait $(jobs -p | grep -v "^$SVC$") 2>/dev/null || true
  say "round $round took $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
done
if kill -0 $SVC 2>/dev/null && curl -sf -o /dev/null "http://127.0.0.1:$MANAGEMENT_PORT/q/health/live"; then
  say "service alive; peak RSS $(awk '/VmHWM/ { print int($2 / 1024) }' /proc/$SVC/status) MB"
else
  say "service DEAD"
fi
say "OutOfMemoryError lines in the log: $(grep -c OutOfMemoryError "$WORK/service.log" || true)"  # grep -c: 1 on none
