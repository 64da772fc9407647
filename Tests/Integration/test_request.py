"""`apictl request` against each seed API's contract, output modes, and security rules."""
import base64
import datetime
import json
import os

import pytest

from conftest import assert_one_line_error


@pytest.fixture
def dz(apictl, ref):
    """A DZDESK profile and a key with read/write scopes."""
    apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"))
    return {"DZDESK_TOKEN": ref.key("dzdesk", scopes=["requests:read", "requests:write"])}


def last_request(ref, path_fragment):
    return [entry for entry in ref.log() if path_fragment in entry["path"]][-1]


def test_datadocks_token_scheme_and_location_subdomain(apictl, ref):
    base = f"http://{{subdomain}}.localhost:{ref.port}/datadocks/api/v1"
    assert apictl.run("profile", "add", "dd", "--preset", "datadocks", "--base-url", base,
                      "--var", "subdomain=toronto-acme").code == 0
    key = ref.key("datadocks", location="toronto-acme", scopes=["write"])
    env = {"DATADOCKS_API_TOKEN": key}
    created = apictl.run("request", "POST", "/appointments", "-d",
                         '{"appointment": {"scheduled_at": "2023-10-01T09:00:00-04:00", "duration": 60}}', env=env)
    assert created.code == 0, created
    assert json.loads(created.out)["appointment"]["duration"] == 60
    sent = last_request(ref, "/appointments")
    assert sent["host"] == "toronto-acme.localhost"
    assert sent["headers"]["Authorization"] == f"Token {key}"
    assert sent["headers"]["Content-Type"] == "application/json"
    listed = apictl.run("request", "GET", "/appointments", env=env)
    assert json.loads(listed.out)["location"] == "toronto-acme"
    # the same key at another location is invalid there
    apictl.run("profile", "add", "dd2", "--preset", "datadocks", "--base-url", base, "--var", "subdomain=montreal-x")
    assert_one_line_error(apictl.run("request", "GET", "/appointments", "-p", "dd2", env=env), 4,
                          "401 Unauthorized: Invalid or missing token")


def test_techdocs_bearer_jwt_decoded_on_expiry(apictl, ref):
    apictl.run("profile", "add", "td", "--preset", "techdocs", "--base-url", ref.url("techdocs", "/v1"))
    fresh = ref.key("techdocs", jwt=True, scopes=["read_profile"], expires_in=3600)
    result = apictl.run("request", "GET", "/users/me", env={"TECHDOCS_API_KEY": fresh})
    assert result.code == 0 and json.loads(result.out)["scopes"] == ["read_profile"]
    expired = ref.key("techdocs", jwt=True, scopes=["read_profile"], expires_in=-7200)
    result = apictl.run("request", "GET", "/users/me", env={"TECHDOCS_API_KEY": expired})
    assert_one_line_error(result, 4, "401 INVALID_TOKEN: The provided authentication token has expired",
                          "token expired 2h ago", "put a fresh token in TECHDOCS_API_KEY")
    # A login cannot help while the variable wins, so the hint does not suggest one.
    assert "apictl login" not in result.err


def test_datasets_company_path_from_vars(apictl, ref):
    apictl.run("profile", "add", "ds", "--preset", "datasets", "--base-url", f"http://127.0.0.1:{ref.port}/datasets/api/v1",
               "--var", "company_id=42")
    token = ref.key("datasets", company="42", expires_in=600)
    result = apictl.run("request", "GET", "/companies/{company_id}/datasets/", env={"DATASETS_API_TOKEN": token})
    assert result.code == 0, result
    assert json.loads(result.out)["results"][0]["company_id"] == "42"
    result = apictl.run("request", "GET", "/companies/7/datasets/", env={"DATASETS_API_TOKEN": token})
    assert_one_line_error(result, 5, "403 permission_denied: You do not have permission")


def test_dzdesk_fields_become_typed_json(apictl, ref, dz):
    result = apictl.run("request", "POST", "/requests", "-f", "title=Broken", "-F", "priority=2", "-F", "urgent=true",
                        "-F", "tags=[\"a\",\"b\"]", env=dz)
    assert result.code == 0, result
    sent = json.loads(last_request(ref, "/requests")["body"])
    assert sent == {"title": "Broken", "priority": 2, "urgent": True, "tags": ["a", "b"]}
    assert json.loads(result.out)["data"]["title"] == "Broken"


def test_items_shorthand(apictl, ref, dz):
    result = apictl.run("request", "POST", "/requests", "title=Printer on fire", "priority:=1", "X-Trace:abc", "dry==1", env=dz)
    assert result.code == 0, result
    sent = last_request(ref, "/requests")
    assert json.loads(sent["body"]) == {"title": "Printer on fire", "priority": 1}
    assert sent["headers"]["X-Trace"] == "abc" and sent["query"] == "dry=1"


def test_get_fields_and_query_go_to_the_query_string(apictl, ref, dz):
    assert apictl.run("request", "GET", "/requests", "-f", "per_page=5", "--query", "page=1", env=dz).code == 0
    assert last_request(ref, "/requests")["query"] == "page=1&per_page=5"


