"""Tokens from servers are checked like tokens from users, and refresh tokens go only where
they came from (issue 32): a server that hands out a token with a line break cannot inject
headers or replace the working key, and a config that moves a profile's refresh endpoint
to another origin gets nothing."""
import json
import sys
import time
from pathlib import Path

import pytest

from conftest import assert_one_line_error

HERE = Path(__file__).resolve().parent
BROWSER = f"{sys.executable} {HERE / 'fake_browser.py'}"
PASS = {"APICTL_PASSPHRASE": "correct horse battery staple", "APICTL_CREDENTIAL_STORE": "file"}
HOSTILE = ["tok\r\nX-Injected: 1", "tok\nX-Injected: 1", "tok\u0000x", "tok\u001b[2Jx"]


def configure(apictl, text):
    apictl.config_path.parent.mkdir(parents=True, exist_ok=True)
    apictl.config_path.write_text(text)


def assert_fails_last_line(result, code, *fragments):
    """A command that reported progress first (a browser login) ends with one error line."""
    assert result.code == code, result
    last = result.err.strip().splitlines()[-1]
    assert last.startswith("apictl: ") and all(fragment in last for fragment in fragments), result


def injected(ref):
    """Whether any request the server saw carried a header a token smuggled in."""
    return any("X-Injected" in entry["headers"] for entry in ref.log())


# --- OAuth 2.0: login and refresh ------------------------------------------------------------

@pytest.fixture
def dz(apictl, ref, tmp_path):
    apictl.env.update(PASS, BROWSER=BROWSER)
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--auth", "oauth2",
                      "--base-url", ref.url("dzdesk", "/v1"), "--oauth-issuer", ref.url("dzdesk", "/oauth"),
                      "--oauth-client-id", "cli-app").code == 0
    return apictl


def hostile_grant(ref, access="good", refresh="good"):
    body = {"access_token": access, "refresh_token": refresh, "token_type": "Bearer", "expires_in": 3600}
    ref.admin("/oauth", {"api": "dzdesk", "body": json.dumps(body)})


@pytest.mark.parametrize("token", HOSTILE)
def test_an_oauth_login_refuses_a_broken_access_token_and_stores_nothing(dz, ref, token):
    hostile_grant(ref, access=token)
    result = dz.run("login")
    assert_fails_last_line(result, 4, "the access_token from the token endpoint", "/dzdesk/oauth/token", "nothing was stored")
    assert token not in result.err
    assert_one_line_error(dz.run("token", "print"), 4, "no credential")


def test_a_refresh_that_answers_a_broken_token_keeps_the_working_one(dz, ref):
    assert dz.run("login").code == 0
    before = dz.run("token", "print").out
    hostile_grant(ref, refresh="r\r\nX-Injected: 1")
    result = dz.run("token", "refresh")
    assert_one_line_error(result, 4, "the refresh_token from the token endpoint", "nothing was stored")
    ref.admin("/oauth", {"api": "dzdesk", "body": None})
    assert dz.run("token", "print").out == before
    assert dz.run("request", "GET", "/me").code == 0
    assert not injected(ref)


# --- token pairs: obtain, and refresh after a 401 --------------------------------------------

PAIR = """[profiles.pair]
auth = "bearer"
base_url = "{base}"
whoami = "/me"
[profiles.pair.pair]
obtain = "POST /pair/obtain"
refresh = "POST /pair/refresh"
"""


def pair_answer(ref, path, access, refresh="refresh-1", count=1):
    ref.fault(api="dzdesk", method="POST", path=f"/v1/pair/{path}", status=200, count=count,
              body=json.dumps({"access": access, "refresh": refresh}), headers={"Content-Type": "application/json"})


@pytest.fixture
def pair(apictl, ref):
    apictl.env.update(PASS)
    configure(apictl, PAIR.format(base=ref.url("dzdesk", "/v1")))
    return apictl


@pytest.mark.parametrize("token", HOSTILE[:2])
def test_a_pair_obtain_with_a_broken_token_stores_nothing(pair, ref, token):
    pair_answer(ref, "obtain", token)
    result = pair.run("login", "-p", "pair", "--username", "u", "--password-stdin", input="pw\n")
    assert_one_line_error(result, 4, "the access token from the obtain endpoint", "/v1/pair/obtain", "nothing was stored")
    assert_one_line_error(pair.run("token", "print", "-p", "pair"), 4, "no credential")


