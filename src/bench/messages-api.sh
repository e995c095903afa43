#!/usr/bin/env bash
# messages-api.sh: load test of the messages API on 100,000 stored messages in one mailbox.
#
#   src/bench/messages-api.sh [--no-build] [--count N] [--duration 20s] [--connections 16]
#
# Run as root. Uses the installed PostgreSQL 15 (started if stopped; fresh database mailsync_apibench), the
# packaged service, and wrk (Debian package, installed if missing). Rows are generated directly in PostgreSQL
# (mixed English/German/French words plus a long tail of rare tokens, 3 years of dates, senders, flags,
# search vectors computed as the sync computes them). Then, at the given concurrency on this machine:
#   page   GET /api/v1/mailboxes/{id}/messages?limit=50            (the newest page)
#   deep   GET /api/v1/mailboxes/{id}/messages?limit=50&cursor=...  (a page 10,000 messages down)
#   search GET /api/v1/mailboxes/{id}/messages?q=<word>             (words of every frequency)
# and prints p50 / p99 / requests per second for each, with the targets (page p99 <= 20 ms, search <= 100 ms).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=jvm.sh
. "$HERE/jvm.sh"
COUNT=100000; DURATION=20s; CONNECTIONS=16; BUILD=1; PORT="${BENCH_HTTP_PORT:-8080}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) BUILD=0; shift ;;
    --count) COUNT="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
say() { printf '[api-bench] %s\n' "$*"; }
# the client side (the deep cursor, the search script, wrk's figures): messages_api.py, one subcommand per phase
helper() { local c=$1; shift; python3 "$HERE/messages_api.py" "$c" -- "$@"; }
DB=mailsync_apibench; WORK=/tmp/bench/api; mkdir -p "$WORK"; chmod 1777 "$WORK"  # psql (as postgres) writes into it
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
pg_lsclusters -h | grep -q online || pg_ctlcluster 15 main start
psql_su() { su postgres -c "psql -v ON_ERROR_STOP=1 -qAt $*"; }
psql_su "-c \"drop database if exists $DB\" -c \"drop role if exists $DB\" -c \"create role $DB login password '$DB'\" -c \"create database $DB owner $DB\""

if [[ $BUILD == 1 ]]; then say "building"; (cd "$ROOT" && ./mvnw -B -q package -DskipTests); fi
say "starting the service (migrates the schema)"
PUB=$(grep -v -- '-----' "$ROOT/src/dev/dev-jwt-public.pem" | tr -d '\n')
QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$DB" QUARKUS_DATASOURCE_USERNAME=$DB \
QUARKUS_DATASOURCE_PASSWORD=$DB MAILSYNC_ENCRYPTION_KEY="$(openssl rand -base64 32)" \
QUARKUS_OIDC_PUBLIC_KEY="$PUB" QUARKUS_OIDC_TOKEN_ISSUER=https://mailsync.dev/local-issuer \
MAILSYNC_SYNC_ENABLED=false QUARKUS_HTTP_PORT="$PORT" QUARKUS_HTTP_HOST=127.0.0.1 \
QUARKUS_MANAGEMENT_PORT="$((PORT + 1))" QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
MALLOC_ARENA_MAX=$CONTAINER_MALLOC_ARENA_MAX \
  java ${JAVA_OPTS:-$CONTAINER_JAVA_OPTS} -jar "$ROOT/target/quarkus-app/quarkus-run.jar" >"$WORK/service.log" 2>&1 &
SVC=$!
trap 'kill $SVC 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$((PORT + 1))/q/health/ready" >/dev/null && break; sleep 0.5; done

MAILBOX=$(cat /proc/sys/kernel/random/uuid)
say "generating $COUNT messages in PostgreSQL"
T0=$(date +%s)
su postgres -c "psql -v ON_ERROR_STOP=1 -qAt -d $DB" <<SQL
insert into mailbox (id, user_id, provider, address, display_name, state, created_at, updated_at)
values ('$MAILBOX', 'bench-user', 'microsoft', 'bench@example.com', 'Bench', 'ACTIVE', now(), now());
insert into folder (mailbox_id, name, sync, uidvalidity, messages) values ('$MAILBOX', 'INBOX', true, 1, $COUNT);
create function bench_word(s int) returns text volatile language sql as \$\$
  select case when s % 5 = 0
    then (array['invoice','meeting','Rechnung','Besprechung','réunion','facture','project','Projekt','budget',
                'travel','Reise','contract','Vertrag','update','report','Bericht','deadline','Termin','customer',
                'Kunde','quarterly','Quartal','release','Freigabe','holiday','Urlaub','offre','commande',
                'livraison','Lieferung','order','shipping','payment','Zahlung','paiement','approval',
                'Genehmigung','agenda','minutes','Protokoll'])[1 + floor(random() * 40)::int]
    else substr(md5(floor(power(random(), 3) * 20000)::text), 1, 7) end
