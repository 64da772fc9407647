"""Several accounts per profile (issue 37): `login -a LABEL` beside the first login, `-a` /
APICTL_ACCOUNT / `account use` choosing one, `account list|remove`, and two accounts used by
concurrent processes never mixed, in a real gnome-keyring, in the encrypted file, and through
OAuth refresh."""
import concurrent.futures
import os
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import assert_one_line_error
from keyring import SessionBus

HERE = Path(__file__).parent
PASS = {"APICTL_PASSPHRASE": "correct horse battery staple"}


@pytest.fixture
def dz(apictl, ref):
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    return apictl


def keys(ref):
    return {"default": ref.key("dzdesk", scopes=["requests:read"], email="ada@home.test"),
            "work": ref.key("dzdesk", scopes=["requests:read"], email="ada@work.test")}


def sent_by_run(ref, since):
    """Run number (the X-Run header) -> the Authorization it carried."""
    return {e["headers"].get("X-Run"): e["headers"].get("Authorization") for e in ref.log()[since:]
            if e["path"] == "/dzdesk/v1/me" and e["headers"].get("X-Run")}


def two_accounts_concurrently(apictl, ref, tokens):
    since = len(ref.log())
    jobs = [(str(i), "work" if i % 2 else "default") for i in range(16)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda job: apictl.run("request", "GET", "/me", "-a", job[1], "-H", f"X-Run: {job[0]}", timeout=60), jobs))
    assert all(r.code == 0 for r in results), [r for r in results if r.code][:2]
    sent = sent_by_run(ref, since)
    assert sent == {run: "Bearer " + tokens[account] for run, account in jobs}


@pytest.mark.parametrize("store", ["keyring", "file"])
def test_two_accounts_stored_side_by_side_and_used_by_concurrent_processes(dz, ref, bus, store):
    dz.env.update(bus.env, APICTL_CREDENTIAL_STORE=store, **PASS)
    tokens = keys(ref)
    first = dz.run("login", "--with-token", input=tokens["default"])
    assert first.code == 0 and "as ada@home.test" in first.err, first
    second = dz.run("login", "--account", "work", "--with-token", input=tokens["work"])
    assert second.code == 0 and "account work as ada@work.test" in second.err, second
    assert dz.run("token", "print").out.strip() == tokens["default"]
    assert dz.run("token", "print", "-a", "work").out.strip() == tokens["work"]
    assert dz.run("token", "print", env={"APICTL_ACCOUNT": "work"}).out.strip() == tokens["work"]
    two_accounts_concurrently(dz, ref, tokens)

    listed = json.loads(dz.run("account", "list", "--json").out)
    assert [(a["account"], a["identity"], a["store"], a["active"]) for a in listed] == \
        [("default", "ada@home.test", store, True), ("work", "ada@work.test", store, False)]
    assert all(a["last_used"] for a in listed)
    assert not any(t in json.dumps(listed) for t in tokens.values())

    # the active account is what a plain command uses, until it is removed
    assert dz.run("account", "use", "work").code == 0
    assert dz.run("token", "print").out.strip() == tokens["work"]
    who = dz.run("whoami")
    assert "ada@work.test" in who.out and "account:     work (from 'apictl account use')" in who.out, who
    removed = dz.run("account", "remove", "work")
    assert removed.code == 0 and "default" in removed.err, removed
    assert dz.run("token", "print").out.strip() == tokens["default"]
    assert_one_line_error(dz.run("token", "print", "-a", "work"), 4, "account 'work'")
    # logout acts on the chosen account alone
    assert dz.run("login", "-a", "bot", "--with-token", input=tokens["work"]).code == 0
    assert dz.run("logout", "-a", "bot").code == 0
    assert dz.run("token", "print").out.strip() == tokens["default"]


def test_keyring_items_of_two_accounts_are_separate(dz, ref, bus):
    dz.env.update(bus.env, APICTL_CREDENTIAL_STORE="keyring")
    tokens = keys(ref)
    assert dz.run("login", "--with-token", input=tokens["default"]).code == 0
    assert dz.run("login", "-a", "work", "--with-token", input=tokens["work"]).code == 0
    # the first login's item is where it always was; another account's has an attribute of its own
    plain = bus.run("secret-tool", "lookup", "profile", "dz", "environment", "default")
    assert json.loads(plain.stdout)["token"] == tokens["default"]
    other = bus.run("secret-tool", "lookup", "profile", "dz", "account", "work")
    assert json.loads(other.stdout)["token"] == tokens["work"]
    assert dz.run("logout").code == 0
    assert dz.run("token", "print", "-a", "work").out.strip() == tokens["work"]