def test_a_pair_refresh_with_a_broken_token_keeps_the_working_key(pair, ref):
    key = ref.key("dzdesk", scopes=["requests:read"])
    pair_answer(ref, "obtain", key)
    assert pair.run("login", "-p", "pair", "--username", "u", "--password-stdin", input="pw\n").code == 0
    # The API refuses the key once; the renewal answers a token that would inject a header.
    ref.fault(api="dzdesk", method="GET", path="/v1/me", status=401, code="INVALID_TOKEN", message="try again", count=1)
    pair_answer(ref, "refresh", "new\r\nX-Injected: 1", refresh="refresh-2")
    result = pair.run("request", "GET", "/me", "-p", "pair")
    assert_one_line_error(result, 4, "the access token from the refresh endpoint", "nothing was stored")
    assert pair.run("token", "print", "-p", "pair").out.strip() == key
    assert pair.run("request", "GET", "/me", "-p", "pair").code == 0
    assert not injected(ref)


# --- token create and rotate ------------------------------------------------------------------

@pytest.fixture
def keyed(apictl, ref):
    apictl.env.update(PASS)
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    key = ref.key("dzdesk", scopes=["requests:read", "requests:write", "keys:write"])
    assert apictl.run("login", "--with-token", input=key).code == 0
    return apictl, key


def hostile_create(ref, key="k\r\nX-Injected: 1"):
    ref.fault(api="dzdesk", method="POST", path="/v1/api-keys", status=201, count=1,
              body=json.dumps({"data": {"id": "key_hostile", "key": key, "scopes": []}}),
              headers={"Content-Type": "application/json"})


def test_token_create_refuses_a_broken_key_and_prints_nothing(keyed, ref):
    apictl, key = keyed
    hostile_create(ref)
    result = apictl.run("token", "create", "--name", "ci", "--store")
    assert_one_line_error(result, 1, "the key the create call", "nothing was stored")
    assert result.out == ""
    assert apictl.run("token", "print").out.strip() == key
    assert not injected(ref)


def test_token_rotate_refuses_a_broken_key_and_the_old_one_keeps_working(keyed, ref):
    apictl, key = keyed
    hostile_create(ref)
    result = apictl.run("token", "rotate")
    assert result.code == 1 and "the key the create call" in result.err, result
    assert apictl.run("token", "print").out.strip() == key
    assert apictl.run("request", "GET", "/me").code == 0
    assert not injected(ref)


# --- refresh tokens are bound to where they came from ----------------------------------------

def test_a_config_that_moves_the_oauth_refresh_elsewhere_gets_nothing(dz, ref, tmp_path):
    assert dz.run("login").code == 0
    settings = dz.config_path.read_text()
    other = ref.url("dzdesk", "/oauth/token", host="localhost")
    moved = tmp_path / "moved.toml"
    moved.write_text(settings.replace("[profiles.dz.oauth]", f'[profiles.dz.oauth]\nrefresh_url = "{other}"'))
    since = len(ref.log())
    result = dz.run("--config", str(moved), "token", "refresh")
    assert result.code in (3, 4), result
    assert "refusing to send it there" in result.err and "localhost" in result.err, result
    assert [entry for entry in ref.log()[since:] if entry["host"].startswith("localhost")] == []


def test_a_config_that_moves_a_pair_refresh_elsewhere_gets_nothing(pair, ref, tmp_path):
    key = ref.key("dzdesk", scopes=["requests:read"])
    pair_answer(ref, "obtain", key)
    assert pair.run("login", "-p", "pair", "--username", "u", "--password-stdin", input="pw\n").code == 0
    other = ref.url("dzdesk", "/v1/pair/refresh", host="localhost")
    moved = tmp_path / "moved.toml"
    moved.write_text(PAIR.format(base=ref.url("dzdesk", "/v1")).replace('refresh = "POST /pair/refresh"',
                                                                          f'refresh = "POST {other}"'))
    ref.fault(api="dzdesk", method="GET", path="/v1/me", status=401, code="INVALID_TOKEN", message="again", count=1)
    since = len(ref.log())
    result = pair.run("--config", str(moved), "request", "GET", "/me", "-p", "pair")
    assert result.code in (3, 4), result
    assert "refusing to send it there" in result.err, result
    assert [entry for entry in ref.log()[since:] if entry["host"].startswith("localhost")] == []


