#!/usr/bin/env bash
# Mints a bearer token that mailsync accepts in dev mode (signed with src/dev/dev-jwt-private.pem).
#   src/dev/token.sh alice            # user "alice"
#   src/dev/token.sh admin --admin    # a member of mailsync-admin
set -euo pipefail
sub=${1:?usage: token.sh <user> [--admin]}
groups='[]'
[ "${2:-}" = "--admin" ] && groups='["mailsync-admin"]'
here=$(cd "$(dirname "$0")" && pwd)
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
payload=$(printf '{"iss":"https://mailsync.dev/local-issuer","aud":"mailsync","sub":"%s","groups":%s,"iat":%d,"exp":%d}' \
  "$sub" "$groups" "$now" $((now + 8 * 3600)) | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$here/dev-jwt-private.pem" | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature"