def test_data_from_file_and_stdin(apictl, ref, dz, tmp_path):
    body = tmp_path / "body.json"
    body.write_text('{"title": "from file"}')
    assert apictl.run("request", "POST", "/requests", "-d", f"@{body}", env=dz).code == 0
    assert json.loads(last_request(ref, "/requests")["body"]) == {"title": "from file"}
    assert apictl.run("request", "POST", "/requests", "-d", "@-", env=dz, input='{"title": "from stdin"}').code == 0
    assert json.loads(last_request(ref, "/requests")["body"]) == {"title": "from stdin"}


def test_output_to_file_is_streamed_and_complete(apictl, ref, dz, tmp_path):
    target = tmp_path / "out.bin"
    result = apictl.run("request", "GET", ref.url("_test", "/bytes/300000"), "-o", str(target), env=dz)
    assert result.code == 0 and result.out == ""
    assert target.read_bytes() == b"a" * 300000
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".part")]


def test_output_file_not_created_on_error(apictl, ref, dz, tmp_path):
    target = tmp_path / "me.json"
    result = apictl.run("request", "GET", "/me", "-o", str(target), env={"DZDESK_TOKEN": "wrong"})
    assert result.code == 4 and not target.exists()
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".part")]


def test_piped_output_is_untouched(apictl, ref, dz):
    result = apictl.run("request", "GET", "/me", env=dz)
    assert result.out.startswith('{"success": true, "data": {"id": "user_123"')
    assert "\x1b[" not in result.out


def test_terminal_output_is_pretty_and_coloured(apictl, ref, dz):
    result = apictl.run_tty("request", "GET", "/me", env=dz)
    assert result.code == 0
    assert "\x1b[34;1m\"success\"\x1b[0m" in result.out   # coloured key
    assert '\n  \x1b[34;1m"data"' in result.out            # indented
    plain = apictl.run_tty("request", "GET", "/me", env=dict(dz, NO_COLOR="1"))
    assert "\x1b[" not in plain.out and '{\n  "success": true,\n  "data": {\n    "id": "user_123"' in plain.out
    flag = apictl.run_tty("request", "GET", "/me", "--no-color", env=dz)
    assert "\x1b[" not in flag.out
    raw = apictl.run_tty("request", "GET", "/me", "--raw", env=dz)
    assert '{"success": true, "data"' in raw.out


def test_include_shows_status_and_headers_first(apictl, ref, dz):
    result = apictl.run("request", "GET", "/me", "-i", env=dz)
    head, _, body = result.out.partition("\n\n")
    assert head.startswith("HTTP/1.1 200 OK") and "X-RateLimit-Limit: 60" in head
    assert json.loads(body)["success"] is True


def test_verbose_redacts_every_secret(apictl, ref, dz):
    token = dz["DZDESK_TOKEN"]
    result = apictl.run("request", "GET", "/me", "-v", "-H", "Cookie: session=abcdef", env=dz)
    assert result.code == 0
    assert "> Authorization: Bearer [REDACTED]" in result.err
    assert "> Cookie: [REDACTED]" in result.err
    assert "< X-RateLimit-Remaining:" in result.err
    assert token not in result.err and token not in result.out and "abcdef" not in result.err


def test_header_auth_scheme_and_query_scheme(apictl, ref):
    apictl.run("profile", "add", "h", "--base-url", ref.url("_test"), "--auth", "header:X-API-Key")
    result = apictl.run("request", "GET", "/echo", "-v", env={"APICTL_TOKEN": "hdr-secret-1"})
    assert json.loads(result.out)["headers"]["X-API-Key"] == "hdr-secret-1"
    assert "X-API-Key: [REDACTED]" in result.err and "hdr-secret-1" not in result.err
    apictl.run("profile", "add", "q", "--base-url", ref.url("_test"), "--auth", "query:api_key")
    result = apictl.run("request", "GET", "/echo", "-p", "q", "-v", env={"APICTL_TOKEN": "qry-secret-2"})
    assert json.loads(result.out)["query"] == "api_key=qry-secret-2"
    assert "qry-secret-2" not in result.err and "api_key=[REDACTED]" in result.err
    apictl.run("profile", "add", "b", "--base-url", ref.url("_test"), "--auth", "basic")
    result = apictl.run("request", "GET", "/echo", "-p", "b", env={"APICTL_TOKEN": "user:pass"})
    assert json.loads(result.out)["headers"]["Authorization"] == "Basic dXNlcjpwYXNz"


def test_credential_only_sent_to_profile_origin(apictl, ref, dz):
    other = f"http://localhost:{ref.port}/_test/echo"   # same port, other host: another origin
    result = apictl.run("request", "GET", other, env=dz)
    assert result.code == 0 and "Authorization" not in json.loads(result.out)["headers"]
    same = ref.url("_test", "/echo")
    assert json.loads(apictl.run("request", "GET", same, env=dz).out)["headers"]["Authorization"].startswith("Bearer ")