# --- a stored credential goes nowhere its profile moved to -----------------------------------

def moved_base(apictl, tmp_path, original):
    """The same config with base_url on another origin (localhost is another origin than 127.0.0.1)."""
    moved = tmp_path / "moved.toml"
    moved.write_text(apictl.config_path.read_text().replace(original, original.replace("127.0.0.1", "localhost")))
    return moved


def reached_localhost(ref, since):
    return [entry for entry in ref.log()[since:] if entry["host"].startswith("localhost")]


def test_token_refresh_for_a_moved_profile_sends_nothing_and_keeps_the_binding(dz, ref, tmp_path):
    assert dz.run("login").code == 0
    moved = moved_base(dz, tmp_path, ref.url("dzdesk", "/v1"))
    since = len(ref.log())
    result = dz.run("--config", str(moved), "token", "refresh")
    assert_one_line_error(result, 4, "was obtained for", "refusing to send it there")
    # neither the provider (on the old origin) nor the new origin heard of it
    assert [entry for entry in ref.log()[since:] if "/oauth/" in entry["path"]] == []
    assert reached_localhost(ref, since) == []
    # the record still belongs to the old origin: the moved config cannot use it even after a refresh attempt
    assert_one_line_error(dz.run("--config", str(moved), "request", "GET", "/me"), 4, "refusing to send it there")
    assert reached_localhost(ref, since) == []
    assert dz.run("token", "refresh").code == 0
    assert dz.run("request", "GET", "/me").code == 0


def test_logout_revoke_for_a_moved_profile_sends_the_key_nowhere_and_keeps_it(apictl, ref, tmp_path):
    apictl.env.update(PASS)
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    issued = ref.admin("/keys", {"api": "dzdesk", "scopes": ["requests:read", "keys:write"]})
    assert apictl.run("login", "--with-token", "--key-id", issued["id"], input=issued["token"]).code == 0
    moved = moved_base(apictl, tmp_path, ref.url("dzdesk", "/v1"))
    since = len(ref.log())
    result = apictl.run("--config", str(moved), "logout", "--revoke")
    assert result.code == 4 and "refusing to send it there" in result.err and "local copy was kept" in result.err, result
    assert reached_localhost(ref, since) == []
    assert apictl.run("token", "print").out.strip() == issued["token"]
    assert apictl.run("request", "GET", "/me").code == 0


# --- secrets in a request's body never leave its origin --------------------------------------

def test_a_token_endpoint_that_redirects_elsewhere_gets_no_refresh_token(dz, ref):
    assert dz.run("login").code == 0
    elsewhere = ref.url("dzdesk", "/oauth/token", host="localhost")
    for status in (307, 308):
        ref.fault(api="dzdesk", method="POST", path="/oauth/token", status=status, count=1, body="",
                  headers={"Location": elsewhere})
        since = len(ref.log())
        result = dz.run("token", "refresh", "-v")
        assert result.code == 1 and "refusing to follow it" in result.err.splitlines()[-1], result
        assert "credentials dropped" not in result.err
        assert reached_localhost(ref, since) == []
    assert dz.run("token", "refresh").code == 0


def test_a_token_pair_login_never_crosses_a_plain_http_proxy(pair, ref, proxy):
    since = len(ref.log())
    result = pair.run("login", "-p", "pair", "--username", "u", "--password-stdin", input="pw-proxy-1\n",
                      env={"http_proxy": proxy.url})
    assert_one_line_error(result, 3, "plain http through the proxy", proxy.url)
    assert [entry for entry in ref.log()[since:] if "/pair/" in entry["path"]] == []
    assert "pw-proxy-1" not in (Path(proxy.dir) / "log").read_text(errors="replace")


# --- what a server answers is checked whole --------------------------------------------------

