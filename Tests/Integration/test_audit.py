"""The audit record (issue 37): one whole JSON line per request sent with a stored or
commanded credential, from any number of concurrent processes, rotated at 8 MiB keeping one
old file; `apictl audit`, `token list` and `account list` read it; `audit = false` stops it."""
import concurrent.futures
import json
import os
import signal
import stat
import time

import pytest

from conftest import APICTL, assert_one_line_error

PASS = {"APICTL_PASSPHRASE": "pass-word", "APICTL_CREDENTIAL_STORE": "file"}


@pytest.fixture
def dz(apictl, ref):
    apictl.env.update(PASS)
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    apictl.token = ref.key("dzdesk", scopes=["requests:read", "api-keys:read"])
    assert apictl.run("login", "--with-token", input=apictl.token).code == 0
    apictl.audit = apictl.home / ".local/state/apictl/audit.jsonl"
    return apictl


def entries(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_twenty_concurrent_processes_each_add_one_whole_line(dz, ref):
    before = len(entries(dz.audit)) if dz.audit.exists() else 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda i: dz.run("request", "GET", f"/requests/{i}?secret=v{i}", timeout=120), range(20)))
    assert all(r.code in (0, 1) for r in results), [r for r in results if r.code not in (0, 1)][:2]
    text = dz.audit.read_text()
    lines = entries(dz.audit)[before:]                       # every line parses: none interleaved
    assert sorted(l["path"] for l in lines) == sorted(f"/dzdesk/v1/requests/{i}?secret=" for i in range(20))
    assert all(l["profile"] == "dz" and l["account"] == "default" and l["source"] == "file" and l["method"] == "GET"
               and l["origin"] == ref.origin and l["chosen_by"] == "flag" or l["chosen_by"] == "default" for l in lines)
    assert dz.token not in text and "v1" not in text.replace("/v1/", "")
    assert stat.S_IMODE(dz.audit.stat().st_mode) == 0o600
    assert stat.S_IMODE(dz.audit.parent.stat().st_mode) == 0o700


