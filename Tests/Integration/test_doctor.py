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
    # The keyring could not be checked: a problem, even though `auto` falls back to the file.
    assert "!! keyring:" in result.out and "no D-Bus session bus" in result.out
    assert "ok dz:" in result.out and "credential from environment variable DZDESK_TOKEN" in result.out and "answers (HTTP" in result.out
    assert "!! dead:" in result.out and "could not connect" in result.out
    assert result.code == 9   # the first problem: the store
    assert dz not in result.out