def test_a_refresh_token_that_is_not_a_string_is_refused(dz, ref):
    ref.admin("/oauth", {"api": "dzdesk", "body": json.dumps({"access_token": "a-good-token", "refresh_token": {"nested": 1},
                                                              "token_type": "Bearer", "expires_in": 3600})})
    result = dz.run("login")
    assert_fails_last_line(result, 4, "refresh_token that is not a string", "nothing was stored")
    assert_one_line_error(dz.run("token", "print"), 4, "no credential")


def test_a_token_longer_than_64_kib_is_refused(pair, ref):
    pair_answer(ref, "obtain", "a" * (64 * 1024 + 1))
    result = pair.run("login", "-p", "pair", "--username", "u", "--password-stdin", input="pw\n")
    assert_one_line_error(result, 4, "more than the 64 KiB", "nothing was stored")


def test_a_pair_lifetime_that_is_not_one_is_refused(pair, ref):
    configure(pair, PAIR.format(base=ref.url("dzdesk", "/v1")) + 'expires_in = "/ttl"\n')
    ref.fault(api="dzdesk", method="POST", path="/v1/pair/obtain", status=200, count=1,
              body=json.dumps({"access": "a-good-token", "refresh": "r-1", "ttl": 1e300}),
              headers={"Content-Type": "application/json"})
    result = pair.run("login", "-p", "pair", "--username", "u", "--password-stdin", input="pw\n")
    assert_one_line_error(result, 4, "lifetime at /ttl")


def test_an_oauth_refresh_token_never_goes_to_an_api_origin_it_did_not_come_from(apictl, ref, tmp_path):
    """Tokens from a provider on localhost, the API on 127.0.0.1: a refresh_url added on the API's
    origin afterwards is refused, and the API receives nothing (the provider's refresh token is
    no resource server's business)."""
    apictl.env.update(PASS, BROWSER=BROWSER)
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--auth", "oauth2", "--base-url", ref.url("dzdesk", "/v1"),
                      "--oauth-issuer", ref.url("dzdesk", "/oauth", host="localhost"), "--oauth-client-id", "cli-app").code == 0
    assert apictl.run("login").code == 0
    moved = tmp_path / "moved.toml"
    moved.write_text(apictl.config_path.read_text().replace("[profiles.dz.oauth]", '[profiles.dz.oauth]\nrefresh_url = "/oauth/token"'))
    since = len(ref.log())
    result = apictl.run("--config", str(moved), "token", "refresh")
    assert_one_line_error(result, 4, "refusing to send it there", "127.0.0.1")
    assert [e for e in ref.log()[since:] if e["method"] == "POST"] == []
    assert apictl.run("token", "refresh").code == 0   # the provider it came from still renews it


@pytest.mark.parametrize("refresh_at_login", [True, False])
def test_a_pair_refresh_token_never_goes_to_the_api_origin_when_it_came_from_another(pair, ref, tmp_path, refresh_at_login):
    key = ref.key("dzdesk", scopes=["requests:read"])
    pair_answer(ref, "obtain", key)
    elsewhere = PAIR.format(base=ref.url("dzdesk", "/v1")).replace(
        '"POST /pair/obtain"', f'"POST {ref.url("dzdesk", "/v1/pair/obtain", host="localhost")}"').replace(
        'refresh = "POST /pair/refresh"', f'refresh = "POST {ref.url("dzdesk", "/v1/pair/refresh", host="localhost")}"'
        if refresh_at_login else "")
    configure(pair, elsewhere)
    assert pair.run("login", "-p", "pair", "--username", "u", "--password-stdin", input="pw\n").code == 0
    moved = tmp_path / "moved.toml"
    moved.write_text(PAIR.format(base=ref.url("dzdesk", "/v1")))   # refresh = "POST /pair/refresh": the API's origin
    since = len(ref.log())
    result = pair.run("--config", str(moved), "token", "refresh", "-p", "pair")
    assert_one_line_error(result, 4, "refusing to send it there")
    assert [e for e in ref.log()[since:] if e["path"].endswith("/pair/refresh")] == []