def test_the_file_rotates_at_8_mib_keeping_one_old_file(dz, ref):
    assert dz.run("request", "GET", "/me").code == 0
    size = len(dz.audit.read_bytes())                      # one /me line
    old = json.dumps({"time": "2026-01-01T00:00:00Z", "profile": "dz", "environment": None, "account": "default",
                      "credential": "000000000000", "source": "file", "method": "GET", "origin": ref.origin,
                      "path": "/old", "status": 200, "chosen_by": "flag"}) + "\n"
    room = size + size // 2                                # one more line fits, a second does not
    filler = old * ((8 * 1024 * 1024 - room) // len(old))
    filler += "#" * (8 * 1024 * 1024 - room - len(filler) - 1) + "\n"   # a line that is not an entry is kept, not read
    dz.audit.write_text(filler)
    assert dz.run("request", "GET", "/me").code == 0       # fits: no rotation yet
    assert not dz.audit.with_name("audit.jsonl.1").exists()
    assert dz.run("request", "GET", "/me").code == 0
    rotated = dz.audit.with_name("audit.jsonl.1")
    assert rotated.exists() and rotated.stat().st_size <= 8 * 1024 * 1024
    assert rotated.read_text().startswith(filler)
    assert [l["path"] for l in entries(dz.audit)] == ["/dzdesk/v1/me"]
    listed = json.loads(dz.run("audit", "--json").out)
    assert listed[-1]["path"] == "/dzdesk/v1/me" and listed[-2]["path"] == "/dzdesk/v1/me" and listed[0]["path"] == "/old"
    # a second rotation replaces the old file: one is kept
    dz.audit.write_text(filler)
    assert dz.run("request", "GET", "/me").code == 0
    assert dz.run("request", "GET", "/me").code == 0
    assert sorted(p.name for p in dz.audit.parent.glob("audit.jsonl*")) == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.lock"]
    assert stat.S_IMODE(dz.audit.stat().st_mode) == 0o600


def test_audit_lists_filters_and_shows_last_use_in_token_and_account_lists(dz, ref):
    assert dz.run("request", "GET", "/me").code == 0
    table = dz.run("audit")
    assert table.code == 0 and table.out.startswith("TIME") and "/dzdesk/v1/me" in table.out, table
    assert json.loads(dz.run("audit", "-p", "nobody", "--json").out) == []
    assert json.loads(dz.run("audit", "--since", "1h", "--json").out)
    assert json.loads(dz.run("audit", "--since", "2099-01-01", "--json").out) == []
    assert_one_line_error(dz.run("audit", "--since", "yesterday"), 2, "--since")
    # A date that does not exist is a mistake to say, not a day to roll over into March.
    assert_one_line_error(dz.run("audit", "--since", "2026-02-30"), 2, "--since", "not a date or time that exists")
    assert_one_line_error(dz.run("audit", "--since", "2026-12-01T25:00:00Z"), 2, "--since")
    assert_one_line_error(dz.run("audit", "--since", "2026-12-01T09:00:00+00:60"), 2, "--since")
    assert_one_line_error(dz.run("audit", "--since", "2026-12-01T09:00:00Z+01:00"), 2, "--since")
    assert len(dz.run("audit", "--since", "x" * 100_000).err) < 300   # the echo of a bad value is cut short
    accounts = json.loads(dz.run("account", "list", "--json").out)
    assert accounts[0]["last_used"] is not None
    keys = json.loads(dz.run("token", "list", "--json").out)
    assert any(k["in_use"] and k["last_used"] for k in keys), keys


def test_an_environment_token_is_not_recorded_and_audit_false_records_nothing(apictl, ref):
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    audit = apictl.home / ".local/state/apictl/audit.jsonl"
    assert apictl.run("request", "GET", "/me", env={"DZDESK_TOKEN": ref.key("dzdesk")}).code == 0
    assert not audit.exists()
    apictl.env.update(PASS)
    assert apictl.run("login", "--with-token", input=ref.key("dzdesk")).code == 0
    apictl.config_path.write_text("audit = false\n" + apictl.config_path.read_text())
    assert apictl.run("request", "GET", "/me").code == 0
    assert not audit.exists()


def test_a_command_credential_is_recorded_without_an_account(apictl, ref, tmp_path):
    token = ref.key("dzdesk")
    script = tmp_path / "print-token"
    script.write_text(f"#!/bin/sh\necho {token}\n")
    script.chmod(0o700)
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"),
                      "--token-command", str(script)).code == 0
    assert apictl.run("request", "GET", "/me").code == 0
    [line] = entries(apictl.home / ".local/state/apictl/audit.jsonl")
    assert line["source"] == "command" and line["account"] is None and token not in json.dumps(line)


def test_an_unwritable_record_warns_and_the_request_still_succeeds(dz, ref):
    dz.audit.parent.mkdir(parents=True, exist_ok=True)
    if dz.audit.exists():
        dz.audit.unlink()
    dz.audit.mkdir()                                        # not a file: the append fails
    result = dz.run("request", "GET", "/me")
    assert result.code == 0 and "could not add to the audit record" in result.err, result


def test_a_key_in_the_path_or_a_bare_query_never_reaches_the_record(dz, ref):
    assert dz.run("request", "GET", f"/lookup/{dz.token}").code in (0, 1)
    assert dz.run("request", "GET", "/requests?sk_live_SECRETVALUE&page=2").code in (0, 1)
    text = dz.audit.read_text()
    assert dz.token not in text and "SECRETVALUE" not in text
    paths = [l["path"] for l in entries(dz.audit)]
    assert paths[-2:] == ["/dzdesk/v1/lookup/[REDACTED]", "/dzdesk/v1/requests?(value)&page="]


def test_a_fifo_in_the_records_place_never_hangs_a_request(dz, ref):
    dz.audit.parent.mkdir(parents=True, exist_ok=True)
    if dz.audit.exists():
        dz.audit.unlink()
    os.mkfifo(dz.audit)
    result = dz.run("request", "GET", "/me", timeout=10)
    assert result.code == 0 and "could not add to the audit record" in result.err, result
    for command in (["audit"], ["account", "list"]):
        os.rename(dz.audit, dz.audit.with_name("audit.jsonl.1")) if dz.audit.exists() else None
        assert dz.run(*command, timeout=10).code == 0