\$\$;
insert into message (mailbox_id, folder_id, uidvalidity, uid, message_id, thread_id, subject, from_addr, to_addr,
    internal_date, sent_at, seen, flagged, answered, draft, deleted, size, snippet, text_body, has_attachments,
    from_address, to_addresses, search)
select '$MAILBOX', f.id, 1, g, 'm' || g || '@bench.example', md5((g / 3)::text), t.subject,
    jsonb_build_array(jsonb_build_object('name', 'Sender ' || (g % 500), 'address', 'sender' || (g % 500) || '@example.com')),
    '[{"name": "Bench", "address": "bench@example.com"}]'::jsonb,
    now() - make_interval(mins => ($COUNT - g) * 15), now() - make_interval(mins => ($COUNT - g) * 15),
    g % 5 <> 0, g % 17 = 0, g % 11 = 0, false, false, 2000 + (g * 7919) % 60000, left(t.body, 200), t.body, g % 7 = 0,
    'sender' || (g % 500) || '@example.com', array['bench@example.com'],
    -- the search vector as MessageStore.indexForSearch computes it after a pass
    to_tsvector('simple', left(t.subject, 2000) || ' ' || left(t.body, 20000))
      || jsonb_to_tsvector('simple', jsonb_build_array('Sender ' || (g % 500), 'sender' || (g % 500) || '@example.com',
        'Bench', 'bench@example.com'), '["string"]')
from generate_series(1, $COUNT) g
cross join folder f
cross join lateral (
    -- every fifth word a real one (English, German, French), the others from 20,000 tokens with a skewed
    -- frequency (a few common, a long tail of rare ones); "+ 0 * s" ties the aggregate to its own level
    select (select string_agg(bench_word(s), ' ') from generate_series(1, 5 + g % 3) s) as subject,
           (select string_agg(bench_word(s), ' ') from generate_series(1, 80 + g % 60) s) as body) t
where f.mailbox_id = '$MAILBOX';
-- vacuum too: otherwise autovacuum processes the 100,000 new rows during the measurement
vacuum (analyze) message;
-- and write it all out now, not in a checkpoint during the measurement
checkpoint;
\copy (select * from (values ('Rechnung'), ('réunion'), ('Lieferung'), ('invoice'), ('Protokoll')) v union all select substr(md5(k::text), 1, 7) from generate_series(0, 19999, 67) k) to '$WORK/search-words.txt'
SQL
say "generated in $(( $(date +%s) - T0 )) s: $(psql_su "-d $DB -c \"select count(*) from message\"") rows"

TOKEN=$("$ROOT/src/dev/token.sh" bench-user)
BASE="http://127.0.0.1:$PORT/api/v1/mailboxes/$MAILBOX/messages"
CURSOR=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE?limit=200" >/dev/null; helper deep-cursor "$BASE" "$TOKEN")
helper search-script "$WORK/search-words.txt" "$WORK/search.lua" "$TOKEN"
printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$TOKEN" > "$WORK/auth.lua"

run() {  # name url script [connections]
  local c="${4:-$CONNECTIONS}"
  say "$1: wrk -t1 -c$c -d$DURATION (one client thread: the machine has 2 cores)"
  wrk -t1 -c"$c" -d"$DURATION" --latency -s "$3" "$2" > "$WORK/$1.out"
  helper wrk-result "$1" "$WORK/$1.out"
}
curl -sf -H "Authorization: Bearer $TOKEN" "$BASE?limit=50" >/dev/null
say "warm-up (JIT): 10 s of pages and 10 s of searches"
wrk -t1 -c"$CONNECTIONS" -d10s -s "$WORK/auth.lua" "$BASE?limit=50" >/dev/null
wrk -t1 -c"$CONNECTIONS" -d10s -s "$WORK/search.lua" "$BASE" >/dev/null
{
  run page "$BASE?limit=50" "$WORK/auth.lua"
  run deep "$BASE?limit=50&cursor=$CURSOR" "$WORK/auth.lua"
  run search "$BASE" "$WORK/search.lua"
  # the same page below saturation: what a request costs when it does not queue behind 15 others
  run page-c4 "$BASE?limit=50" "$WORK/auth.lua" 4
} | tee "$WORK/results.txt"
echo "targets: page p99 <= 20 ms, search p99 <= 100 ms (machine: $(nproc) cores; service, PostgreSQL and wrk share them)"
