#!/usr/bin/env bash
# Regenerates Sources/apictl/startup-order.txt, the functions and .bss variables
# apictl touches on its common paths, which `make release` has the linker place
# together (docs/development.md). Traces the release binary under valgrind against
# the reference server. Rerun after large changes; a stale list costs speed, not
# correctness. Needs valgrind (apt-get install valgrind).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
command -v valgrind >/dev/null || { echo "startup-order.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
make -C "$root" release >/dev/null
source "$here/refserver.sh"
export XDG_CONFIG_HOME="$work/config" HOME="$work"
unset APICTL_TOKEN APICTL_PROFILE APICTL_ENV APICTL_CONFIG
# valgrind 3.19 cannot read the toolchain's DWARF 5; the symbol table is all it needs.
apictl="$work/apictl"
strip --strip-debug -o "$apictl" "$root/.build/release/apictl"

curl -fsS -X POST "$origin/_admin/ratelimit" -d '{"api":"dzdesk","limit":null}' >/dev/null
export DZDESK_TOKEN
DZDESK_TOKEN=$(curl -fsS -X POST "$origin/_admin/keys" -d '{"api":"dzdesk","scopes":["requests:read"]}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
"$apictl" profile add dz --preset dzdesk --base-url "$origin/dzdesk/v1" >/dev/null

# A request, what a shell runs on every <Tab>, and the commands people type most.
runs=("request GET /me" "__complete request G" "__complete profile use d" "--help" "profile list")
traces=()
for index in "${!runs[@]}"; do
  read -ra args <<<"${runs[$index]}"
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/callgrind.$index" \
    "$apictl" "${args[@]}" >/dev/null 2>"$work/valgrind.$index" || { cat "$work/valgrind.$index" >&2; exit 1; }
  traces+=("$work/callgrind.$index")
done
valgrind --tool=lackey --trace-mem=yes --log-fd=3 "$apictl" request GET /me 3>&1 >/dev/null 2>"$work/lackey.err" |
  python3 "$here/startup_order.py" "$apictl" "$root/Sources/apictl/startup-order.txt" "${traces[@]}"
