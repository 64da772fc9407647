"""OAuth 2.0 against a third-party provider, oidc-provider-mock (pip): the code
flow through its consent form, its userinfo endpoint as whoami, refresh, and
its non-standard 400 access_denied for a revoked token."""
import sys
import urllib.request
from pathlib import Path

import pytest

from conftest import assert_one_line_error, start_on_free_port

HERE = Path(__file__).resolve().parent
PASS = {"APICTL_PASSPHRASE": "correct horse battery staple", "APICTL_CREDENTIAL_STORE": "file"}


@pytest.fixture(scope="module")
def provider():
    process, port = start_on_free_port([sys.executable, "-m", "oidc_provider_mock", "-p", "{port}"],
                                       "/.well-known/openid-configuration", "oidc-provider-mock", host="localhost")
    yield f"http://localhost:{port}"
    process.terminate()
    process.wait(5)


@pytest.fixture
def mock(apictl, provider, tmp_path):
    apictl.env.update(PASS, BROWSER=f"{sys.executable} {HERE / 'fake_browser.py'}", FAKE_BROWSER_SUB="alice@example.com",
                      FAKE_BROWSER_LOG=str(tmp_path / "browser.log"), MOCK_CLIENT_SECRET="any-secret")
    result = apictl.run("profile", "add", "mock", "--base-url", provider, "--auth", "oauth2", "--whoami", "/userinfo",
                        "--oauth-issuer", provider, "--oauth-client-id", "apictl-test", "--oauth-client-auth", "basic",
                        "--oauth-client-secret-env", "MOCK_CLIENT_SECRET",
                        "--oauth-scope", "openid", "--oauth-scope", "email")
    assert result.code == 0, result
    return apictl


def test_code_flow_userinfo_and_refresh(mock, provider):
    result = mock.run("login")
    assert result.code == 0, result
    assert "as alice@example.com" in result.err
    who = mock.run("whoami")
    assert who.code == 0 and "alice@example.com" in who.out and "keyring" not in who.out, who
    before = mock.run("token", "print").out.strip()
    refreshed = mock.run("token", "refresh")
    assert refreshed.code == 0, refreshed
    after = mock.run("token", "print").out.strip()
    assert after and after != before
    assert mock.run("request", "GET", "/userinfo").code == 0
    assert "any-secret" not in mock.config_path.read_text()


def test_a_revoked_refresh_token_is_an_authentication_failure(mock, provider):
    assert mock.run("login").code == 0
    request = urllib.request.Request(provider + "/users/alice@example.com/revoke-tokens", data=b"", method="POST")
    urllib.request.urlopen(request, timeout=5).read()
    # the revoked access token: the mock's non-standard 400 access_denied is an authentication failure
    assert_one_line_error(mock.run("request", "GET", "/userinfo"), 4, "400 access_denied", "run 'apictl login -p mock'")
    # and so is the revoked refresh token
    assert_one_line_error(mock.run("token", "refresh"), 4, "invalid_grant", "run 'apictl login -p mock'")


def test_a_public_client_without_a_secret_is_refused(apictl, provider):
    apictl.env.update(PASS, BROWSER=f"{sys.executable} {HERE / 'fake_browser.py'}", FAKE_BROWSER_SUB="bob")
    assert apictl.run("profile", "add", "pub", "--base-url", provider, "--auth", "oauth2", "--whoami", "/userinfo",
                      "--oauth-issuer", provider, "--oauth-client-id", "apictl-public", "--oauth-scope", "openid").code == 0
    result = apictl.run("login", "--timeout", "20")
    assert result.code == 4 and "invalid_client" in result.err, result