def test_secrets_a_refusing_server_quotes_back_are_not_shown(pair, ref):
    key = ref.key("dzdesk", scopes=["requests:read"])
    quoting_password = json.dumps({"detail": "no user with password pw-SECRET-123"})
    ref.fault(api="dzdesk", method="POST", path="/v1/pair/obtain", status=400, count=1, body=quoting_password,
              headers={"Content-Type": "application/json"})
    refused = pair.run("login", "-p", "pair", "--username", "u", "--password-stdin", input="pw-SECRET-123\n")
    assert_one_line_error(refused, 4, "no user with password [REDACTED]")
    assert "SECRET" not in refused.err + refused.out
    pair_answer(ref, "obtain", key, refresh="refresh-SECRET-1")
    assert pair.run("login", "-p", "pair", "--username", "u", "--password-stdin", input="pw-SECRET-123\n").code == 0
    quoting_refresh = json.dumps({"detail": "refresh-SECRET-1 is blacklisted"})
    ref.fault(api="dzdesk", method="POST", path="/v1/pair/refresh", status=401, count=1, body=quoting_refresh,
              headers={"Content-Type": "application/json"})
    result = pair.run("token", "refresh", "-p", "pair")
    assert_one_line_error(result, 4, "[REDACTED] is blacklisted")
    assert "SECRET" not in result.err + result.out


def test_a_refused_refresh_of_a_pair_renewed_before_says_to_log_in(pair, ref):
    """The refresh style worked before, so a refusal now is a spent or revoked token, not a wrong pair.refresh_with."""
    key = ref.key("dzdesk", scopes=["requests:read"])
    pair_answer(ref, "obtain", key, refresh="refresh-one")
    assert pair.run("login", "-p", "pair", "--username", "u", "--password-stdin", input="pw\n").code == 0
    time.sleep(1.1)
    pair_answer(ref, "refresh", key, refresh="refresh-two")
    assert pair.run("token", "refresh", "-p", "pair").code == 0
    ref.fault(api="dzdesk", method="POST", path="/v1/pair/refresh", status=401, count=1,
              body=json.dumps({"detail": "Token is blacklisted", "code": "token_not_valid"}), headers={"Content-Type": "application/json"})
    result = pair.run("token", "refresh", "-p", "pair")
    assert_one_line_error(result, 4, "Token is blacklisted", "apictl login -p pair")
    assert "refresh_with" not in result.err


def test_an_empty_revoke_body_revokes_with_no_body(pair, ref):
    """flask-jwt-extended's logout: the token as the Bearer credential, nothing in the body."""
    key = ref.key("dzdesk", scopes=["requests:read"])
    configure(pair, PAIR.format(base=ref.url("dzdesk", "/v1")) + 'revoke = "POST /pair/revoke"\nrevoke_with = "bearer"\nrevoke_body = {}\n')
    pair_answer(ref, "obtain", key)
    assert pair.run("login", "-p", "pair", "--username", "u", "--password-stdin", input="pw\n").code == 0
    ref.fault(api="dzdesk", method="POST", path="/v1/pair/revoke", status=200, count=1, body="{}", headers={"Content-Type": "application/json"})
    since = len(ref.log())
    result = pair.run("logout", "-p", "pair", "--revoke")
    assert result.code == 0, result
    revokes = [e for e in ref.log()[since:] if e["path"].endswith("/pair/revoke")]
    assert len(revokes) == 1 and revokes[0]["body"] == "" and revokes[0]["headers"].get("Authorization") == f"Bearer {key}", revokes


@pytest.mark.parametrize("answer", [{"id": "key_nokey"}, {"id": "key_nokey", "key": 7}, {"id": "key_nokey", "key": "k" * 70000}])
def test_a_created_key_apictl_cannot_use_is_revoked_again(keyed, ref, answer):
    apictl, key = keyed
    ref.fault(api="dzdesk", method="POST", path="/v1/api-keys", status=201, count=1, body=json.dumps({"data": answer}),
              headers={"Content-Type": "application/json"})
    since = len(ref.log())
    result = apictl.run("token", "create", "--name", "ci", "--store")
    assert result.code == 1 and "revoked again" in result.err and result.out == "", result
    assert [e["method"] for e in ref.log()[since:] if e["path"].endswith("/api-keys/key_nokey")] == ["DELETE"]
    assert apictl.run("token", "print").out.strip() == key