@pytest.mark.parametrize("auth, header", [("bearer", "Authorization"), ("header:X-API-Key", "X-API-Key")])
def test_redirect_to_another_origin_drops_credentials(apictl, ref, auth, header):
    apictl.run("profile", "add", "r", "--base-url", ref.url("_test"), "--auth", auth)
    target = f"http://localhost:{ref.port}/_test/echo"
    result = apictl.run("request", "GET", f"/redirect?to={target}", "-v", "-H", "Cookie: c=1",
                        env={"APICTL_TOKEN": "redirect-secret"})
    assert result.code == 0, result
    seen = json.loads(result.out)["headers"]
    assert header not in seen and "Cookie" not in seen
    assert "credentials dropped" in result.err
    # a redirect within the origin keeps them
    result = apictl.run("request", "GET", "/redirect?to=/_test/echo", env={"APICTL_TOKEN": "redirect-secret"})
    assert json.loads(result.out)["headers"][header].endswith("redirect-secret")


def test_post_303_becomes_get(apictl, ref, dz):
    result = apictl.run("request", "POST", ref.url("_test", "/redirect?status=303&to=/_test/echo"), "-f", "a=b", env=dz)
    assert result.code == 0
    assert last_request(ref, "/_test/echo")["method"] == "GET"


def test_redirect_loop_is_an_error(apictl, ref, dz):
    assert_one_line_error(apictl.run("request", "GET", ref.url("_test", "/self-redirect"), env=dz), 1, "too many redirects")


def test_plain_http_credential_only_to_loopback(apictl):
    apictl.run("profile", "add", "remote", "--base-url", "http://api.example.com/v1")
    result = apictl.run("request", "GET", "/me", "-p", "remote", env={"APICTL_TOKEN": "never-over-http"})
    assert_one_line_error(result, 3, "refusing to send a credential over plain http to api.example.com")


def test_timeout(apictl, ref, dz):
    ref.fault(api="dzdesk", path="/v1/me", delay=2)
    assert_one_line_error(apictl.run("request", "GET", "/me", "--timeout", "0.3", "--no-retry", env=dz), 8, "timed out")


def test_head_request(apictl, ref, dz):
    result = apictl.run("request", "HEAD", "/me", "-i", env=dz)
    assert result.code == 0 and result.out.startswith("HTTP/1.1 200")


def test_whoami_decodes_jwt_expiry_and_scopes(apictl, ref):
    apictl.run("profile", "add", "td", "--preset", "techdocs", "--base-url", ref.url("techdocs", "/v1"))
    token = ref.key("techdocs", jwt=True, scopes=["read_profile", "write_data"], expires_in=3 * 3600)
    result = apictl.run("whoami", "-p", "td", env={"TECHDOCS_API_KEY": token})
    assert result.code == 0, result
    assert "credential:  environment variable TECHDOCS_API_KEY" in result.out
    assert "scopes:      read_profile write_data" in result.out
    assert "(in 2h59m)" in result.out or "(in 3h)" in result.out, result.out   # to the minute
    data = json.loads(apictl.run("whoami", "-p", "td", "--json", env={"TECHDOCS_API_KEY": token}).out)
    payload = token.split(".")[1]
    exp = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["exp"]
    assert data["expires_at"] == datetime.datetime.fromtimestamp(exp, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert data["scopes"] == ["read_profile", "write_data"]
    assert data["expires_at"] in result.out, "the text form shows the same UTC time"
    assert token not in result.out


def test_paginate_with_a_method_other_than_get_is_refused_before_sending(apictl, ref):
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    since = len(ref.log())
    result = apictl.run("request", "POST", "/requests", "--paginate", "-f", "title=x", env={"DZDESK_TOKEN": "tok-paginate-1"})
    assert_one_line_error(result, 2, "--paginate", "POST")
    assert [e for e in ref.log()[since:] if not e["path"].startswith("/_admin")] == []


def test_a_refused_connection_is_not_retried_and_backoff_waits(apictl):
    import socket
    import time
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]                       # nothing listens there now
    started = time.time()
    result = apictl.run("request", "GET", f"http://127.0.0.1:{port}/x")
    assert result.code == 8 and "retry" not in result.err and time.time() - started < 2, result


def test_an_unfilled_path_template_is_refused_before_any_credential_work(apictl, ref, tmp_path):
    """Exit 2 before anything runs or is sent: no token command, no refresh."""
    marker = tmp_path / "token-command-ran"
    config = tmp_path / "c.toml"
    config.write_text(f'[profiles.t]\nauth = "bearer"\nbase_url = "{ref.url("dzdesk", "/v1")}"\n'
                      f'token_command = ["/bin/sh", "-c", "touch {marker}; echo tok"]\n')
    since = len(ref.log())
    result = apictl.run("--config", str(config), "-p", "t", "request", "GET", "/tickets/{id}/")
    assert result.code == 2 and "still has {id} in it" in result.err, result
    assert not marker.exists() and [e for e in ref.log()[since:] if not e["path"].startswith("/_admin")] == []
