#!/usr/bin/env bash
# Times `apictl request GET` (token from the environment) against the curl
# binary and httpie on the same loopback server, in one hyperfine run, and
# prints the ratios. A benchmark, not a test: nothing here passes or fails.
set -euo pipefail
# The keyring case needs a Secret Service: run on a private session bus with
# an unlocked gnome-keyring, as the tests do.
if [ -z "${APICTL_BENCH_BUS:-}" ]; then
  export APICTL_BENCH_BUS=1 XDG_DATA_HOME
  XDG_DATA_HOME=$(mktemp -d)
  exec dbus-run-session -- bash -c 'printf %s bench | gnome-keyring-daemon --unlock --replace --components=secrets >/dev/null 2>&1; exec "$0" "$@"' "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
apictl=${APICTL_BIN:-$root/.build/release/apictl}
runs=${BENCH_RUNS:-40}
source "$here/refserver.sh"
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state" HOME="$work"
unset APICTL_TOKEN APICTL_PROFILE APICTL_ENV APICTL_CONFIG
base="$origin/dzdesk/v1"
curl -fsS -X POST "$origin/_admin/ratelimit" -d '{"api":"dzdesk","limit":null}' >/dev/null
token=$(curl -fsS -X POST "$origin/_admin/keys" -d '{"api":"dzdesk","scopes":["requests:read"]}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

"$apictl" profile add dz --preset dzdesk --base-url "$base" 2>/dev/null
# Store cases: a profile whose token_env is unset, so the token must come from the store.
# The encrypted file twice over one file: file.toml keeps the derived key in the
# kernel keyring (the default passphrase_cache), file-nocache.toml derives it with
# scrypt in every process. The passphrase comes from a file, since an
# APICTL_PASSPHRASE that is set would win over the cache.
umask 077
printf 'bench-passphrase\n' > "$work/passphrase"
printf 'credential_store = "keyring"\n' > "$work/keyring.toml"
printf 'credential_store = "keyring"\nkeyring_cache = "0"\n' > "$work/keyring-libsecret.toml"
printf 'credential_store = "file"\n' > "$work/file.toml"
printf 'credential_store = "file"\npassphrase_cache = "0"\n' > "$work/file-nocache.toml"
export APICTL_PASSPHRASE_FILE=$work/passphrase
for store in keyring keyring-libsecret file file-nocache; do
  "$apictl" --config "$work/$store.toml" profile add dz --preset dzdesk --base-url "$base" --token-env APICTL_BENCH_UNSET 2>/dev/null
done
for store in keyring file; do
  printf '%s' "$token" | "$apictl" --config "$work/$store.toml" login -p dz --with-token 2>/dev/null
done
# A token command whose JSON answer says when it expires: kept in the kernel keyring
# after the first run, so the timed runs never start it.
printf '%s' "$token" > "$work/token"
cat > "$work/answer.sh" <<SH
#!/bin/sh
printf '{"token": "%s", "expires_in": 3600}' "\$(cat "$work/token")"
SH
chmod 700 "$work/answer.sh"
"$apictl" --config "$work/command.toml" profile add dz --preset dzdesk --base-url "$base" --token-env APICTL_BENCH_UNSET \
  --token-command "$work/answer.sh" 2>/dev/null
"$apictl" --config "$work/command.toml" request GET /me >/dev/null
# The kernel keeps keys past the process: forget the bench's (the file's key, the
# kept command answer of profile dz) when it ends.
trap 'rc=$?; "$apictl" credentials lock >/dev/null 2>&1; (exit $rc); stop_refserver' EXIT
# Keep the key out of every command line: curl reads the header from a file,
# httpie from a session file, apictl from the environment.
printf 'Authorization: Bearer %s\n' "$token" > "$work/curl-headers"
printf '{"headers": {"Authorization": "Bearer %s"}}\n' "$token" > "$work/httpie-session.json"
export DZDESK_TOKEN=$token

apictl_me="$apictl request GET /me"
curl_me="curl -sS -H @$work/curl-headers -H 'Accept: application/json' $base/me"
hyperfine --style basic --warmup 5 --runs "$runs" --export-json "$work/bench.json" -N \
  --command-name apictl "$apictl_me" \
  --command-name apictl-keyring "$apictl --config $work/keyring.toml request GET /me" \
  --command-name apictl-keyring-libsecret "$apictl --config $work/keyring-libsecret.toml request GET /me" \
  --command-name apictl-file "$apictl --config $work/file-nocache.toml request GET /me" \
  --command-name apictl-file-cached "$apictl --config $work/file.toml request GET /me" \
  --command-name apictl-command-kept "$apictl --config $work/command.toml request GET /me" \
  --command-name curl "$curl_me" \
  --command-name httpie "http --ignore-stdin --session-read-only=$work/httpie-session.json GET $base/me" >&2

# hyperfine times each command as one block, so on a busy machine drift lands on
# whichever block ran at the wrong moment (curl alone swings 10 to 15 ms here).
# For the headline ratios, short rounds run curl and the stored-credential cases
# in turn (the order rotating each round), and each case's median is taken over
# all its runs. With 8 rounds the same binaries came out anywhere from 1.02 to
# 1.12; 16 rounds narrow that.
rounds=${BENCH_ROUNDS:-16}
# in_turn PREFIX NAME COMMAND [NAME COMMAND ...]: $rounds short rounds of every case, the order
# rotating each round, each round's results in $work/PREFIX-ROUND.json.
in_turn() {
  local prefix=$1 round i j turn
  shift
  local cases=("$@") count=$(($# / 2))
  for round in $(seq "$rounds"); do
    turn=()
    for i in $(seq 0 $((count - 1))); do
      j=$(((i + round) % count))
      turn+=(--command-name "${cases[$((2 * j))]}" "${cases[$((2 * j + 1))]}")
    done
    hyperfine --style none --warmup 2 --runs 10 --export-json "$work/$prefix-$round.json" -N "${turn[@]}" >&2
  done
}
in_turn round apictl "$apictl_me" \
  apictl-keyring "$apictl --config $work/keyring.toml request GET /me" \
  apictl-file-cached "$apictl --config $work/file.toml request GET /me" \
  curl "$curl_me"

# 20 pages: apictl --paginate against one curl process given the 20 URLs.

curl -fsS -X POST "$origin/_admin/seed" -d '{"api":"dzdesk","count":20}' >/dev/null
urls=$(for i in $(seq 20); do printf '%s/requests?page=%d&per_page=1 ' "$base" "$i"; done)
hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$work/pages.json" -N \
  --command-name apictl-paginate "$apictl request GET /requests --query per_page=1 --paginate" \
  --command-name curl-20-urls "curl -sS -H @$work/curl-headers $urls" >&2

# The same 20 pages filtered: --jq in process, against the pipelines people write today
# (apictl --paginate | jq, and curl fetching the pages piped to jq).
curl_pages="for i in \$(seq 20); do curl -sS -H @$work/curl-headers '$base/requests?page='\$i'&per_page=1'; done"
hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$work/jq.json" \
  --command-name apictl-jq "$apictl request GET /requests --query per_page=1 --paginate --jq '.[].id'" \
  --command-name apictl-pipe-jq "$apictl request GET /requests --query per_page=1 --paginate | jq -r '.[].id'" \
  --command-name curl-pipe-jq "($curl_pages) | jq -r '.data[].id'" >&2

# One request filtered: --jq in process against the pipeline people write (both through
# the shell, so both pay for it alike). Goal: --jq at most 0.9x the pipeline.
hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$work/jq-one.json" \
  --command-name apictl-jq-one "$apictl request GET /me --jq .data.id" \
  --command-name apictl-pipe-jq-one "$apictl request GET /me | jq -r .data.id" >&2

# A 200 MiB download to a file, and peak memory at 20 and 200 MiB.
size=$((200 << 20))
hyperfine --style basic --warmup 1 --runs 5 --export-json "$work/download.json" -N \
  --command-name apictl-o "$apictl request GET $origin/_test/bytes/$size -o $work/apictl.bin" \
  --command-name curl-o "curl -sS -o $work/curl.bin $origin/_test/bytes/$size" >&2

python3 - "$work" "$apictl" "$origin" <<'PY'
import json, os, subprocess, sys
work, apictl, origin = sys.argv[1:]
def peak_rss(argv):
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    return usage.ru_maxrss / 1024
print("\npeak RSS (MiB) of a download to a file")
for mib in (20, 200):
    url = f"{origin}/_test/bytes/{mib << 20}"
    a = peak_rss([apictl, "request", "GET", url, "-o", f"{work}/a.bin"])
    c = peak_rss(["curl", "-sS", "-o", f"{work}/c.bin", url])
    print(f"  {mib:4d} MiB body: apictl {a:5.1f}   curl {c:5.1f}")
jq = {r["command"]: r["median"] for r in json.load(open(f"{work}/jq.json"))["results"]}
print(f"20 pages filtered: --jq {jq['apictl-jq'] * 1000:.0f} ms, apictl | jq {jq['apictl-pipe-jq'] * 1000:.0f} ms "
      f"(ratio {jq['apictl-jq'] / jq['apictl-pipe-jq']:.2f}, goal at most 0.9), curl x20 | jq {jq['curl-pipe-jq'] * 1000:.0f} ms")
one = {r["command"]: r["median"] for r in json.load(open(f"{work}/jq-one.json"))["results"]}
print(f"one request filtered: --jq .data.id {one['apictl-jq-one'] * 1000:.1f} ms, apictl | jq -r {one['apictl-pipe-jq-one'] * 1000:.1f} ms "
      f"(ratio {one['apictl-jq-one'] / one['apictl-pipe-jq-one']:.2f}, goal at most 0.9)")
for name in ("pages", "download"):
    results = {r["command"]: r["median"] for r in json.load(open(f"{work}/{name}.json"))["results"]}
    (a, c) = results.values()
    label = {"pages": "20 pages --paginate vs one curl with 20 URLs (target 1.3x)",
             "download": "200 MiB -o vs curl -o (target 1.1x)"}[name]
    print(f"{label}: apictl {a * 1000:.0f} ms, curl {c * 1000:.0f} ms, ratio {a / c:.2f}")
PY

python3 - "$work" "$rounds" "$apictl" "$base" <<'PY'
import json, os, shlex, statistics, subprocess, sys
work, rounds, apictl, base = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
results = {r["command"]: r for r in json.load(open(f"{work}/bench.json"))["results"]}
curl = results["curl"]["median"]
commands = {
    "apictl": [apictl, "request", "GET", "/me"],
    "apictl-keyring": [apictl, "--config", f"{work}/keyring.toml", "request", "GET", "/me"],
    "apictl-keyring-libsecret": [apictl, "--config", f"{work}/keyring-libsecret.toml", "request", "GET", "/me"],
    "apictl-file": [apictl, "--config", f"{work}/file-nocache.toml", "request", "GET", "/me"],
    "apictl-file-cached": [apictl, "--config", f"{work}/file.toml", "request", "GET", "/me"],
    "apictl-command-kept": [apictl, "--config", f"{work}/command.toml", "request", "GET", "/me"],
    "curl": ["curl", "-sS", "-H", f"@{work}/curl-headers", "-H", "Accept: application/json", f"{base}/me"],
}
def peak_rss(argv):
    worst = 0
    for _ in range(5):
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
        _, _, usage = os.wait4(child.pid, 0)
        worst = max(worst, usage.ru_maxrss / 1024)
    return worst
labels = {"apictl": "environment", "apictl-keyring": "keyring, kept copy (keyring_cache)",
          "apictl-keyring-libsecret": "keyring, libsecret lookup each time (keyring_cache = 0)", "apictl-file": "file, scrypt each time",
          "apictl-file-cached": "file, cached key", "apictl-command-kept": "token_command, kept answer",
          "curl": "", "httpie": ""}
print("\nmedian wall time and peak RSS, loopback GET /me, by where the credential comes from")
for name in ("apictl", "apictl-keyring", "apictl-keyring-libsecret", "apictl-file", "apictl-file-cached", "apictl-command-kept", "curl", "httpie"):
    r = results[name]
    rss = f"{peak_rss(commands[name]):5.1f} MiB" if name in commands else ""
    print(f"  {name:24s} {r['median'] * 1000:7.1f} ms   {r['median'] / curl:5.2f}x curl   {rss:9s}  {labels[name]}")
print(f"\nstored-credential targets: keyring {results['apictl-keyring']['median'] / curl:.2f}x (at most 1.5x; "
      f"{results['apictl-keyring-libsecret']['median'] / curl:.2f}x when every process asks libsecret), "
      f"cached file {results['apictl-file-cached']['median'] / curl:.2f}x (at most 1.3x), "
      f"kept token_command answer {results['apictl-command-kept']['median'] / curl:.2f}x (at most 1.3x)")
times = {}
for round in range(1, rounds + 1):
    for r in json.load(open(f"{work}/round-{round}.json"))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
median = {name: statistics.median(values) for name, values in times.items()}
print(f"\napictl / curl = {median['apictl'] / median['curl']:.2f}  (target: at most 1.10; {rounds} rounds in turn, "
      f"medians {median['apictl'] * 1000:.1f} and {median['curl'] * 1000:.1f} ms)")
print(f"in the same rounds: keyring (kept copy) {median['apictl-keyring'] / median['curl']:.2f}x curl "
      f"({median['apictl-keyring'] * 1000:.1f} ms, target 1.5x), cached file {median['apictl-file-cached'] / median['curl']:.2f}x "
      f"({median['apictl-file-cached'] * 1000:.1f} ms, target 1.3x)")
print(f"the keyring adds {(results['apictl-keyring']['median'] - results['apictl']['median']) * 1000:.1f} ms from its kept copy, "
      f"{(results['apictl-keyring-libsecret']['median'] - results['apictl']['median']) * 1000:.1f} ms through libsecret; "
      f"the encrypted file adds {(results['apictl-file']['median'] - results['apictl']['median']) * 1000:.1f} ms with scrypt, "
      f"{(results['apictl-file-cached']['median'] - results['apictl']['median']) * 1000:.1f} ms with the cached key")
PY

# The API's own description: `api sync` of two large ones (authentik's, 1,113 operations in
# 2.6 MB of YAML, and a generated GitHub-sized one, 2,000 operations in 9 MB of JSON), then
# one Tab against each (`apictl __complete`, which the shell scripts run). Goals: a Tab under
# 50 ms, a sync under 3 s.
gunzip -c "$root/Tests/Fixtures/openapi/authentik-2026.2.2.openapi.yaml.gz" > "$work/authentik.yaml"
python3 "$root/Tests/Scripts/github_sized_openapi.py" "$work/github-sized.json"
"$apictl" --config "$work/openapi.toml" profile add ak --base-url https://authentik.example.com/api/v3 --openapi "$work/authentik.yaml" 2>/dev/null
"$apictl" --config "$work/openapi.toml" profile add gh --base-url https://api.example.com --openapi "$work/github-sized.json" 2>/dev/null
# The check before sending, against authentik's 1,113 operations: the same GET on a profile
# with the description synced and on one without (goal: at most 1.05x). /_test/mirror answers any path.
mirror="$origin/_test/mirror/api/v3"
"$apictl" --config "$work/openapi.toml" profile add plain --base-url "$mirror" --token-env DZDESK_TOKEN 2>/dev/null
"$apictl" --config "$work/openapi.toml" profile add checked --base-url "$mirror" --token-env DZDESK_TOKEN --openapi "$work/authentik.yaml" 2>/dev/null
"$apictl" --config "$work/openapi.toml" api sync -p checked 2>/dev/null
# A 5% goal is within one block's drift, so the two run in short rounds, in turn, as the headline does.
in_turn check request-without-description "$apictl --config $work/openapi.toml -p plain request GET /core/users/" \
  request-checked-authentik "$apictl --config $work/openapi.toml -p checked request GET /core/users/"

hyperfine --style basic --runs 3 --export-json "$work/sync.json" -N \
  --command-name sync-authentik "$apictl --config $work/openapi.toml api sync -p ak --force" \
  --command-name sync-github-sized "$apictl --config $work/openapi.toml api sync -p gh --force" >&2
hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$work/tab.json" -N \
  --command-name tab-authentik-paths "$apictl __complete --config $work/openapi.toml -p ak request GET /core/" \
  --command-name tab-authentik-fields "$apictl __complete --config $work/openapi.toml -p ak request POST /core/users/ u" \
  --command-name tab-github-sized-paths "$apictl __complete --config $work/openapi.toml -p gh request GET /" \
  --command-name tab-github-sized-fields "$apictl __complete --config $work/openapi.toml -p gh request POST /repos/{owner}/repos_3 r" >&2
python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
print("\nOpenAPI: api sync (goal under 1 s for authentik) and one Tab (goal under 15 ms)")
for name in ("sync", "tab"):
    for r in json.load(open(f"{work}/{name}.json"))["results"]:
        unit = (r["median"], "s") if name == "sync" else (r["median"] * 1000, "ms")
        print(f"  {r['command']:26s} {unit[0]:7.2f} {unit[1]}")
check = {}
for round in range(1, rounds + 1):
    for r in json.load(open(f"{work}/check-{round}.json"))["results"]:
        check.setdefault(r["command"], []).extend(r["times"])
plain, checked = (statistics.median(check[name]) for name in ("request-without-description", "request-checked-authentik"))
print(f"the check before sending (authentik synced): {checked * 1000:.1f} ms against {plain * 1000:.1f} ms without a description, "
      f"ratio {checked / plain:.2f} (goal at most 1.05; {rounds} rounds in turn)")
PY

# A 2 GiB upload streamed from a sparse file, against a small request: peak RSS of each
# (issue 24: within 2 MiB of a small request's), and the upload's wall time beside curl -T.
truncate -s 2G "$work/upload.bin"
python3 - "$apictl" "$origin" "$work" <<'PY'
import resource, subprocess, sys, time
apictl, origin, work = sys.argv[1:]

def measured(argv):
    start = time.time()
    code = subprocess.run(["python3", "-c", "import resource,subprocess,sys; r=subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)."
                           "returncode; print(r, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)", *argv],
                          capture_output=True, text=True).stdout.split()
    return int(code[0]), int(code[1]) / 1024, time.time() - start

url = origin + "/_test/upload-size"
_, small, _ = measured([apictl, "request", "POST", url, "-d", "{}"])
code, big, seconds = measured([apictl, "request", "POST", url, "-d", "@" + work + "/upload.bin"])
_, curl_rss, curl_seconds = measured(["curl", "-sS", "-X", "POST", "-T", work + "/upload.bin", url])
print(f"\n2 GiB upload (-d @file): exit {code}, peak RSS {big:.1f} MiB vs {small:.1f} MiB for a small request "
      f"(+{big - small:.1f} MiB; goal within 2 MiB), {seconds:.1f} s; curl -T: {curl_rss:.1f} MiB, {curl_seconds:.1f} s")
PY
rm -f "$work/upload.bin"

# `apictl batch` (issue 36): 1,000 GETs against a loopback server that answers after 20 ms,
# 8 in flight (floor 1,000 x 20 ms / 8 = 2.5 s), beside curl --parallel (the same work in one
# curl), xargs -P 8 curl and xargs -P 8 apictl request; 500 GETs under a limit of 50 per 1 s
# window (ideal 10 s, goal within 105%, at most one 429); peak RSS of 100,000 lines from a pipe.
python3 - "$apictl" "$root" "$work" <<'PY'
import json, os, statistics, subprocess, sys, time, urllib.request
apictl, root, work = sys.argv[1:]
env = dict(os.environ, PACED_TOKEN="bench-paced-token")

def server(*options):
    port_file = f"{work}/paced-{len(options)}-{time.time()}"
    process = subprocess.Popen([sys.executable, f"{root}/Tests/Servers/paced_server.py", "--port-file", port_file, *options])
    while not os.path.exists(port_file):
        time.sleep(0.05)
    return process, f"http://127.0.0.1:{open(port_file).read()}"

def stats(url, reset=False):
    return json.loads(urllib.request.urlopen(url + ("/_stats/reset" if reset else "/_stats")).read())

def timed(argv, **kw):
    start = time.time()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True, **kw)
    return time.time() - start

slow, slow_url = server("--delay-ms", "20")
limited, limited_url = server("--delay-ms", "2", "--limit", "50", "--window", "1")
flat, flat_url = server("--delay-ms", "0")
try:
    config = f"{work}/batch.toml"
    for name, url in (("slow", slow_url), ("limited", limited_url), ("flat", flat_url)):
        subprocess.run([apictl, "--config", config, "profile", "add", name, "--base-url", url, "--token-env", "PACED_TOKEN"],
                       stderr=subprocess.DEVNULL, check=True)
    with open(f"{work}/get1000.jsonl", "w") as out:
        out.writelines(json.dumps({"method": "GET", "path": f"/items/{n}"}) + "\n" for n in range(1000))
    with open(f"{work}/urls", "w") as out:
        out.writelines(f"{slow_url}/items/{n}\n" for n in range(1000))
    with open(f"{work}/curl-parallel.cfg", "w") as out:
        out.writelines(f'url = "{slow_url}/items/{n}"\noutput = "/dev/null"\n' for n in range(1000))
    with open(f"{work}/paced-header", "w") as out:
        out.write("Authorization: Bearer bench-paced-token\n")
    batch = [apictl, "--config", config, "batch", f"{work}/get1000.jsonl", "-p", "slow", "--concurrency", "8"]
    batch_times = [timed(batch) for _ in range(3)]
    parallel = statistics.median(timed(["curl", "-s", "--parallel", "--parallel-max", "8", "-H", f"@{work}/paced-header",
                                        "-K", f"{work}/curl-parallel.cfg"]) for _ in range(3))
    urls = open(f"{work}/urls")
    xargs_curl = timed(["xargs", "-P", "8", "-n", "1", "curl", "-s", "-o", "/dev/null", "-H", f"@{work}/paced-header"], stdin=urls)
    urls.seek(0)
    xargs_apictl = timed(["xargs", "-P", "8", "-I{}", apictl, "--config", config, "-p", "slow", "request", "GET", "{}"], stdin=urls)
    best = statistics.median(batch_times)
    print(f"\nbatch: 1,000 GETs at 20 ms, 8 in flight: {best:.2f} s (median of 3: "
          + ", ".join(f"{t:.2f}" for t in batch_times) + f"), {best / 2.5 * 100:.0f}% of the 2.5 s floor "
          f"(goal at most 110%; curl --parallel on the same server: {parallel:.2f} s, {parallel / 2.5 * 100:.0f}%)")
    print(f"  xargs -P 8 curl: {xargs_curl:.2f} s ({xargs_curl / best:.2f}x batch); "
          f"xargs -P 8 apictl request: {xargs_apictl:.2f} s ({xargs_apictl / best:.2f}x batch); goal at least 1.5x each")

    with open(f"{work}/get500.jsonl", "w") as out:
        out.writelines(json.dumps({"method": "GET", "path": f"/items/{n}"}) + "\n" for n in range(500))
    for concurrency in ("4", "8"):
        stats(limited_url, reset=True)
        seconds = timed([apictl, "--config", config, "batch", f"{work}/get500.jsonl", "-p", "limited", "--concurrency", concurrency])
        seen = stats(limited_url)
        print(f"  500 GETs under 50 per 1 s window, --concurrency {concurrency}: {seconds:.2f} s ({seconds / 10 * 100:.0f}% of the "
              f"ideal 10 s; goal at most 105%), {seen['429']} x 429 (goal at most 1)")

    lines = subprocess.Popen(["python3", "-c", "import json,sys\nfor n in range(100000): sys.stdout.write(json.dumps({'method':'GET','path':f'/i/{n}'})+'\\n')"],
                             stdout=subprocess.PIPE)
    child = subprocess.Popen([apictl, "--config", config, "batch", "-p", "flat", "--concurrency", "8"], stdin=lines.stdout,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    lines.stdout.close()
    _, status, usage = os.wait4(child.pid, 0)
    print(f"  100,000 lines from a pipe: exit {os.waitstatus_to_exitcode(status)}, peak RSS {usage.ru_maxrss / 1024:.1f} MiB (goal under 48 MiB)")
finally:
    for process in (slow, limited, flat):
        process.terminate()
PY

# The audit record (issue 37): the same stored-credential request (the encrypted file, its
# key kept in the kernel keyring) with the record on and with `audit = false`, in short
# rounds in turn as the headline does. Goal: the record costs at most 2%.
{ printf 'audit = false\n'; cat "$work/file.toml"; } > "$work/file-noaudit.toml"
in_turn audit request-audit-on "$apictl --config $work/file.toml request GET /me" \
  request-audit-off "$apictl --config $work/file-noaudit.toml request GET /me"
python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
times = {}
for round in range(1, rounds + 1):
    for r in json.load(open(f"{work}/audit-{round}.json"))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
on, off = (statistics.median(times[name]) for name in ("request-audit-on", "request-audit-off"))
lines = sum(1 for _ in open(f"{work}/state/apictl/audit.jsonl"))
print(f"\nthe audit record: a stored-credential request {on * 1000:.2f} ms with it, {off * 1000:.2f} ms with audit = false, "
      f"ratio {on / off:.3f} (goal at most 1.02; {rounds} rounds in turn; {lines} lines written)")
PY
