"""A profile's own proxy, and a proxy that wants a username and password (a real tinyproxy
with BasicAuth, mtls_fixtures.AuthTinyproxy): 407 is exit 4 naming the proxy and
`apictl login --proxy`, the proxy credential is kept in the store and goes to the proxy
alone, never to the API nor into -v, and the API's credential never to the proxy."""
import base64
import json

import pytest

from conftest import assert_one_line_error, configure
from mtls_fixtures import AuthTinyproxy, table

API_TOKEN = "api-token-via-proxy-5150"


def proxied(apictl, api, certs, proxy=None, name="viaproxy", **keys):
    """A profile for `api` trusting the test CA; `proxy` None leaves the key out, "" writes proxy = ""."""
    if proxy is not None:
        keys["proxy"] = proxy
    configure(apictl, table(f"profiles.{name}", auth="bearer", base_url=api.origin, ca_cert=certs / "ca.pem",
                            whoami="/me", **keys))


def login_proxy(apictl, proxy, password=None, name="viaproxy"):
    return apictl.run("login", "--proxy", "-p", name, "--proxy-user", proxy.user,
                      input=(password if password is not None else proxy.password) + "\n")


def echo(apictl, *args, name="viaproxy", env=None):
    """GET /echo (the API answers every path as /me; conftest lets /echo print the token)."""
    return apictl.run("request", "GET", "/echo", "-p", name, *args, env=dict({"APICTL_TOKEN": API_TOKEN}, **(env or {})))


def basic(proxy, password=None):
    return base64.b64encode(f"{proxy.user}:{password or proxy.password}".encode()).decode()


@pytest.fixture(scope="module")
def open_proxy():
    """A tinyproxy that asks for nothing."""
    server = AuthTinyproxy()
    yield server
    server.stop()


def test_a_proxy_that_wants_credentials_is_exit_4_naming_it_and_login_proxy(apictl, plain_tls, client_certs, auth_proxy):
    proxied(apictl, plain_tls, client_certs, auth_proxy.url)
    mark = auth_proxy.mark()
    result = echo(apictl)
    assert_one_line_error(result, 4, auth_proxy.hostport, "apictl login --proxy")
    assert plain_tls.connections == []
    assert set(auth_proxy.connects(mark)) == {f"127.0.0.1:{plain_tls.port}"}     # it was asked, and said 407
    assert API_TOKEN not in result.err + auth_proxy.log()


def test_after_login_proxy_requests_go_through_and_the_api_never_sees_the_proxy_credential(
        apictl, plain_tls, client_certs, auth_proxy):
    proxied(apictl, plain_tls, client_certs, auth_proxy.url)
    login = login_proxy(apictl, auth_proxy)
    assert login.code == 0, login
    assert auth_proxy.password not in login.out + login.err
    mark = auth_proxy.mark()
    result = echo(apictl, "-v")
    assert result.code == 0, result
    seen = json.loads(result.out)
    assert seen["authorization"] == f"Bearer {API_TOKEN}" and seen["proxy_authorization"] is None
    assert plain_tls.requests and all("proxy-authorization" not in r["headers"] for r in plain_tls.requests)
    assert f"via proxy {auth_proxy.url}" in result.err, result.err
    assert auth_proxy.password not in result.err and basic(auth_proxy) not in result.err
    assert set(auth_proxy.connects(mark)) == {f"127.0.0.1:{plain_tls.port}"}   # asked first (407), then with the stored login
    log = auth_proxy.log()
    assert API_TOKEN not in log and auth_proxy.password not in log and basic(auth_proxy) not in log
    # kept in the store, encrypted: no file of apictl's holds it in clear, the config least of all
    assert auth_proxy.password not in apictl.config_path.read_text()
    for path in apictl.home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert auth_proxy.password.encode() not in data and basic(auth_proxy).encode() not in data, path


def test_an_mtls_api_through_the_authenticated_proxy(apictl, mtls, client_certs, auth_proxy):
    proxied(apictl, mtls, client_certs, auth_proxy.url, client_cert=client_certs / "client.pem",
            client_key=client_certs / "client.key")
    assert login_proxy(apictl, auth_proxy).code == 0
    result = apictl.run("request", "GET", "/me", "-p", "viaproxy")
    assert result.code == 0, result
    seen = json.loads(result.out)
    assert seen["name"] == "alice" and seen["proxy_authorization"] is None
    assert [entry["cn"] for entry in mtls.requests] == ["alice"]


def test_a_wrong_proxy_password_is_exit_4_naming_the_proxy(apictl, plain_tls, client_certs, auth_proxy):
    # tinyproxy answers wrong credentials with 401 (not 407) to the CONNECT: still the proxy's refusal
    proxied(apictl, plain_tls, client_certs, auth_proxy.url)
    login = login_proxy(apictl, auth_proxy, password="not-the-proxy-password")
    assert login.code in (0, 4), login               # a login that checks it may refuse it at once
    result = echo(apictl)
    assert_one_line_error(result, 4, auth_proxy.hostport)
    assert "proxy" in result.err.lower()
    assert "not-the-proxy-password" not in login.out + login.err + result.out + result.err
    assert plain_tls.connections == []


def test_logout_proxy_forgets_the_proxy_credential(apictl, plain_tls, client_certs, auth_proxy):
    proxied(apictl, plain_tls, client_certs, auth_proxy.url)
    assert login_proxy(apictl, auth_proxy).code == 0
    assert echo(apictl).code == 0
    out = apictl.run("logout", "--proxy", "-p", "viaproxy")
    assert out.code == 0, out
    plain_tls.clear()
    assert_one_line_error(echo(apictl), 4, auth_proxy.hostport, "apictl login --proxy")
    assert plain_tls.connections == []


# --- which proxy -------------------------------------------------------------------------------