def test_a_label_that_is_not_a_name_is_refused(dz, ref):
    assert_one_line_error(dz.run("login", "-a", "../../x", "--with-token", input="k"), 2, "account label")
    assert_one_line_error(dz.run("request", "GET", "/me", env={"APICTL_ACCOUNT": "a b"}), 3, "APICTL_ACCOUNT")
    assert_one_line_error(dz.run("account", "use", "nobody"), 4, "apictl login -p dz -a nobody")


def test_account_labels_complete(dz, ref):
    dz.env.update(APICTL_CREDENTIAL_STORE="file", **PASS)
    tokens = keys(ref)
    assert dz.run("login", "--with-token", "--no-verify", input=tokens["default"]).code == 0
    assert dz.run("login", "-a", "work", "--with-token", "--no-verify", input=tokens["work"]).code == 0
    words = [line.split("\t")[0] for line in dz.run("__complete", "whoami", "-p", "dz", "--account", "").out.splitlines()]
    assert words == ["default", "work"]


def test_each_account_refreshes_its_own_oauth_token_once(apictl, ref, tmp_path):
    """Two OAuth logins of one profile expire together; processes using both at once refresh
    each exactly once, and each keeps its own token."""
    apictl.env.update(PASS, APICTL_CREDENTIAL_STORE="file", BROWSER=f"{sys.executable} {HERE / 'fake_browser.py'}",
                      FAKE_BROWSER_LOG=str(tmp_path / "browser.log"))
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--auth", "oauth2", "--base-url", ref.url("dzdesk", "/v1"),
                      "--oauth-issuer", ref.url("dzdesk", "/oauth"), "--oauth-client-id", "cli-app").code == 0
    ref.admin("/oauth", {"api": "dzdesk", "lifetime": 6})
    for account in ("default", "work"):
        result = apictl.run("login", "-a", account)
        assert result.code == 0, result
    issued = time.time()
    ref.admin("/oauth", {"api": "dzdesk", "lifetime": 3600})
    before = {a: apictl.run("token", "print", "-a", a).out.strip() for a in ("default", "work")}
    assert before["default"] != before["work"]
    time.sleep(max(0.0, issued + 3.5 - time.time()))     # past half their life: renewed before use
    refreshes = ref.admin("/oauth/stats?api=dzdesk").get("refresh_token", 0)
    since = len(ref.log())
    jobs = [(str(i), "work" if i % 2 else "default") for i in range(8)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda job: apictl.run("request", "GET", "/me", "-a", job[1], "-H", f"X-Run: {job[0]}", timeout=60), jobs))
    assert all(r.code == 0 for r in results), [r for r in results if r.code][:2]
    assert ref.admin("/oauth/stats?api=dzdesk")["refresh_token"] == refreshes + 2
    after = {a: apictl.run("token", "print", "-a", a).out.strip() for a in ("default", "work")}
    assert after["default"] != before["default"] and after["work"] != before["work"] and after["default"] != after["work"]
    assert sent_by_run(ref, since) == {run: "Bearer " + after[account] for run, account in jobs}


def test_logins_at_once_each_keep_their_account_and_ledger_line(dz, ref, bus):
    dz.env.update(bus.env, APICTL_CREDENTIAL_STORE="keyring")
    tokens = {f"acct{i}": ref.key("dzdesk", email=f"a{i}@x.test") for i in range(12)}
    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda item: dz.run("login", "-a", item[0], "--with-token", input=item[1], timeout=60), tokens.items()))
    assert all(r.code == 0 for r in results), [r for r in results if r.code][:2]
    # the keyring is the module's: other tests' accounts may be in it too
    listed = json.loads(dz.run("account", "list", "--json").out)
    assert sorted(a["account"] for a in listed if a["account"].startswith("acct")) == sorted(tokens)
    ledger = (dz.home / "data/apictl/keyring-items").read_text().splitlines()
    assert sorted(line.split("\t")[2] for line in ledger) == sorted(tokens)


