"""OAuth 2.0 (issue 11): browser, device and client-credentials login, refresh
before expiry and on 401, refresh that never races, revocation, against the
reference server's DZDESK (form) and TechDocs (JSON) providers."""
import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import APICTL, assert_one_line_error

HERE = Path(__file__).resolve().parent
BROWSER = f"{sys.executable} {HERE / 'fake_browser.py'}"
PASS = {"APICTL_PASSPHRASE": "correct horse battery staple", "APICTL_CREDENTIAL_STORE": "file"}


def settings(ref, api, **values):
    ref.admin("/oauth", dict(values, api=api))


def stats(ref, api):
    return ref.admin(f"/oauth/stats?api={api}")


@pytest.fixture
def dz(apictl, ref, tmp_path):
    """A DZDESK oauth2 profile whose endpoints come from the issuer's discovery document."""
    apictl.env.update(PASS, BROWSER=BROWSER, FAKE_BROWSER_LOG=str(tmp_path / "browser.log"))
    result = apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--auth", "oauth2",
                        "--base-url", ref.url("dzdesk", "/v1"), "--oauth-issuer", ref.url("dzdesk", "/oauth"),
                        "--oauth-client-id", "cli-app")
    assert result.code == 0, result
    return apictl


def stored(apictl, profile="dz"):
    """The stored record, read through apictl's own JSON whoami (no secret printed)."""
    return json.loads(apictl.run("whoami", "-p", profile, "--json").out)


def login(apictl, *args, **kw):
    result = apictl.run("login", *args, **kw)
    assert result.code == 0, result
    return result


# --- authorization code + PKCE through the loopback redirect -----------------------

def test_browser_login_stores_a_renewable_token(dz, ref, tmp_path):
    result = login(dz)
    assert "Logged in to dz as user@company.com" in result.err and "renews itself" in result.err
    browser = (tmp_path / "browser.log").read_text()
    # the browser was sent to the authorize endpoint with an S256 challenge and a state, redirected to 127.0.0.1
    assert "code_challenge_method=S256" in browser and "state=" in browser
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in browser and "Logged in. You can close this window" in browser
    who = stored(dz)
    assert who["source"] == "file" and who["scopes"] == ["requests:read", "requests:write"]
    assert 3500 < who["expires_in"] <= 3600 and who["expires_at"].endswith("Z")
    assert stats(ref, "dzdesk")["authorization_code"] == 1
    assert dz.run("request", "GET", "/me").code == 0
    text = dz.run("whoami").out
    assert "expires in 59m" in text or "expires in 1h" in text or "(in 59m)" in text, text
    token = dz.run("token", "print").out.strip()
    assert token and token not in result.err + result.out + browser


def test_stray_requests_to_the_listener_are_refused_and_the_login_goes_on(dz, tmp_path):
    login(dz, env={"FAKE_BROWSER_STRAY": "1"})
    browser = (tmp_path / "browser.log").read_text()
    assert "stray-path 404" in browser and "forged-state 400" in browser
    assert dz.run("request", "GET", "/me").code == 0


def test_a_connection_that_trickles_does_not_hold_up_the_redirect(dz, tmp_path):
    """Any local user can connect to the listener: one sending a byte every half second used
    to hold the wait past --timeout while the browser's redirect sat unread."""
    started = time.monotonic()
    login(dz, "--timeout", "20", env={"FAKE_BROWSER_TRICKLE": "1"})
    assert time.monotonic() - started < 10
    assert dz.run("request", "GET", "/me").code == 0


def test_provider_denial_is_one_line_exit_4(dz, ref):
    settings(ref, "dzdesk", deny=True)
    result = dz.run("login")
    assert result.code == 4, result
    assert "the provider refused the login: access_denied" in result.err
    assert_one_line_error(dz.run("token", "print"), 4, "no credential")


