"""`apictl token rotate`: create -> verify -> store -> revoke old, rollback, and crash recovery."""
import fcntl
import json
import re
import shutil
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
    # (a date and a random suffix, which may itself begin with "20": matched whole, not counted)
    assert re.fullmatch(r"laptop-\d{4}-\d{2}-\d{2}-[0-9a-z]{4}", [k for k in listed(dz) if k["in_use"]][0]["name"])
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


def test_a_key_the_server_makes_after_apictls_first_look_is_still_revoked(dz, ref):
    """kill -9 while the create request is in flight, and the server commits the key only after
    the next command has looked for it: the journal keeps watching until it is found."""
    ref.fault(api="dzdesk", count=1, method="POST", path="/v1/api-keys", delay=3)
    since = len(ref.log())
    proc = subprocess.Popen([APICTL, "token", "rotate"], env=dict(dz.env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline and not any(e["method"] == "POST" and e["path"].endswith("/api-keys")
                                               for e in ref.log()[since:]):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(5)
    journal = dz.home / "data/apictl/rotations/dz.default.json"
    first = dz.run("request", "GET", "/me")                 # the server has not made the key yet
    assert first.code == 0 and "has not appeared at the API yet" in first.err, first
    assert journal.exists()
    refused = dz.run("token", "rotate")
    assert refused.code == 1 and "may still appear at the API" in refused.err.splitlines()[-1], refused
    time.sleep(3.5)                                         # now it has
    assert [k["name"] for k in live_keys(ref)] != ["laptop"], "the late key exists at the API"
    second = dz.run("request", "GET", "/me")
    assert second.code == 0 and "rolled back" in second.err and "was revoked" in second.err, second
    assert [k["name"] for k in live_keys(ref)] == ["laptop"] and dz.run("token", "print").out.strip() == dz.old["token"]
    assert not journal.exists()
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


def file_operations_of_a_rotation(dz):
    """How often a clean rotation calls each file operation, counted with strace."""
    counts = subprocess.run(["strace", "-f", "-c", "-e", "trace=rename,write,fsync", APICTL, "token", "rotate"],
                            env=dict(dz.env), capture_output=True, text=True)
    assert "rotated dz" in counts.stderr, counts.stderr[-500:]
    found = {}
    for line in counts.stderr.splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[-1] in ("rename", "write", "fsync"):
            found[fields[-1]] = int(fields[3])
    return found


def live_keys(ref):
    return ref.admin("/keys/live?api=dzdesk")


@pytest.mark.skipif(not shutil.which("strace"), reason="strace is not installed")
def test_kill_9_at_every_file_operation_leaves_a_working_key(dz, ref):
    """issue 24: `token rotate` killed at each rename, write and fsync in turn."""
    counts = file_operations_of_a_rotation(dz)
    assert counts.get("rename", 0) >= 4 and counts.get("fsync", 0) >= 4, counts
    journal = dz.home / "data/apictl/rotations/dz.default.json"
    killed = 0
    for call, total in sorted(counts.items()):
        for n in range(1, total + 1):
            before = {k["id"] for k in live_keys(ref)}
            proc = subprocess.run(["strace", "-f", "-o", "/dev/null", "-e", f"inject={call}:signal=SIGKILL:when={n}",
                                   APICTL, "token", "rotate"], env=dict(dz.env), capture_output=True, text=True, timeout=60)
            killed += "rotated dz" not in proc.stderr
            extra = [k for k in live_keys(ref) if k["id"] not in before]
            assert len(extra) <= 1, (call, n, extra)
            if extra and len(before) + len(extra) > 1 and journal.exists():
                named = json.loads(journal.read_text())
                assert extra[0]["id"] == named.get("new_id") or extra[0]["name"] == named["new_name"], (call, n)
            # The next command has a working stored key, and recovery leaves exactly that one live.
            after = dz.run("request", "GET", "/me")
            assert after.code == 0, (call, n, after)
            if journal.exists():
                # Killed once the journal was on disk (its folder's fsync) and before the create left:
                # the next command cannot tell that from a create still on its way, so it watches for
                # the key; once the watch window has passed, the rotation is rolled back.
                assert not extra and "has not appeared at the API yet" in after.err, (call, n, after)
                named = json.loads(journal.read_text())
                journal.write_text(json.dumps(dict(named, started_at="2000-01-01T00:00:00Z")))
                assert "rolled back an interrupted rotation" in dz.run("request", "GET", "/me").err, (call, n)
            stored = dz.run("token", "print").out.strip()
            # compared apart, so a failure never prints a live key
            live_is_stored = [k["token"] == stored for k in live_keys(ref)]
            assert live_is_stored == [True], (call, n)
            assert not journal.exists(), (call, n)
            leftovers = [p.name for p in (dz.home / "data/apictl").rglob("*") if ".tmp-" in p.name or p.name.endswith(".part")]
            assert leftovers == [], (call, n, leftovers)
    assert killed >= sum(counts.values()) // 2, "the injections did kill rotations"


def test_two_rotations_at_once_leave_one_new_key_and_no_orphan(dz, ref):
    """The second rotation waits for the first's lock, then finds the key it read replaced:
    it creates nothing, so no key is left live that nobody holds."""
    assert dz.run("token", "rotate").code == 0           # makes the lock file; its old key is revoked
    [lock_path] = (dz.home / "data/apictl/locks").glob("*.rotate.lock")
    with open(lock_path, "r+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        rotations = [subprocess.Popen([APICTL, "token", "rotate"], env=dict(dz.env), stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for _ in range(2)]
        time.sleep(1.5)                                   # both have read the stored key and wait for the lock
        fcntl.flock(held, fcntl.LOCK_UN)
    outcomes = sorted((process.wait(30), process.stderr.read()) for process in rotations)
    assert outcomes[0][0] == 0 and "rotated dz" in outcomes[0][1], outcomes
    assert outcomes[1][0] == 1 and "changed while this rotation waited" in outcomes[1][1], outcomes
    stored = dz.run("token", "print").out.strip()
    assert [key["token"] for key in live_keys(ref)] == [stored] and works(dz)


def test_a_rollback_never_revokes_the_old_keys_id(dz, ref):
    """The new key came back under the old key's id and failed its check: the rollback revoked
    that id, which is the key that stays stored."""
    made = ref.admin("/keys", {"api": "dzdesk", "name": "reused", "scopes": ["requests:read", "requests:write"]})
    ref.fault(api="dzdesk", method="POST", path="/v1/api-keys", status=201, count=1, headers={"Content-Type": "application/json"},
              body=json.dumps({"data": {"id": dz.old["id"], "key": made["token"], "scopes": ["requests:read"]}}))
    ref.fault(api="dzdesk", method="GET", path="/v1/me", status=401, count=1, headers={"Content-Type": "application/json"},
              body=json.dumps({"success": False, "error": {"code": "unauthorized", "message": "no"}}))
    result = dz.run("token", "rotate")
    assert result.code != 0, result
    assert key_state(ref, dz.old["id"])["revoked"] is False and works(dz)


def test_a_new_key_answered_with_the_old_keys_id_is_never_revoked(dz, ref):
    """Revoking the old key by its id would revoke the new one, when the API reused the id."""
    made = ref.admin("/keys", {"api": "dzdesk", "name": "reused", "scopes": ["requests:read", "requests:write"]})
    ref.fault(api="dzdesk", method="POST", path="/v1/api-keys", status=201, count=1, headers={"Content-Type": "application/json"},
              body=json.dumps({"data": {"id": dz.old["id"], "key": made["token"], "scopes": ["requests:read"]}}))
    result = dz.run("token", "rotate")
    assert result.code != 0 and "the old key's id" in result.err, result
    # Its hint must not be the revoke by that id, which would take the stored key with it.
    assert "token revoke" not in result.err.replace("not with 'token revoke'", "") and "dashboard" in result.err, result
    assert dz.run("token", "print").out.strip() == made["token"]
    assert works(dz) and key_state(ref, made["id"])["revoked"] is False
