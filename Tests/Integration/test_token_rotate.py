"""`apictl token rotate`: create -> verify -> store -> revoke old, rollback, and crash recovery."""
import json
import signal
import subprocess
import time

import pytest

from conftest import APICTL, assert_one_line_error
from keyring import SessionBus
from token_fixtures import PASS, dz, key_state, listed, works  # noqa: F401 (dz is a fixture)


def test_rotate_creates_verifies_stores_and_revokes_the_old(dz, ref):
    result = dz.run("token", "rotate", "--expires-in", "90d")
    assert result.code == 0, result
    steps = [line for line in result.err.splitlines() if line.startswith("rotate: ")]
    assert [s.split()[1] for s in steps] == ["creating", "verifying", "storing", "revoking"]
    assert key_state(ref, dz.old["id"])["revoked"] is True
    assert works(dz)
    new = [k for k in listed(dz) if k["in_use"]][0]
    assert new["name"].startswith("laptop-20") and new["id"] != dz.old["id"]
    # a second rotation keeps the base name instead of growing it
    assert dz.run("token", "rotate").code == 0
    assert [k for k in listed(dz) if k["in_use"]][0]["name"].count("-20") == 1
    assert not (dz.home / "data/apictl/rotations").exists() or not list((dz.home / "data/apictl/rotations").iterdir())


def test_rotate_that_fails_before_storing_keeps_the_old_key(dz, ref):
    ref.fault(api="dzdesk", method="GET", path="/v1/me", status=401, count=1)   # the API refuses the new key
    result = dz.run("token", "rotate")
    assert result.code == 4 and "rolling back" in result.err, result
    assert dz.run("token", "print").out.strip() == dz.old["token"] and works(dz)
    assert [k["name"] for k in listed(dz)] == ["laptop"]          # the new key was revoked


def test_rotate_that_cannot_revoke_the_old_key_keeps_the_new_and_says_how_to_finish(dz, ref):
    ref.fault(api="dzdesk", method="DELETE", path="/v1/api-keys/", status=403, count=5)
    result = dz.run("token", "rotate")
    assert result.code == 1, result
    assert f"apictl token revoke {dz.old['id']} -p dz" in result.err.splitlines()[-1]
    assert dz.run("token", "print").out.strip() != dz.old["token"] and works(dz)
    assert key_state(ref, dz.old["id"])["revoked"] is False


def test_rotate_without_a_known_old_id_warns_and_leaves_it(apictl, ref, tmp_path):
    apictl.env.update(PASS)
    tokens = tmp_path / "tokens.toml"
    tokens.write_text('[tokens]\ncreate = "POST /api-keys"\nrevoke = "DELETE /api-keys/{id}"\nkey = "/data/key"\nid = "/data/id"\n')
    assert apictl.run("profile", "add", "dz", "--base-url", ref.url("dzdesk", "/v1"),
                      "--tokens-from", str(tokens), "--whoami", "/me").code == 0
    key = ref.admin("/keys", {"api": "dzdesk", "name": "old", "scopes": ["requests:read"]})
    assert apictl.run("login", "--with-token", input=key["token"]).code == 0
    result = apictl.run("token", "rotate")
    assert result.code == 0 and "no known id" in result.err, result
    assert key_state(ref, key["id"])["revoked"] is False and works(apictl)


@pytest.mark.parametrize("step, fault, outcome", [
    ("create", {"method": "POST", "path": "/v1/api-keys", "delay": 2}, "rolled back"),
    ("verify", {"method": "GET", "path": "/v1/me", "delay": 3, "drop": "before"}, "rolled back"),
    ("revoke", {"method": "DELETE", "path": "/v1/api-keys/", "delay": 3, "drop": "before"}, "finished"),
])
def test_kill_9_at_every_step_leaves_a_working_key(dz, ref, step, fault, outcome):
    ref.fault(api="dzdesk", count=1, **fault)
    since = len(ref.log())
    proc = subprocess.Popen([APICTL, "token", "rotate"], env=dict(dz.env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    target = "/dzdesk" + fault["path"]
    deadline = time.time() + 10
    while time.time() < deadline:
        if any(e["method"] == fault["method"] and e["path"].startswith(target) for e in ref.log()[since:]):
            break
        time.sleep(0.05)
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(5)
    time.sleep(fault["delay"] + 0.3)              # the server finishes what it was holding
    result = dz.run("request", "GET", "/me")
    assert result.code == 0, result
    assert outcome in result.err, result
    names = [k["name"] for k in listed(dz)]
    in_use = [k for k in listed(dz) if k["in_use"]]
    if outcome == "rolled back":
        assert names == ["laptop"] and dz.run("token", "print").out.strip() == dz.old["token"]   # no orphan key
    else:
        assert len(names) == 1 and names[0].startswith("laptop-") and key_state(ref, dz.old["id"])["revoked"]
    assert len(in_use) == 1
    # the journal is gone: the next command says nothing more
    assert dz.run("request", "GET", "/me").err == ""


def test_rotate_in_the_keyring(apictl, ref):
    bus = SessionBus(with_keyring=True)
    try:
        apictl.env.update(bus.env)
        assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
        key = ref.admin("/keys", {"api": "dzdesk", "name": "laptop", "scopes": ["requests:read"]})
        assert apictl.run("login", "--with-token", input=key["token"]).code == 0
        result = apictl.run("token", "rotate")
        assert result.code == 0 and "keyring" in result.err, result
        record = json.loads(bus.run("secret-tool", "lookup", "profile", "dz", "environment", "default").stdout)
        assert record["token"] != key["token"] and record["token_id"] and record["name"].startswith("laptop-")
        assert key_state(ref, key["id"])["revoked"] is True
    finally:
        bus.stop()
