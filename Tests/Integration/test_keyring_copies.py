"""Keyring reads at request speed (issue 13): copies of keyring items kept in the
kernel keyring for `keyring_cache`, bound to their bus, replaced by apictl's own
writes, forgotten by `credentials lock`, and never trusted over the keyring
itself when the API refuses the copied token or a refresh is decided.

A hung gnome-keyring (SIGSTOP) tells the two read paths apart: the copy answers
without it, libsecret cannot."""
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import assert_one_line_error
from keyring import SessionBus

# kernel keys live in the user's keyring, which every worker shares: one worker runs these
pytestmark = pytest.mark.xdist_group("kernel-keyring")

HERE = Path(__file__).parent
BROWSER = f"{sys.executable} {HERE / 'fake_browser.py'}"


@pytest.fixture
def bus():
    session = SessionBus(with_keyring=True)
    yield session
    session.stop()


@pytest.fixture
def copies(apictl, ref, bus):
    """apictl on a keyring with copies on (the default, 15 minutes), profile kcopies: a copy's kernel
    key is named by its profile, and another worker's `profile remove dz` would forget a dz one."""
    apictl.env.update(bus.env, APICTL_CREDENTIAL_STORE="keyring")
    del apictl.env["APICTL_KEYRING_CACHE"]
    assert apictl.run("profile", "add", "kcopies", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    yield apictl
    apictl.run("credentials", "lock")   # kernel keys outlive the process


class Hung:
    """The bus's gnome-keyring stopped: a libsecret call can only time out."""

    def __init__(self, bus):
        self.pid = bus.daemon_pid()
        assert self.pid

    def __enter__(self):
        os.kill(self.pid, signal.SIGSTOP)

    def __exit__(self, *_):
        os.kill(self.pid, signal.SIGCONT)


def sent_tokens(ref, since):
    return [e["headers"].get("Authorization") for e in ref.log()[since:] if e["path"] == "/dzdesk/v1/me"]


def test_a_later_process_reads_the_copy_without_the_keyring(copies, ref, bus):
    key = ref.key("dzdesk", scopes=["requests:read"])
    assert copies.run("login", "--with-token", input=key).code == 0
    with Hung(bus):
        started = time.time()
        result = copies.run("request", "GET", "/me")
        assert result.code == 0, result
        assert time.time() - started < 0.5
        assert copies.run("token", "print").out.strip() == key
        # with copies off, every process asks the (hung) keyring
        assert_one_line_error(copies.run("request", "GET", "/me", env={"APICTL_KEYRING_CACHE": "0"}), 9, "not responding")
    doctor = copies.run("doctor", "--offline").out
    assert "ok item copies:" in doctor and "kept for 15m" in doctor, doctor


def test_lock_forgets_the_copies(copies, ref, bus):
    assert copies.run("login", "--with-token", input=ref.key("dzdesk")).code == 0
    assert "forgot 1 kept copy of keyring items" in copies.run("credentials", "lock").err
    with Hung(bus):
        assert_one_line_error(copies.run("request", "GET", "/me"), 9, "not responding")
    assert "kept cop" not in copies.run("credentials", "lock").err


def test_a_locked_keyring_is_seen_once_the_copies_are_forgotten(copies, ref, bus):
    assert copies.run("login", "--with-token", input=ref.key("dzdesk")).code == 0
    assert bus.lock().returncode == 0
    # the documented trade-off: a copy answers until it expires or 'credentials lock'
    assert copies.run("request", "GET", "/me").code == 0
    copies.run("credentials", "lock")
    assert_one_line_error(copies.run("request", "GET", "/me"), 9, "locked")


def test_copies_expire(copies, ref, bus):
    short = {"APICTL_KEYRING_CACHE": "2"}
    assert copies.run("login", "--with-token", input=ref.key("dzdesk"), env=short).code == 0
    with Hung(bus):
        assert copies.run("request", "GET", "/me", env=short).code == 0
        time.sleep(2.6)
        assert_one_line_error(copies.run("request", "GET", "/me", env=short), 9, "not responding")


def test_copies_off_in_the_config(copies, ref, bus):
    copies.config_path.write_text('keyring_cache = "0"\n' + copies.config_path.read_text())
    assert copies.run("login", "--with-token", input=ref.key("dzdesk")).code == 0
    assert "kept cop" not in copies.run("credentials", "lock").err   # nothing was kept
    with Hung(bus):
        assert_one_line_error(copies.run("request", "GET", "/me"), 9, "not responding")
    assert "off (keyring_cache = 0)" in copies.run("doctor", "--offline").out
    copies.config_path.write_text(copies.config_path.read_text().replace('keyring_cache = "0"', 'keyring_cache = "soon"'))
    assert_one_line_error(copies.run("request", "GET", "/me"), 3, "keyring_cache=soon")


def test_a_copy_serves_only_its_own_bus(copies, ref, bus):
    assert copies.run("login", "--with-token", input=ref.key("dzdesk")).code == 0
    other = SessionBus(with_keyring=True)
    try:
        result = copies.run("request", "GET", "/me", env=other.env)
        assert result.code == 4 and "no credential was sent" in result.err, result
    finally:
        other.stop()


def test_apictl_writes_replace_the_copy(copies, ref, bus):
    first, second = ref.key("dzdesk"), ref.key("dzdesk")
    assert copies.run("login", "--with-token", input=first).code == 0
    assert copies.run("login", "--with-token", input=second).code == 0
    since = len(ref.log())
    with Hung(bus):
        assert copies.run("request", "GET", "/me").code == 0
    assert sent_tokens(ref, since) == ["Bearer " + second]
    assert copies.run("logout").code == 0
    with Hung(bus):
        # the copy went with the item: the next read has to ask the keyring
        assert_one_line_error(copies.run("request", "GET", "/me"), 9, "not responding")


def test_a_change_outside_apictl_is_read_when_the_api_refuses_the_copy(copies, ref, bus):
    old, new = ref.key("dzdesk"), ref.key("dzdesk")
    assert copies.run("login", "--with-token", input=old).code == 0
    # Seahorse or secret-tool replaces the item; the copy still holds the old key
    attributes = ["profile", "kcopies", "environment", "default", "application", "apictl"]
    record = json.loads(bus.run("secret-tool", "lookup", *attributes).stdout)
    record["token"] = new
    assert bus.run("secret-tool", "store", "--label=apictl: kcopies", *attributes, input=json.dumps(record)).returncode == 0
    ref.admin("/keys/revoke", {"token": old})
    since = len(ref.log())
    result = copies.run("request", "GET", "/me")
    assert result.code == 0, result
    assert sent_tokens(ref, since) == ["Bearer " + old, "Bearer " + new]   # refused once, then the item itself
    since = len(ref.log())
    with Hung(bus):
        assert copies.run("request", "GET", "/me").code == 0   # and the copy now holds the new key
    assert sent_tokens(ref, since) == ["Bearer " + new]
    # a key the keyring also holds is not retried in a loop
    ref.admin("/keys/revoke", {"token": new})
    since = len(ref.log())
    assert copies.run("request", "GET", "/me").code == 4
    assert len(sent_tokens(ref, since)) == 1


# --- OAuth 2.0: refresh decisions read the keyring, never the copy ------------------

@pytest.fixture
def oauth(copies, ref, tmp_path):
    copies.env.update(BROWSER=BROWSER, FAKE_BROWSER_LOG=str(tmp_path / "browser.log"))
    assert copies.run("profile", "add", "kcopies", "--force", "--preset", "dzdesk", "--auth", "oauth2", "--base-url", ref.url("dzdesk", "/v1"),
                      "--oauth-issuer", ref.url("dzdesk", "/oauth"), "--oauth-client-id", "cli-app").code == 0
    return copies


def refreshes(ref):
    return ref.admin("/oauth/stats?api=dzdesk")["refresh_token"]


def test_parallel_processes_on_copies_refresh_once(oauth, ref):
    ref.admin("/oauth", {"api": "dzdesk", "lifetime": 4})
    assert oauth.run("login").code == 0
    ref.admin("/oauth", {"api": "dzdesk", "lifetime": 3600, "refresh_delay": 0.3})
    time.sleep(2.5)                     # less than half its life left: every process finds it due
    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: oauth.run("request", "GET", "/me", timeout=120), range(10)))
    assert [r.code for r in results] == [0] * 10, [r for r in results if r.code][:2]
    assert refreshes(ref) == 1
    assert oauth.run("request", "GET", "/me").code == 0 and refreshes(ref) == 1   # the copy holds the new token
    assert oauth.run("token", "refresh").code == 0 and refreshes(ref) == 2       # and the rotated refresh token