def test_proxy_empty_goes_direct_whatever_https_proxy_says(apictl, plain_tls, client_certs, auth_proxy):
    proxied(apictl, plain_tls, client_certs, "")
    mark = auth_proxy.mark()
    result = echo(apictl, "-v", env={"https_proxy": auth_proxy.url, "HTTPS_PROXY": auth_proxy.url,
                                     "all_proxy": auth_proxy.url})
    assert result.code == 0, result
    assert "via proxy" not in result.err
    assert auth_proxy.connects(mark) == [] and len(plain_tls.requests) == 1


def test_https_proxy_applies_when_the_profile_names_no_proxy(apictl, plain_tls, client_certs, open_proxy):
    proxied(apictl, plain_tls, client_certs)
    mark = open_proxy.mark()
    result = echo(apictl, "-v", env={"https_proxy": open_proxy.url})
    assert result.code == 0, result
    assert f"via proxy {open_proxy.url}" in result.err
    assert open_proxy.connects(mark) == [f"127.0.0.1:{plain_tls.port}"]
    assert API_TOKEN not in open_proxy.log()


def test_the_profiles_proxy_wins_over_https_proxy(apictl, plain_tls, client_certs, open_proxy, auth_proxy):
    proxied(apictl, plain_tls, client_certs, open_proxy.url)
    open_mark, auth_mark = open_proxy.mark(), auth_proxy.mark()
    result = echo(apictl, "-v", env={"https_proxy": auth_proxy.url})
    assert result.code == 0, result
    assert f"via proxy {open_proxy.url}" in result.err
    assert open_proxy.connects(open_mark) == [f"127.0.0.1:{plain_tls.port}"] and auth_proxy.connects(auth_mark) == []


@pytest.mark.parametrize("base", ["http://api.example.invalid/v1", "http://127.0.0.1:9/v1"],
                         ids=["off-loopback", "loopback"])
def test_a_credential_never_crosses_a_profile_proxy_in_plain_http(apictl, auth_proxy, base):
    configure(apictl, table("profiles.viaproxy", auth="bearer", base_url=base, proxy=auth_proxy.url))
    mark = auth_proxy.mark()
    result = echo(apictl)
    assert_one_line_error(result, 3)
    if "127.0.0.1" in base:
        assert "proxy" in result.err
    assert "Request (file descriptor" not in auth_proxy.log_since(mark)      # nothing reached the proxy
    assert API_TOKEN not in result.err + auth_proxy.log()


# --- a login is the proxy's own; token endpoints take the profile's proxy too ------------------

def test_a_stored_proxy_login_goes_to_no_other_proxy(apictl, plain_tls, client_certs, auth_proxy):
    proxied(apictl, plain_tls, client_certs, auth_proxy.url)
    assert login_proxy(apictl, auth_proxy).code == 0
    other = AuthTinyproxy("mallory", "not-the-same")       # the config (or https_proxy) now points elsewhere
    try:
        apictl.config_path.write_text(apictl.config_path.read_text().replace(auth_proxy.url, other.url))
        result = echo(apictl)
        assert_one_line_error(result, 4, other.hostport, "apictl login --proxy")
        assert other.connects() and basic(auth_proxy) not in other.log()
    finally:
        other.stop()


def test_an_oauth_login_takes_the_profiles_proxy(apictl, mtls, oauth_mtls, client_certs, open_proxy):
    configure(apictl, table("profiles.bound", auth="oauth2", base_url=mtls.origin, whoami="/me", ca_cert=client_certs / "ca.pem",
                            client_cert=client_certs / "client.pem", client_key=client_certs / "client.key", proxy=open_proxy.url)
              + table("profiles.bound.oauth", issuer=oauth_mtls.issuer, client_id="alice-client", client_auth="tls_client_auth"))
    mark = open_proxy.mark()
    login = apictl.run("login", "-p", "bound", "--client-credentials")
    assert login.code == 0, login
    tunnels = open_proxy.connects(mark)
    assert oauth_mtls.issuer.split("//")[1] in tunnels and oauth_mtls.mtls.origin.split("//")[1] in tunnels, tunnels


def test_token_requests_give_an_authenticating_proxy_the_stored_login(apictl, mtls, oauth_mtls, client_certs, auth_proxy):
    configure(apictl, table("profiles.bound", auth="oauth2", base_url=mtls.origin, whoami="/me", ca_cert=client_certs / "ca.pem",
                            client_cert=client_certs / "client.pem", client_key=client_certs / "client.key", proxy=auth_proxy.url)
              + table("profiles.bound.oauth", issuer=oauth_mtls.issuer, client_id="alice-client", client_auth="tls_client_auth"))
    assert login_proxy(apictl, auth_proxy, name="bound").code == 0
    mark = auth_proxy.mark()
    login = apictl.run("login", "-p", "bound", "--client-credentials")
    assert login.code == 0, login
    assert oauth_mtls.mtls.origin.split("//")[1] in auth_proxy.connects(mark)
    assert auth_proxy.password not in login.out + login.err


def test_a_forwarded_plain_http_request_answered_407_gets_the_stored_login(apictl, plain_tls, client_certs, auth_proxy, httpbin):
    proxied(apictl, plain_tls, client_certs, auth_proxy.url)
    without = apictl.run("request", "GET", httpbin.url + "/get", "-p", "viaproxy")
    assert without.code == 4 and "<html" not in without.out.lower(), without      # the proxy's page is not the API's answer
    assert login_proxy(apictl, auth_proxy).code == 0
    seen = apictl.run("request", "GET", httpbin.url + "/get", "-p", "viaproxy")
    assert seen.code == 0, seen
    assert "Proxy-Authorization" not in json.loads(seen.out)["headers"]            # tinyproxy takes it off before forwarding
