# Sourced by demo.sh and bench.sh: starts the reference API server on a free
# loopback port in a temporary folder, and stops it (and removes the folder)
# when the script exits, whatever way it exits. Sets $work, $origin.
root=${root:?root must be set before sourcing refserver.sh}
work=$(mktemp -d)
server_pid=""
stop_refserver() {
  local status=$?
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
  exit "$status"
}
trap stop_refserver EXIT
python3 "$root/Tests/Servers/refserver.py" --port-file "$work/port" >/dev/null &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
origin="http://127.0.0.1:$(cat "$work/port")"
