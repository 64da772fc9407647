"""Hardening (issue 14): credentials on redirects, header injection, and TLS
verified for real against the reference server serving HTTPS with a CA made
at test time."""
import json
import urllib.parse

import pytest

import tls_certs
from conftest import RefServer, assert_one_line_error

KEY = "query-key-7f3a9c"


def echo(result):
    assert result.code == 0, result
    return json.loads(result.out)


# --- a key in the query string ----------------------------------------------------

@pytest.fixture
def query_profile(apictl, ref):
    assert apictl.run("profile", "add", "q", "--base-url", ref.url("_test"), "--auth", "query:api_key").code == 0
    apictl.env["APICTL_TOKEN"] = KEY
    return apictl


def test_a_location_that_repeats_the_key_does_not_carry_it_to_another_origin(query_profile, ref):
    target = f"http://localhost:{ref.port}/_test/echo?api_key={KEY}&page=2"
    result = query_profile.run("request", "GET", "/redirect?to=" + urllib.parse.quote(target, safe=""), "-v")
    seen = echo(result)
    assert seen["query"] == "page=2"                 # the key is gone, the rest of the query kept
    assert KEY not in result.err and "credentials dropped" in result.err and "the key query parameter" in result.err


def test_a_same_origin_redirect_sends_the_key_once(query_profile, ref):
    result = query_profile.run("request", "GET", "/redirect?to=" + urllib.parse.quote(f"/_test/echo?api_key={KEY}", safe=""))
    assert echo(result)["query"] == f"api_key={KEY}"
    assert echo(query_profile.run("request", "GET", f"/echo?api_key=stale&x=1"))["query"] == f"x=1&api_key={KEY}"


# --- header injection ----------------------------------------------------------------

@pytest.mark.parametrize("value", ["b\r\nEvil: c", "b\nEvil: c", "b\rEvil: c"])
def test_line_breaks_in_a_header_value_are_refused(apictl, ref, value):
    apictl.run("profile", "add", "t", "--base-url", ref.url("_test"))
    since = len(ref.log())
    assert_one_line_error(apictl.run("request", "GET", "/echo", "-H", "X-A: " + value), 2, "line break", "inject")
    assert not [e for e in ref.log()[since:] if not e["path"].startswith("/_admin")]   # nothing was sent


# --- TLS ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return tls_certs.make(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def https(certs):
    servers = {name: RefServer("--tls-cert", str(certs / f"{name}.pem"), "--tls-key", str(certs / f"{name}.key"), scheme="https")
               for name in ("valid", "wrong-host", "expired", "untrusted")}
    yield servers
    for server in servers.values():
        server.stop()


def test_a_private_ca_through_the_profile_and_through_cacert(apictl, https, certs):
    base = https["valid"].url("_test")
    assert apictl.run("profile", "add", "tls", "--base-url", base, "--ca-cert", str(certs / "ca.pem")).code == 0
    seen = echo(apictl.run("request", "GET", "/echo", env={"APICTL_TOKEN": "tls-secret"}))
    assert seen["headers"]["Authorization"] == "Bearer tls-secret"
    assert apictl.run("profile", "add", "bare", "--base-url", base).code == 0
    assert_one_line_error(apictl.run("request", "GET", "/echo", "-p", "bare"), 8, "TLS failure", "certificate")
    assert echo(apictl.run("request", "GET", "/echo", "-p", "bare", "--cacert", str(certs / "ca.pem")))["headers"]
    # a CA named on the command line replaces the profile's: the wrong one fails
    assert_one_line_error(apictl.run("request", "GET", "/echo", "--cacert", str(certs / "other-ca.pem")), 8, "TLS failure")


@pytest.mark.parametrize("server, cause", [
    ("untrusted", "local issuer"),
    ("wrong-host", "subject name"),
    ("expired", "expired"),
])
def test_bad_certificates_fail_with_exit_8_and_say_why(apictl, https, certs, server, cause):
    assert apictl.run("profile", "add", "tls", "--base-url", https[server].url("_test"),
                      "--ca-cert", str(certs / "ca.pem")).code == 0
    result = apictl.run("request", "GET", "/echo", env={"APICTL_TOKEN": "tls-secret"})
    assert_one_line_error(result, 8, "TLS failure", cause)
    assert "tls-secret" not in result.err


def test_an_https_to_http_redirect_drops_the_credential(apictl, https, certs, ref):
    assert apictl.run("profile", "add", "tls", "--base-url", https["valid"].url("_test"),
                      "--ca-cert", str(certs / "ca.pem")).code == 0
    down = ref.url("_test", "/echo")                 # the same host, in clear
    seen = echo(apictl.run("request", "GET", "/redirect?to=" + urllib.parse.quote(down, safe=""),
                           env={"APICTL_TOKEN": "tls-secret"}))
    assert "Authorization" not in seen["headers"]


# --- sandbox and production never mix (seed 003) -----------------------------------------

@pytest.fixture
def pdns(apictl, ref):
    assert apictl.run("profile", "add", "pdns", "--preset", "pocketdns",
                      "--env-url", f"sandbox={ref.url('pocketdns', host='sandbox.localhost')}",
                      "--env-url", f"production={ref.url('pocketdns', host='api.localhost')}").code == 0
    apictl.env.update(APICTL_PASSPHRASE="pdns-pass", APICTL_CREDENTIAL_STORE="file")
    return apictl