def test_accounts_removed_at_once_say_one_line_each_while_others_list_them(dz, ref, bus):
    """libsecret 0.20.5's search failed, printing a GLib-GIO CRITICAL, when another process deleted
    an item it was loading: 20 removals at once, with listings beside them, stay quiet."""
    dz.env.update(bus.env, APICTL_CREDENTIAL_STORE="keyring")
    labels = [f"gone{i}" for i in range(20)]
    for label in labels:
        assert dz.run("login", "-a", label, "--with-token", "--no-verify", input=f"key-of-{label}").code == 0
    commands = [("account", "remove", label) for label in labels] + [("account", "list", "--json")] * 6
    with concurrent.futures.ThreadPoolExecutor(max_workers=26) as pool:
        results = list(pool.map(lambda argv: (argv, dz.run(*argv, timeout=60)), commands))
    for argv, result in results:
        assert result.code == 0 and "CRITICAL" not in result.err, (argv, result)
        if argv[1] == "remove":
            assert result.err.splitlines() == [f"Logged out of dz, account {argv[2]}: removed its key from the keyring (Secret Service)"]
    listed = json.loads(dz.run("account", "list", "--json").out)
    assert not [a for a in listed if a["account"].startswith("gone")]


def test_one_key_logged_out_by_many_at_once_is_removed_once_and_the_rest_say_so(dz, ref, bus):
    dz.env.update(bus.env, APICTL_CREDENTIAL_STORE="keyring")
    for _ in range(4):   # the race is a matter of timing: a few rounds meet it
        assert dz.run("login", "-a", "twice", "--with-token", "--no-verify", input="key-logged-out-twice").code == 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
            results = list(pool.map(lambda _: dz.run("logout", "-a", "twice", timeout=60), range(12)))
        assert all(r.code == 0 and "CRITICAL" not in r.err for r in results), [r for r in results if r.code or "CRITICAL" in r.err][:2]
        assert sum("Logged out of dz, account twice" in r.err for r in results) == 1
        assert sum("nothing to log out of" in r.err for r in results) == 11


@pytest.mark.parametrize("refusal", ["error:org.freedesktop.DBus.Error.UnknownMethod", "error:org.freedesktop.Secret.Error.NoSuchObject",
                                     "dismiss"])
def test_a_removal_the_secret_service_refuses_is_not_reported_as_done(dz, refusal):
    """An error of the "not there" kind for an item it keeps, or a prompt the user dismissed:
    logout and profile remove fail (exit 9) and the profile stays."""
    bus = SessionBus(with_keyring=False)
    service = subprocess.Popen(["/usr/bin/python3", str(HERE.parent / "Servers" / "refusing_secret_service.py")],
                               env=dict(os.environ, **bus.env, REFUSE=refusal), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 10
        while "boolean true" not in bus.run("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                                            "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets").stdout:
            assert service.poll() is None and time.time() < deadline, service.stderr.read() if service.poll() is not None else "slow"
            time.sleep(0.05)
        dz.env.update(bus.env, APICTL_CREDENTIAL_STORE="keyring", APICTL_KEYRING_CACHE="0")
        assert dz.run("login", "--with-token", "--no-verify", input="kept-by-the-service").code == 0
        assert_one_line_error(dz.run("logout"), 9, "still holds it")
        assert_one_line_error(dz.run("profile", "remove", "dz"), 9, "still holds it")
        assert "dz" in dz.run("profile", "list").out
        assert dz.run("token", "print").out.strip() == "kept-by-the-service"
    finally:
        service.terminate()
        service.wait()
        bus.stop()


def test_a_servers_identity_cannot_repaint_the_terminal(dz, ref):
    dz.env.update(APICTL_CREDENTIAL_STORE="file", **PASS)
    evil = ref.key("dzdesk", email="evil\u001b]0;pwned\u0007\u001b[2J\nFAKE line")
    login = dz.run("login", "-a", "ev", "--with-token", input=evil)
    assert login.code == 0 and "\u001b" not in login.err and "\nFAKE" not in login.err, login
    for result in (dz.run("whoami", "-a", "ev"), dz.run("account", "list")):
        assert result.code == 0 and "\u001b" not in result.out and "\u0007" not in result.out, result
        assert "\nFAKE" not in result.out
    assert_one_line_error(dz.run("request", "GET", "/me", "-a", "typo"), 4, "account 'typo'")


def test_a_server_that_names_the_key_as_its_owner_does_not_get_it_shown_or_kept(dz, ref):
    dz.env.update(APICTL_CREDENTIAL_STORE="file", **PASS)
    secret = "dzd_" + os.urandom(12).hex()
    ref.admin("/keys", {"api": "dzdesk", "token": secret, "email": secret, "scopes": ["requests:read"]})
    outputs = [dz.run("login", "--with-token", input=secret), dz.run("whoami"), dz.run("account", "list")]
    assert all(r.code == 0 for r in outputs), outputs
    assert not any(secret in r.out + r.err for r in outputs)
    assert secret not in (dz.home / ".local/state/apictl/accounts.json").read_text()