def test_a_long_or_encoded_secret_quoted_back_is_masked_too(pair, ref):
    """Masked before the line is cut to length, and in the forms it was sent in (percent-encoded
    in a form, escaped in JSON)."""
    long_refresh = "eyJ" + "R" * 400 + "sigEND"
    key = ref.key("dzdesk", scopes=["requests:read"])
    configure(pair, PAIR.format(base=ref.url("dzdesk", "/v1")) + 'obtain_format = "form"\n')
    password = 'p@ss w/rd&"q-SECRET'
    quoted = json.dumps({"detail": "bad form: password=p%40ss%20w%2Frd%26%22q-SECRET and json \"p@ss w/rd&\\\"q-SECRET\""})
    ref.fault(api="dzdesk", method="POST", path="/v1/pair/obtain", status=400, count=1, body=quoted, headers={"Content-Type": "application/json"})
    refused = pair.run("login", "-p", "pair", "--username", "u", "--password-stdin", input=password + "\n")
    assert refused.code == 4 and "SECRET" not in refused.err, refused
    pair_answer(ref, "obtain", key, refresh=long_refresh)
    assert pair.run("login", "-p", "pair", "--username", "u", "--password-stdin", input=password + "\n").code == 0
    ref.fault(api="dzdesk", method="POST", path="/v1/pair/refresh", status=401, count=1,
              body=json.dumps({"detail": f"Token is invalid or expired: {long_refresh}"}), headers={"Content-Type": "application/json"})
    result = pair.run("token", "refresh", "-p", "pair")
    assert result.code == 4 and "RRRR" not in result.err and "[REDACTED]" in result.err, result


def test_revoke_with_bearer_refresh_sends_the_refresh_token_and_no_body(pair, ref):
    key = ref.key("dzdesk", scopes=["requests:read"])
    configure(pair, PAIR.format(base=ref.url("dzdesk", "/v1")) + 'revoke = "DELETE /pair/logout"\nrevoke_with = "bearer_refresh"\n')
    pair_answer(ref, "obtain", key, refresh="refresh-for-logout")
    assert pair.run("login", "-p", "pair", "--username", "u", "--password-stdin", input="pw\n").code == 0
    ref.fault(api="dzdesk", method="DELETE", path="/v1/pair/logout", status=200, count=1, body="{}", headers={"Content-Type": "application/json"})
    since = len(ref.log())
    assert pair.run("logout", "-p", "pair", "--revoke").code == 0
    calls = [e for e in ref.log()[since:] if e["path"].endswith("/pair/logout")]
    assert len(calls) == 1 and calls[0]["body"] == "" and calls[0]["headers"].get("Authorization") == "Bearer refresh-for-logout", calls


def test_a_created_key_without_an_id_is_found_by_name_and_revoked(keyed, ref):
    apictl, key = keyed
    made = ref.admin("/keys", {"api": "dzdesk", "name": "ci-nameless", "scopes": ["requests:read"]})
    ref.fault(api="dzdesk", method="POST", path="/v1/api-keys", status=201, count=1, body=json.dumps({"data": {}}),
              headers={"Content-Type": "application/json"})
    result = apictl.run("token", "create", "--name", "ci-nameless")
    assert result.code == 1 and "revoked again" in result.err and result.out == "", result
    assert ref.admin(f"/keys/state?id={made['id']}")["revoked"] is True


def test_verbose_output_masks_what_a_token_request_carried(pair, ref):
    """-v shows a refusing refresh endpoint's headers: one that echoes the refresh token has it masked."""
    key = ref.key("dzdesk", scopes=["requests:read"])
    pair_answer(ref, "obtain", key, refresh="refresh-SECRET-2")
    assert pair.run("login", "-p", "pair", "--username", "u", "--password-stdin", input="pw\n").code == 0
    ref.fault(api="dzdesk", method="POST", path="/v1/pair/refresh", status=401, count=1, body="{}",
              headers={"Content-Type": "application/json", "X-Echo": "refresh-SECRET-2"})
    result = pair.run("token", "refresh", "-p", "pair", "-v")
    assert result.code == 4 and "< X-Echo: [REDACTED]" in result.err and "SECRET" not in result.err, result
