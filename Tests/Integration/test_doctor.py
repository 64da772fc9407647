"""`apictl doctor`: the config, the stores, where each credential comes from, and connectivity."""
import pytest

PASS = {"APICTL_PASSPHRASE": "correct horse battery staple"}


@pytest.fixture
def dz(apictl, ref):
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    return ref.key("dzdesk", scopes=["requests:read"])


def test_doctor_reports_sources_and_connectivity(apictl, ref, dz):
    apictl.run("profile", "add", "dead", "--base-url", "http://127.0.0.1:9/v1")
    result = apictl.run("doctor", env=dict(PASS, DZDESK_TOKEN=dz))
    assert "ok config:" in result.out
    # No keyring here: with `auto` the encrypted file serves, which is no problem.
    assert "-- keyring:" in result.out and "credentials go to the encrypted file" in result.out, result.out
    assert "ok dz:" in result.out and "credential from environment variable DZDESK_TOKEN" in result.out and "answers (HTTP" in result.out
    assert "!! dead:" in result.out and "could not connect" in result.out
    assert result.code == 4   # the first problem: "dead" has no credential (and does not answer)
    assert dz not in result.out


def test_doctor_with_a_profile_checks_that_profile_alone(apictl, ref, dz):
    apictl.run("profile", "add", "dead", "--base-url", "http://127.0.0.1:9/v1")
    result = apictl.run("-p", "dz", "doctor", env=dict(PASS, DZDESK_TOKEN=dz))
    assert result.code == 0 and "ok dz:" in result.out and "dead" not in result.out, result
    missing = apictl.run("doctor", "-p", "nope", env=PASS)
    assert missing.code == 3 and "!! nope:" in missing.out and "no such profile" in missing.out, missing


def test_doctor_is_content_with_the_encrypted_file_where_no_keyring_runs(apictl, ref, dz):
    assert apictl.run("login", "--with-token", input=dz, env=PASS).code == 0
    result = apictl.run("doctor", env=PASS)
    assert result.code == 0, result
    assert "ok dz:" in result.out and "credential in the encrypted file" in result.out, result.out
    assert "!! " not in result.out, result.out


def test_doctor_names_a_keyring_that_was_asked_for_and_cannot_be_reached(apictl, dz):
    result = apictl.run("doctor", "--offline", env=dict(PASS, APICTL_CREDENTIAL_STORE="keyring"))
    assert "!! keyring:" in result.out and result.code == 9, result