def test_login_refuses_a_key_of_another_environment_before_storing(pdns, ref):
    production = ref.key("pocketdns", env="production")
    since = len(ref.log())
    assert_one_line_error(pdns.run("login", "-e", "sandbox", "--with-token", input=production), 4,
                          "looks like a 'production' key", "nothing was stored")
    assert_one_line_error(pdns.run("login", "-e", "sandbox", "--with-token", input="no-prefix-key"), 4,
                          "'sandbox' keys start with sk_test_")
    assert not [e for e in ref.log()[since:] if e["path"].startswith("/pocketdns")]
    assert_one_line_error(pdns.run("token", "print", "-e", "sandbox"), 4, "no credential")
    assert pdns.run("login", "-e", "production", "--with-token", input=production).code == 0


def test_a_request_never_sends_another_environments_key(pdns, ref):
    production = ref.key("pocketdns", env="production")
    since = len(ref.log())
    result = pdns.run("request", "GET", "/api/v1/users/me", env={"POCKETDNS_API_KEY": production})
    assert_one_line_error(result, 4, "refusing to send", "'production' key", "'sandbox' environment")
    assert production not in result.err
    assert not [e for e in ref.log()[since:] if e["path"].startswith("/pocketdns")]


def test_production_mutations_ask_first(pdns, ref):
    production = ref.key("pocketdns", env="production")
    env = {"POCKETDNS_API_KEY": production}
    body = ["-f", "user_identifier=u1", "-f", "email=u1@example.com"]
    assert_one_line_error(pdns.run("request", "POST", "/api/v1/users", "-e", "production", *body, env=env), 2,
                          "production: POST /api/v1/users", "--yes")
    assert pdns.run("request", "POST", "/api/v1/users", "-e", "production", "--yes", *body, env=env).code == 0
    assert pdns.run("request", "GET", "/api/v1/users/me", "-e", "production", env=env).code == 0   # reads do not ask
    sandbox = ref.key("pocketdns", env="sandbox")
    assert pdns.run("request", "POST", "/api/v1/users", *body, env={"POCKETDNS_API_KEY": sandbox}).code == 0
    shown = pdns.run_tty("request", "POST", "/api/v1/users", "-e", "production", *body, env=env, timeout=5)
    assert "production: POST /api/v1/users? [y/N]" in shown.out


def test_a_config_others_may_change_is_warned_about(apictl, ref):
    assert apictl.run("profile", "add", "t", "--base-url", ref.url("_test")).code == 0
    apictl.config_path.chmod(0o666)
    result = apictl.run("request", "GET", "/echo", env={"APICTL_TOKEN": "warn-secret-1"})
    assert result.code == 0 and "can be changed by other users" in result.err and "chmod go-w" in result.err
    apictl.config_path.chmod(0o600)
    assert apictl.run("request", "GET", "/echo", env={"APICTL_TOKEN": "warn-secret-1"}).err == ""


def test_a_rotation_journal_others_can_read_is_refused(apictl, ref):
    apictl.env.update(APICTL_PASSPHRASE="journal-pass-1", APICTL_CREDENTIAL_STORE="file")
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    assert apictl.run("login", "--with-token", input=ref.key("dzdesk", scopes=["requests:read"])).code == 0
    journal = apictl.home / "data/apictl/rotations/dz.default.json"
    journal.parent.mkdir(mode=0o700, parents=True)
    journal.write_text('{"step":"stored","new_name":"x"}')
    journal.chmod(0o644)
    assert_one_line_error(apictl.run("request", "GET", "/me"), 9, "can be read by other users", "chmod 600")


def test_a_long_redirect_chain_ends_with_one_line(apictl, ref):
    apictl.run("profile", "add", "t", "--base-url", ref.url("_test"))
    assert_one_line_error(apictl.run("request", "GET", "/chain/50", env={"APICTL_TOKEN": "chain-secret-1"}), 1,
                          "too many redirects")
    assert echo(apictl.run("request", "GET", "/chain/5", env={"APICTL_TOKEN": "chain-secret-1"}))["headers"]["Authorization"]


def test_a_device_answer_without_interval_polls_every_5_seconds(apictl, ref):
    """RFC 8628: no interval means 5 s. Approve at once; the login takes one 5 s wait."""
    import subprocess, time
    from conftest import APICTL
    apictl.env.update(APICTL_PASSPHRASE="device-pass-1", APICTL_CREDENTIAL_STORE="file")
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--auth", "oauth2", "--base-url", ref.url("dzdesk", "/v1"),
                      "--oauth-issuer", ref.url("dzdesk", "/oauth"), "--oauth-client-id", "cli-app").code == 0
    ref.admin("/oauth", {"api": "dzdesk", "interval": None})
    proc = subprocess.Popen([APICTL, "login", "--device"], env=dict(apictl.env), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    code = proc.stderr.readline().decode().rsplit(" ", 1)[1].strip()
    grant = "urn:ietf:params:oauth:grant-type:device_code"
    deadline = time.time() + 10
    while ref.admin("/oauth/stats?api=dzdesk")[grant] < 1 and time.time() < deadline:   # the first poll: pending
        time.sleep(0.05)
    first_poll = time.time()
    ref.admin("/oauth/approve", {"api": "dzdesk", "user_code": code})
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert ref.admin("/oauth/stats?api=dzdesk")[grant] == 2
    assert 4.5 < time.time() - first_poll < 15      # the second poll waited the default 5 s
