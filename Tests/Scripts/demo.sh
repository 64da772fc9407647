#!/usr/bin/env bash
# apictl's main job, end to end, against the bundled reference server: make a
# profile from a preset, ask who we are, create something, and read an error.
# Leaves nothing running and nothing in your real config.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
apictl=${APICTL_BIN:-$root/.build/debug/apictl}
source "$here/refserver.sh"
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
unset APICTL_TOKEN APICTL_PROFILE APICTL_ENV APICTL_CONFIG
base=$origin

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { step "$@"; "$@" || echo "(exit code $?)"; }

echo "Reference API server on $base (the DZDESK guide's API, seed 004)."
# A key with two scopes, as the DZDESK dashboard would issue it. It goes into
# the environment variable the preset names, never onto a command line.
DZDESK_TOKEN=$(curl -fsS -X POST "$base/_admin/keys" -H 'Content-Type: application/json' \
  -d '{"api":"dzdesk","name":"demo","scopes":["requests:read","requests:write"]}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
export DZDESK_TOKEN

run "$apictl" profile add dzdesk --preset dzdesk --base-url "$base/dzdesk/v1"
run "$apictl" profile list
run "$apictl" whoami
run "$apictl" request POST /requests -f title="Printer on fire" -F priority=1
run "$apictl" request POST /requests -f title="Badge reader offline" -F priority=2
run "$apictl" request GET /requests --query per_page=1 --paginate --ndjson   # every page, one item a line
step "$apictl" request GET /me -v "2>&1 | grep Authorization    # the key never shows"
"$apictl" request GET /me -v 2>&1 >/dev/null | grep Authorization
echo
echo "An error, decoded from DZDESK's error shape into one line, with its exit code:"
DZDESK_TOKEN=not-a-real-key run "$apictl" request GET /me
unset DZDESK_TOKEN

echo
echo "OAuth 2.0 (the DZDESK guide's code flow): apictl opens \$BROWSER on the provider's"
echo "login page; here a headless browser approves it and follows the redirect back to"
echo "apictl's listener on 127.0.0.1. Credentials go to the encrypted file (no keyring here)."
export APICTL_CREDENTIAL_STORE=file APICTL_PASSPHRASE=demo-passphrase
export BROWSER="python3 $root/Tests/Integration/fake_browser.py"
run "$apictl" profile add dz-oauth --preset dzdesk --auth oauth2 --base-url "$base/dzdesk/v1" \
  --oauth-issuer "$base/dzdesk/oauth" --oauth-client-id cli-app
run "$apictl" login -p dz-oauth
run "$apictl" whoami -p dz-oauth
run "$apictl" token refresh -p dz-oauth          # the refresh grant; the rotated refresh token is stored first
run "$apictl" request GET /me -p dz-oauth

echo
echo "A stored API key over its life: list it, rotate it (create -> verify -> store -> revoke old)."
KEY=$(curl -fsS -X POST "$base/_admin/keys" -H 'Content-Type: application/json' \
  -d '{"api":"dzdesk","name":"laptop","scopes":["requests:read"]}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
step "$apictl" login -p dzdesk --with-token "<<< \$KEY"
"$apictl" login -p dzdesk --with-token <<<"$KEY" || echo "(exit code $?)"
run "$apictl" token list -p dzdesk
run "$apictl" token rotate -p dzdesk --expires-in 90d
run "$apictl" token list -p dzdesk

echo
echo "A CI job with no stored secret: GitHub Actions hands a job with 'permissions: id-token:"
echo "write' an OIDC ID token (the reference server plays GitHub here), and apictl exchanges it"
echo "(RFC 8693) for a DZDESK access token, kept in the kernel keyring for the job's later steps."
"$apictl" profile add dz-ci --preset dzdesk --base-url "$base/dzdesk/v1" --oauth-token-url "$base/dzdesk/oauth/token" 2>/dev/null
cat >>"$XDG_CONFIG_HOME/apictl/config.toml" <<'TOML'

[profiles.dz-ci.ci]
exchange = "token-exchange"
audience = "https://api.dzdesk.test"
scopes = ["requests:read"]
TOML
export GITHUB_ACTIONS=true ACTIONS_ID_TOKEN_REQUEST_URL="$base/_ci/token?api-version=2.0"
ACTIONS_ID_TOKEN_REQUEST_TOKEN=$(curl -fsS "$base/_admin/ci" | python3 -c 'import json,sys; print(json.load(sys.stdin)["request_token"])')
export ACTIONS_ID_TOKEN_REQUEST_TOKEN
run "$apictl" login -p dz-ci --ci
run "$apictl" whoami -p dz-ci
run "$apictl" request GET /requests -p dz-ci --query per_page=1
"$apictl" credentials lock >/dev/null 2>&1 || true   # kernel keys outlive the demo otherwise
echo
echo
echo "Done: server stopped, temporary config removed."