def test_a_response_cut_short_by_the_reader_is_still_recorded(dz, ref):
    import subprocess
    env = dict(dz.env, PATH=os.environ["PATH"])
    cut = subprocess.run(f"{APICTL} request GET {ref.origin}/_test/bytes/50000000 | head -c 10 > /dev/null", shell=True, env=env,
                         timeout=60)
    assert cut.returncode == 0
    assert any(l["path"] == "/_test/bytes/50000000" for l in entries(dz.audit))


def test_a_refused_key_and_the_renewed_one_are_each_recorded(apictl, ref, tmp_path):
    import sys
    from pathlib import Path
    here = Path(__file__).parent
    apictl.env.update(PASS, BROWSER=f"{sys.executable} {here / 'fake_browser.py'}", FAKE_BROWSER_LOG=str(tmp_path / "browser.log"))
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--auth", "oauth2", "--base-url", ref.url("dzdesk", "/v1"),
                      "--oauth-issuer", ref.url("dzdesk", "/oauth"), "--oauth-client-id", "cli-app").code == 0
    assert apictl.run("login").code == 0
    old = apictl.run("token", "print").out.strip()
    ref.admin("/keys/revoke", {"token": old})
    assert apictl.run("request", "GET", "/me").code == 0
    new = apictl.run("token", "print").out.strip()
    import hashlib
    recorded = entries(apictl.home / ".local/state/apictl/audit.jsonl")
    # the stored refresh token's trip to the token endpoint is a use of it too
    renewals = [l for l in recorded if l["path"] == "/dzdesk/oauth/token"]
    assert [(l["method"], l["status"], l["account"]) for l in renewals] == [("POST", 200, "default")]
    assert renewals[0]["credential"] not in (hashlib.sha256(old.encode()).hexdigest()[:12], hashlib.sha256(new.encode()).hexdigest()[:12])
    lines = [l for l in recorded if l["path"] == "/dzdesk/v1/me"]
    assert [(l["status"], l["credential"]) for l in lines] == [
        (401, hashlib.sha256(old.encode()).hexdigest()[:12]), (200, hashlib.sha256(new.encode()).hexdigest()[:12])]


def test_a_key_percent_encoded_in_the_path_is_redacted_too(dz, ref):
    encoded = "".join(f"%{ord(c):02X}" for c in dz.token)
    result = dz.run("request", "GET", f"/lookup/{encoded}", "-v")
    assert dz.token not in result.err and encoded not in result.err
    text = dz.audit.read_text()
    assert encoded not in text and dz.token not in text
    assert entries(dz.audit)[-1]["path"] == "/dzdesk/v1/lookup/[REDACTED]"


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_a_request_ended_by_a_signal_before_its_answer_is_still_recorded(dz, ref, signal_number):
    import subprocess
    url = f"{ref.origin}/_test/hang?seconds=5"
    process = subprocess.Popen([APICTL, "request", "GET", url], env=dz.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 5
    while not any(e["path"] == "/_test/hang" for e in ref.log()) and time.time() < deadline:
        time.sleep(0.05)
    process.send_signal(signal_number)
    process.wait(10)
    assert process.returncode == -signal_number          # ended by the signal, as before
    [line] = [l for l in entries(dz.audit) if l["path"] == "/_test/hang?seconds="]
    assert line["status"] is None and line["account"] == "default" and line["method"] == "GET"


def test_a_line_written_on_a_signal_starts_after_a_line_a_full_disk_cut_short(dz, ref):
    import subprocess
    assert dz.run("request", "GET", "/me").code == 0
    with open(dz.audit, "a") as record:
        record.write('{"time":"2026-12-07T23:08:02Z","profile":"dz","acc')      # what a full disk leaves
    url = f"{ref.origin}/_test/hang?seconds=5"
    process = subprocess.Popen([APICTL, "request", "GET", url], env=dz.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 5
    while not any(e["path"] == "/_test/hang" for e in ref.log()) and time.time() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    process.wait(10)
    lines = dz.audit.read_text().splitlines()
    assert lines[-2].endswith('"acc') and json.loads(lines[-1])["path"] == "/_test/hang?seconds=", lines[-2:]
    shown = dz.run("audit")
    assert shown.code == 0 and "/_test/hang" in shown.out, shown