def test_timeout_and_a_browser_that_never_comes_back(dz):
    started = time.time()
    result = dz.run("login", "--timeout", "1", env={"BROWSER": "true"})
    assert result.code == 4 and "not completed in time" in result.err, result
    # While it waits, it says so and how to stop waiting.
    assert "Waiting for the browser on http://127.0.0.1:" in result.err and "Ctrl-C to cancel" in result.err
    assert time.time() - started < 10
    assert_one_line_error(dz.run("login", "--timeout", "soon"), 2, "--timeout")


def test_no_browser_prints_the_url_and_takes_the_pasted_redirect(dz, ref):
    proc = subprocess.Popen([APICTL, "login", "--no-browser"], env=dict(dz.env), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = ""
    deadline = time.time() + 10
    while "authorize?" not in url and time.time() < deadline:
        url = proc.stderr.readline().decode()
    url = url.strip()
    assert url.startswith(ref.url("dzdesk", "/oauth/authorize?")), url   # the URL on a line of its own
    # What a person would copy from the address bar after approving: the redirect, not followed.
    opener = urllib.request.build_opener(NoRedirect)
    location = opener.open(url).headers["Location"]
    out, err = proc.communicate(location.encode() + b"\n", timeout=20)
    assert proc.returncode == 0, err
    assert dz.run("request", "GET", "/me").code == 0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp


def test_pasted_url_with_another_state_is_refused(dz):
    result = dz.run("login", "--no-browser", "--timeout", "10", input="http://127.0.0.1:1/callback?code=abc&state=forged\n")
    assert result.code == 4 and "state does not match" in result.err, result
    assert_one_line_error(dz.run("token", "print"), 4, "no credential")


def test_a_fixed_redirect_port_that_is_taken_fails_fast(dz, ref):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert dz.run("profile", "add", "dz", "--force", "--preset", "dzdesk", "--auth", "oauth2",
                      "--base-url", ref.url("dzdesk", "/v1"), "--oauth-issuer", ref.url("dzdesk", "/oauth"),
                      "--oauth-client-id", "cli-app", "--oauth-redirect-port", str(port)).code == 0
        assert_one_line_error(dz.run("login", "--timeout", "5"), 8, f"port {port}", "already in use")


# --- device flow and client credentials ---------------------------------------------

def start_device_login(apictl, *args):
    proc = subprocess.Popen([APICTL, "login", "--device", *args], env=dict(apictl.env), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = proc.stderr.readline().decode()
    assert "one-time code: " in line, line
    where = proc.stderr.readline().decode()
    assert "Then open " in where, where
    return proc, line.rsplit(" ", 1)[1].strip(), where


def test_device_flow_with_slow_down_and_approval(dz, ref):
    settings(ref, "dzdesk", slow_down=1, interval=0, verification_url=True)   # Google's spelling, no wait between polls
    proc, user_code, where = start_device_login(dz)
    time.sleep(0.5)
    assert ref.admin("/oauth/approve", {"api": "dzdesk", "user_code": user_code})["found"]
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "/dzdesk/oauth/device/verify" in where
    # one slow_down made it wait 5 s more before the poll that succeeded
    assert stats(ref, "dzdesk")["urn:ietf:params:oauth:grant-type:device_code"] >= 2
    assert stored(dz)["scopes"] == ["requests:read", "requests:write"]


@pytest.mark.parametrize("outcome, line", [({"deny": True}, "denied"), ({"expire": True}, "expired")])
def test_device_flow_denied_or_expired_is_exit_4(dz, ref, outcome, line):
    settings(ref, "dzdesk", interval=1)
    proc, user_code, _ = start_device_login(dz)
    ref.admin("/oauth/approve", dict(outcome, api="dzdesk", user_code=user_code))
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 4 and line in err.decode(), err


def test_device_no_wait_then_complete(dz, ref):
    pending = dz.run("login", "--device", "--no-wait")
    assert pending.code == 0, pending
    document = json.loads(pending.out)
    assert set(document) >= {"device_code", "user_code", "verification_uri", "interval", "expires_in"}
    ref.admin("/oauth/approve", {"api": "dzdesk", "user_code": document["user_code"]})
    done = dz.run("login", "--device", "--complete", input=pending.out)
    assert done.code == 0, done
    assert dz.run("request", "GET", "/me").code == 0
    assert_one_line_error(dz.run("login", "--no-wait"), 2, "--device")


def test_client_credentials_keep_their_secret_in_the_store_and_renew_without_a_refresh_token(dz, ref):
    assert dz.run("profile", "add", "bot", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"),
                  "--oauth-issuer", ref.url("dzdesk", "/oauth"), "--oauth-client-id", "conf-app",
                  "--oauth-client-auth", "basic", "--oauth-scope", "requests:read").code == 0
    assert_one_line_error(dz.run("login", "-p", "bot", "--client-credentials"), 2, "needs a client secret")
    assert_one_line_error(dz.run("login", "-p", "bot", "--client-credentials", "--client-secret-stdin", input="wrong\n"),
                          4, "invalid_client")
    settings(ref, "dzdesk", lifetime=4)    # renewed in its last half: 2 s before it expires
    result = login(dz, "-p", "bot", "--client-credentials", "--client-secret-stdin", input="s3cret-client\n")
    assert "s3cret-client" not in result.err + result.out
    assert stats(ref, "dzdesk")["client_credentials"] == 1
    settings(ref, "dzdesk", lifetime=3600)
    time.sleep(2.5)
    assert dz.run("request", "GET", "/me", "-p", "bot").code == 0
    assert stats(ref, "dzdesk")["client_credentials"] == 2 and stats(ref, "dzdesk")["refresh_token"] == 0
    config = dz.config_path.read_text()
    assert "s3cret" not in config


def test_client_secret_from_the_environment_is_never_stored(dz, ref):
    assert dz.run("profile", "add", "bot", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"),
                  "--oauth-issuer", ref.url("dzdesk", "/oauth"), "--oauth-client-id", "conf-app",
                  "--oauth-client-auth", "post").code == 0
    login(dz, "-p", "bot", "--client-credentials", env={"DZDESK_CLIENT_SECRET": "s3cret-client"})
    settings(ref, "dzdesk", lifetime=30)
    assert dz.run("token", "refresh", "-p", "bot", env={"DZDESK_CLIENT_SECRET": "s3cret-client"}).code == 0
    # without the variable there is no secret to renew with: the variable is named, and nothing is sent
    before = stats(ref, "dzdesk").get("client_credentials", 0)
    result = dz.run("token", "refresh", "-p", "bot")
    assert result.code == 3 and "DZDESK_CLIENT_SECRET" in result.err and "not set" in result.err, result
    assert stats(ref, "dzdesk").get("client_credentials", 0) == before


# --- refresh ----------------------------------------------------------------------------

def test_refresh_before_expiry_and_rotation(dz, ref):
    settings(ref, "dzdesk", lifetime=10)
    issued = time.time()
    login(dz)
    settings(ref, "dzdesk", lifetime=3600)
    assert dz.run("request", "GET", "/me").code == 0
    assert stats(ref, "dzdesk")["refresh_token"] == 0          # used while more than half its life is left
    time.sleep(max(0.0, issued + 5.5 - time.time()))           # now less than half: renewed before it is sent
    since = len(ref.log())
    assert dz.run("request", "GET", "/me").code == 0
    assert stats(ref, "dzdesk")["refresh_token"] == 1
    assert dz.run("request", "GET", "/me").code == 0
    assert stats(ref, "dzdesk")["refresh_token"] == 1          # the new token is good for an hour
    sent = {e["headers"]["Authorization"] for e in ref.log()[since:] if e["path"] == "/dzdesk/v1/me"}
    assert sent == {"Bearer " + dz.run("token", "print").out.strip()}   # both requests used the refreshed token
    # the rotated refresh token was stored: an on-demand refresh works again
    result = dz.run("token", "refresh")
    assert result.code == 0 and "rotated" in result.err, result
    assert stats(ref, "dzdesk")["refresh_token"] == 2


def test_a_401_refreshes_once_and_retries_once(dz, ref):
    login(dz)
    ref.admin("/keys/revoke", {"token": dz.run("token", "print").out.strip()})
    since = len(ref.log())
    result = dz.run("request", "GET", "/me")
    assert result.code == 0, result
    assert stats(ref, "dzdesk")["refresh_token"] == 1
    paths = [e["path"] for e in ref.log()[since:] if not e["path"].startswith("/_admin")]
    assert paths == ["/dzdesk/v1/me", "/dzdesk/oauth/token", "/dzdesk/v1/me"]
    # a token the API keeps refusing is refreshed once, not in a loop
    ref.fault(api="dzdesk", path="/v1/me", status=401, count=5)
    result = dz.run("request", "GET", "/me")
    assert result.code == 4 and stats(ref, "dzdesk")["refresh_token"] == 2, result


def test_a_refresh_response_without_refresh_token_keeps_the_old_one(dz, ref):
    login(dz)
    settings(ref, "dzdesk", omit_refresh=True, reuse_refresh=True)
    assert dz.run("token", "refresh").code == 0
    assert dz.run("token", "refresh").code == 0   # still has a refresh token to use
    assert stats(ref, "dzdesk")["refresh_token"] == 2


def test_thirty_processes_with_an_expired_token_cause_one_refresh(dz, ref):
    settings(ref, "dzdesk", lifetime=4)
    login(dz)
    settings(ref, "dzdesk", lifetime=3600, refresh_delay=0.5)
    time.sleep(2.5)                                            # due: less than half its life left
    with concurrent.futures.ThreadPoolExecutor(max_workers=30) as pool:
        results = list(pool.map(lambda _: dz.run("request", "GET", "/me", timeout=120), range(30)))
    assert [r.code for r in results] == [0] * 30, [r for r in results if r.code][:2]
    assert stats(ref, "dzdesk")["refresh_token"] == 1


def test_refresh_failures_say_which_and_keep_the_credential(dz, ref):
    login(dz)
    token = dz.run("token", "print").out.strip()
    ref.fault(api="dzdesk", path="/oauth/token", status=503, count=1)
    result = dz.run("token", "refresh")
    assert_one_line_error(result, 7, "503", "kept")
    assert dz.run("token", "print").out.strip() == token
    # a refresh token the provider no longer knows: exit 4 with the login hint
    settings(ref, "dzdesk", reuse_refresh=False)
    ref.admin("/reset", {})
    result = dz.run("token", "refresh")
    assert_one_line_error(result, 4, "invalid_grant", "run 'apictl login -p dz'")
    assert dz.run("token", "print").out.strip() == token     # dropped by nothing but logout


def test_refresh_network_failure_is_exit_8(dz, ref):
    login(dz)
    token = dz.run("token", "print").out.strip()
    # the token endpoint drops the connection before it answers
    ref.fault(api="dzdesk", method="POST", path="/oauth/token", drop="before", count=5)
    assert_one_line_error(dz.run("token", "refresh"), 8, "kept")
    assert dz.run("token", "print").out.strip() == token


def test_token_endpoint_answers_that_are_not_tokens(dz, ref):
    for body, fragment in [("{not json", "not JSON"), ('{"token_type":"Bearer"}', "without an access_token"),
                           ('{"access_token":"x","expires_in":-5}', "expires_in"),
                           ('{"access_token":"x","expires_in":"soon"}', "expires_in"),
                           # the extremes of a number from outside: never a trap, never an absurd expiry
                           ('{"access_token":"x","expires_in":1e309}', "expires_in"),
                           ('{"access_token":"x","expires_in":"NaN"}', "expires_in"),
                           ('{"access_token":"x","expires_in":9223372036854775808}', "expires_in"),
                           ('{"access_token":"x","expires_in":-9223372036854775809}', "expires_in")]:
        settings(ref, "dzdesk", body=body)
        result = dz.run("login")
        assert result.code == 4 and fragment in result.err, (body, result)
        assert "Fatal error" not in result.err
    settings(ref, "dzdesk", body=None, expires_in_string=True)
    login(dz)
    assert 3500 < stored(dz)["expires_in"] <= 3600


def test_discovery_that_points_to_plain_http_is_refused(dz, ref, tmp_path):
    assert dz.run("profile", "add", "ext", "--preset", "dzdesk", "--auth", "oauth2", "--base-url", ref.url("dzdesk", "/v1"),
                  "--oauth-client-id", "cli-app", "--oauth-issuer", "http://auth.example.com").code == 0
    assert_one_line_error(dz.run("login", "-p", "ext"), 3, "plain http", "https")
    assert dz.run("profile", "add", "gone", "--preset", "dzdesk", "--auth", "oauth2", "--base-url", ref.url("dzdesk", "/v1"),
                  "--oauth-client-id", "cli-app", "--oauth-issuer", ref.url("dzdesk", "/nowhere")).code == 0
    assert_one_line_error(dz.run("login", "-p", "gone"), 3, "no discovery document")


# --- revocation -------------------------------------------------------------------------

def test_logout_revoke(dz, ref):
    login(dz)
    token = dz.run("token", "print").out.strip()
    ref.fault(api="dzdesk", path="/oauth/revoke", status=503, count=1)
    result = dz.run("logout", "--revoke")
    assert result.code == 7 and "kept" in result.err, result
    assert dz.run("token", "print").out.strip() == token
    result = dz.run("logout", "--revoke")
    assert result.code == 0, result
    assert result.err.count("the provider answered 200") == 2
    assert stats(ref, "dzdesk")["revoke"] == 2
    assert_one_line_error(dz.run("request", "GET", "/me", env={"DZDESK_TOKEN": token}), 4, "401")


def test_logout_revoke_force_removes_the_local_copy_anyway(dz, ref):
    login(dz)
    ref.fault(api="dzdesk", path="/oauth/revoke", status=503, count=5)
    result = dz.run("logout", "--revoke", "--force")
    assert result.code == 0 and "anyway" in result.err, result
    assert_one_line_error(dz.run("token", "print"), 4, "no credential")


# --- TechDocs: JSON token requests and its own refresh endpoint --------------------------

def test_techdocs_json_token_requests_and_own_refresh_endpoint(apictl, ref, tmp_path):
    apictl.env.update(PASS, BROWSER=BROWSER)
    assert apictl.run("profile", "add", "td", "--preset", "techdocs", "--base-url", ref.url("techdocs", "/v1"),
                      "--oauth-authorize-url", ref.url("techdocs", "/oauth/authorize"),
                      "--oauth-token-url", ref.url("techdocs", "/oauth/token"),
                      "--oauth-client-id", "cli-app", "--oauth-scope", "read:users").code == 0
    since = len(ref.log())
    login(apictl, "--web")
    token_calls = [e for e in ref.log()[since:] if e["path"] == "/techdocs/oauth/token"]
    assert token_calls and token_calls[0]["headers"]["Content-Type"] == "application/json"
    assert json.loads(token_calls[0]["body"])["grant_type"] == "authorization_code"
    assert token_calls[0]["headers"]["Accept"] == "application/json"
    assert apictl.run("request", "GET", "/users").code == 0
    since = len(ref.log())
    assert apictl.run("token", "refresh").code == 0
    refreshes = [e for e in ref.log()[since:] if e["method"] == "POST"]
    assert [e["path"] for e in refreshes] == ["/techdocs/v1/auth/refresh"]
    assert set(json.loads(refreshes[0]["body"])) == {"refresh_token"}
    assert apictl.run("request", "GET", "/users").code == 0


def test_refresh_of_an_api_key_or_environment_token_is_refused(apictl, ref):
    apictl.env.update(PASS)
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    key = ref.key("dzdesk", scopes=["requests:read"])
    assert apictl.run("login", "--with-token", input=key).code == 0
    assert_one_line_error(apictl.run("token", "refresh"), 4, "API key, not an OAuth 2.0 token")
    assert_one_line_error(apictl.run("token", "refresh", env={"DZDESK_TOKEN": key}), 4, "DZDESK_TOKEN")


def test_ctrl_c_during_the_browser_wait_leaves_nothing_behind(dz):
    import signal
    proc = subprocess.Popen([APICTL, "login"], env=dict(dz.env, BROWSER="true"), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = ""
    while "authorize?" not in url:
        url = proc.stderr.readline().decode()
    port = int(url.split("redirect_uri=http%3A%2F%2F127.0.0.1%3A", 1)[1].split("%2F", 1)[0])
    proc.send_signal(signal.SIGINT)
    assert proc.wait(10) in (-signal.SIGINT, 130)
    with socket.socket() as again:          # the listener is gone with the process
        again.bind(("127.0.0.1", port))
    assert_one_line_error(dz.run("token", "print"), 4, "no credential")
    assert not list((dz.home / "data").glob("**/*.tmp*"))


def test_logging_in_again_revokes_the_replaced_refresh_token(dz, ref):
    login(dz)
    before = stats(ref, "dzdesk")
    result = login(dz)
    assert "the replaced login's refresh token was revoked" in result.err, result
    assert stats(ref, "dzdesk").get("revoke", 0) == before.get("revoke", 0) + 1, "the provider saw one revocation"


def test_a_fixed_redirect_port_serves_two_logins_in_a_row(apictl, ref, tmp_path):
    """The listener reuses its port at once (SO_REUSEADDR): no minute of TIME-WAIT between logins."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    apictl.env.update(PASS, BROWSER=BROWSER, FAKE_BROWSER_LOG=str(tmp_path / "browser.log"))
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--auth", "oauth2", "--base-url", ref.url("dzdesk", "/v1"),
                      "--oauth-issuer", ref.url("dzdesk", "/oauth"), "--oauth-client-id", "cli-app",
                      "--oauth-redirect-port", str(port)).code == 0
    for _ in range(2):
        login(apictl)
    assert f"127.0.0.1%3A{port}" in (tmp_path / "browser.log").read_text() or f"127.0.0.1:{port}" in (tmp_path / "browser.log").read_text()


def test_a_failing_device_authorization_endpoint_is_named(dz, ref):
    ref.fault(api="dzdesk", method="POST", path="/oauth/device", status=503, count=1)
    result = dz.run("login", "--device")
    assert_one_line_error(result, 7, "the device authorization endpoint answered 503")


def test_a_device_code_cannot_repaint_the_terminal(dz, ref):
    """What a provider says the user should type and open is shown with its control characters escaped."""
    hostile = {"device_code": "dc-1", "user_code": "AB\x1b]0;owned\x07CD", "verification_uri": "https://x.test/\x1b[2J\rverify",
               "interval": 1, "expires_in": 2}
    ref.fault(api="dzdesk", method="POST", path="/oauth/device", status=200, count=1, body=json.dumps(hostile),
              headers={"Content-Type": "application/json"})
    result = dz.run("login", "--device", "--timeout", "1")
    assert "\x1b" not in result.err and "\x07" not in result.err and "\r" not in result.err, result
    assert "AB\\u{1B}]0;owned\\u{7}CD" in result.err and "https://x.test/\\u{1B}[2J\\rverify" in result.err, result
