"""`request --dry-run` and `--curl`: the request shown, nothing sent, the secret never printed."""
import subprocess

import pytest

from conftest import assert_one_line_error


@pytest.fixture
def dz(apictl, ref):
    apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"))
    return {"DZDESK_TOKEN": ref.key("dzdesk", scopes=["requests:read", "requests:write"])}


def test_dry_run_shows_the_request_and_sends_nothing(apictl, ref, dz):
    before = len(ref.log())
    result = apictl.run("request", "POST", "/requests", "-f", "title=Broken", "-F", "priority=2", "--dry-run", env=dz)
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0] == f"POST {ref.url('dzdesk', '/v1/requests')}"
    assert "Authorization: Bearer [REDACTED]" in lines and "Content-Type: application/json" in lines
    assert lines[-1] == '{"title":"Broken","priority":2}'
    assert "environment variable DZDESK_TOKEN" in result.err
    assert dz["DZDESK_TOKEN"] not in result.out + result.err
    assert not [entry for entry in ref.log()[before:] if entry["path"].startswith("/dzdesk")]


def test_dry_run_runs_no_token_command_unless_resolve(apictl, ref, dz, tmp_path):
    marker, key = tmp_path / "ran", tmp_path / "key"
    key.write_text(dz["DZDESK_TOKEN"])
    apictl.run("profile", "set", "dz", "--token-command", f"touch {marker}; cat {key}")
    result = apictl.run("request", "GET", "/me", "--dry-run")
    assert result.code == 0 and "not run" in result.err and not marker.exists(), result
    resolved = apictl.run("request", "GET", "/me", "--dry-run", "--resolve")
    assert resolved.code == 0 and marker.exists() and "Bearer [REDACTED]" in resolved.out, resolved
    assert dz["DZDESK_TOKEN"] not in resolved.out + resolved.err
    assert_one_line_error(apictl.run("request", "GET", "/me", "--resolve"), 2, "--resolve goes with --dry-run")


@pytest.mark.parametrize("args", [
    ["GET", "/requests", "--query", "status=open"],
    ["POST", "/requests", "-f", "title=it's $HOME and `x`", "-F", "priority=3"],
    ["GET", "/me"],
])
def test_the_curl_line_run_by_curl_gets_the_same_answer(apictl, ref, dz, args):
    line = apictl.run("request", *args, "--curl", env=dz)
    assert line.code == 0 and line.out.startswith("curl ") and dz["DZDESK_TOKEN"] not in line.out, line
    assert "${DZDESK_TOKEN}" in line.out
    ref.admin("/reset", {}) if args[0] == "POST" else None
    token = ref.key("dzdesk", scopes=["requests:read", "requests:write"])
    by_curl = subprocess.run(["bash", "-c", line.out], env={"PATH": "/usr/bin:/bin", "DZDESK_TOKEN": token},
                             capture_output=True, text=True, timeout=30)
    if args[0] == "POST":
        ref.admin("/reset", {})
        token = ref.key("dzdesk", scopes=["requests:read", "requests:write"])
    by_apictl = apictl.run("request", *args, env={"DZDESK_TOKEN": token})
    assert by_curl.returncode == 0, by_curl.stderr
    assert by_curl.stdout == by_apictl.out


def test_curl_for_other_schemes_reads_the_key_from_a_variable(apictl):
    apictl.run("profile", "add", "q", "--base-url", "https://api.example.com", "--auth", "query:api_key", "--token-env", "Q_KEY")
    assert apictl.run("-p", "q", "request", "GET", "/x", "--curl").out.startswith('curl "https://api.example.com/x?api_key=${Q_KEY}"')
    apictl.run("profile", "add", "b", "--base-url", "https://api.example.com", "--auth", "basic")
    assert '-u "${APICTL_TOKEN}"' in apictl.run("-p", "b", "request", "GET", "/x", "--curl").out
    apictl.run("profile", "add", "h", "--base-url", "https://api.example.com", "--auth", "header:X-API-Key")
    assert "-H \"X-API-Key: ${APICTL_TOKEN}\"" in apictl.run("-p", "h", "request", "GET", "/x", "--curl").out