def keyctl(*args, input=None):
    result = subprocess.run(["keyctl", *args], input=input, capture_output=True, timeout=10)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_stale_copy_never_spends_a_used_refresh_token(oauth, ref):
    """The race the design allows: a reader that looked up the item before a peer's
    refresh writes its copy after the peer's. The copy then holds an access token
    and a refresh token the provider has since replaced."""
    assert oauth.run("login").code == 0
    stale = oauth.run("token", "print").out.strip()
    entry = "apictl:keyring-copy:kcopies.default"
    stale_copy = keyctl("pipe", keyctl("search", "@u", "user", entry).decode().strip())
    assert oauth.run("token", "refresh").code == 0 and refreshes(ref) == 1
    serial = keyctl("padd", "user", entry, "@u", input=stale_copy).decode().strip()
    keyctl("setperm", serial, "0x3f3f0000")
    assert oauth.run("token", "print").out.strip() == stale   # the copy is stale now
    ref.admin("/keys/revoke", {"token": stale})
    since = len(ref.log())
    result = oauth.run("request", "GET", "/me")
    assert result.code == 0, result
    # refused once, then the keyring's newer token: no second refresh, no invalid_grant
    assert refreshes(ref) == 1
    sent = sent_tokens(ref, since)
    assert sent[0] == "Bearer " + stale and len(sent) == 2 and sent[1] != sent[0]
