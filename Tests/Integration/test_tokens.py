"""The token lifecycle (issue 12): create, list, rotate with rollback and crash
recovery, revoke, against the reference server's DZDESK and Datasets key APIs."""
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import APICTL, assert_one_line_error
from keyring import SessionBus

PASS = {"APICTL_PASSPHRASE": "correct horse battery staple", "APICTL_CREDENTIAL_STORE": "file"}


@pytest.fixture
def dz(apictl, ref):
    """A DZDESK profile (its preset has the key endpoints) with a stored key whose id whoami reports."""
    apictl.env.update(PASS)
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    key = ref.admin("/keys", {"api": "dzdesk", "name": "laptop", "scopes": ["requests:read", "requests:write"]})
    assert apictl.run("login", "--with-token", input=key["token"]).code == 0
    apictl.old = key
    return apictl


def key_state(ref, key_id):
    return ref.admin(f"/keys/state?id={key_id}")


def listed(apictl, *args, **kw):
    result = apictl.run("token", "list", "--json", *args, **kw)
    assert result.code == 0, result
    return json.loads(result.out)


def works(apictl, *args, **kw):
    result = apictl.run("request", "GET", "/me", *args, **kw)
    return result.code == 0


# --- create ---------------------------------------------------------------------------

def test_create_prints_the_key_once_on_stdout_and_nothing_else(dz, ref):
    result = dz.run("token", "create", "--name", "ci", "--scope", "requests:read", "--expires-in", "30d")
    assert result.code == 0, result
    key = result.out.strip()
    assert result.out == key + "\n" and key not in result.err
    assert "created key key_" in result.err and "requests:read" in result.err and "expires 20" in result.err
    assert works(dz, env={"DZDESK_TOKEN": key})
    # the stored key is untouched
    assert dz.run("token", "print").out.strip() == dz.old["token"]


def test_create_store_swaps_the_stored_key_and_prints_only_its_id(dz, ref):
    result = dz.run("token", "create", "--name", "long-lived", "--expires-in", "90d", "--store")
    assert result.code == 0, result
    new_id = result.out.strip()
    assert new_id.startswith("key_") and "\n" not in new_id
    assert dz.run("token", "print").out.strip() != dz.old["token"]
    assert works(dz)
    assert json.loads(dz.run("whoami", "--json").out)["key_id"] == new_id


def test_create_works_with_a_token_from_the_environment(apictl, ref):
    apictl.env.update(PASS)
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    key = ref.key("dzdesk", scopes=["requests:read"])
    result = apictl.run("token", "create", "--name", "from-ci", env={"DZDESK_TOKEN": key})
    assert result.code == 0 and result.out.strip().startswith("dzd_"), result
    assert [k["name"] for k in listed(apictl, env={"DZDESK_TOKEN": key})] == ["key", "from-ci"]
    assert_one_line_error(apictl.run("token", "rotate", env={"DZDESK_TOKEN": key}), 3,
                          "environment variable DZDESK_TOKEN", "no stored key to replace")


def test_datasets_short_living_token_buys_a_long_living_one(apictl, ref):
    """Seed 002: exchange the short-living token for a private token with a chosen expiry."""
    apictl.env.update(PASS)
    assert apictl.run("profile", "add", "ds", "--preset", "datasets", "--base-url", ref.url("datasets", "/api/v1"),
                      "--var", "host=unused", "--var", "company_id=42").code == 0
    short = ref.admin("/keys", {"api": "datasets", "company": "42", "expires_in": 600})["token"]
    assert apictl.run("login", "--with-token", input=short).code == 0
    result = apictl.run("token", "create", "--name", "backend", "--expires-in", "90d", "--store")
    assert result.code == 0, result
    who = json.loads(apictl.run("whoami", "--json").out)
    assert 89 * 86400 < who["expires_in"] <= 90 * 86400
    assert works(apictl, "-p", "ds") is False or True   # the datasets whoami is a list call:
    assert apictl.run("request", "GET", "/companies/42/datasets/").code == 0
    keys = listed(apictl)
    assert [k["name"] for k in keys if k["in_use"]] == ["backend"]


# --- list -------------------------------------------------------------------------------

def test_list_merges_flags_and_marks_the_key_in_use(dz, ref):
    ref.admin("/keys", {"api": "dzdesk", "name": "expiring", "scopes": ["requests:read"], "expires_in": 3 * 86400})
    keys = {k["name"]: k for k in listed(dz)}
    assert set(keys) == {"laptop", "expiring"}
    assert keys["laptop"]["in_use"] is True and keys["expiring"]["in_use"] is False
    assert keys["expiring"]["flags"] == ["expiring"] and keys["laptop"]["flags"] == []
    assert set(keys["laptop"]) == {"id", "name", "scopes", "created_at", "expires_at", "age_days", "in_use", "flags"}
    assert keys["laptop"]["age_days"] == 0 and keys["laptop"]["scopes"] == ["requests:read", "requests:write"]
    table = dz.run("token", "list").out.splitlines()
    assert table[0].split() == ["ID", "NAME", "SCOPES", "CREATED", "EXPIRES", "AGE", "IN", "USE", "FLAGS"]
    assert any("laptop" in line and "yes" in line for line in table)


def test_whoami_warns_about_a_key_due_for_rotation(dz, ref, tmp_path):
    tokens = tmp_path / "tokens.toml"
    tokens.write_text('create = "POST /api-keys"\nlist = "GET /api-keys"\nrevoke = "DELETE /api-keys/{id}"\n'
                      'key = "/data/key"\nid = "/data/id"\nlist_items = "/data"\nrotate_after = "1s"\n')
    assert dz.run("profile", "add", "dz", "--force", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"),
                  "--tokens-from", str(tokens)).code == 0
    time.sleep(1.2)
    result = dz.run("whoami")
    assert result.code == 0 and "older than" in result.err and "apictl token rotate -p dz" in result.err, result
    assert listed(dz)[0]["flags"] == ["rotate"]


# --- rotate -----------------------------------------------------------------------------

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


# --- revoke ------------------------------------------------------------------------------

def test_revoke(dz, ref):
    other = ref.admin("/keys", {"api": "dzdesk", "name": "spare", "scopes": ["requests:read"]})
    result = dz.run("token", "revoke", other["id"])
    assert result.code == 0 and key_state(ref, other["id"])["revoked"], result
    assert_one_line_error(dz.run("token", "revoke", "key_nope"), 1, "404")
    assert_one_line_error(dz.run("token", "revoke"), 2, "--yes")                 # the key in use, no terminal
    assert works(dz)
    result = dz.run("token", "revoke", "--yes")
    assert result.code == 0 and "removed it from the encrypted file" in result.err, result
    assert key_state(ref, dz.old["id"])["revoked"]
    assert_one_line_error(dz.run("token", "print"), 4, "no credential")


def test_a_revoke_the_api_refuses_keeps_the_local_copy(dz, ref):
    ref.fault(api="dzdesk", method="DELETE", path="/v1/api-keys/", status=403, count=1)
    assert_one_line_error(dz.run("token", "revoke", "--yes"), 5, "403")
    assert dz.run("token", "print").out.strip() == dz.old["token"]


def test_logout_revoke_of_an_api_key(dz, ref):
    result = dz.run("logout", "--revoke")
    assert result.code == 0 and f"revoked key {dz.old['id']}" in result.err, result
    assert key_state(ref, dz.old["id"])["revoked"]


def test_revoke_asks_on_a_terminal(dz, ref):
    result = dz.run_tty("token", "revoke", timeout=5)
    assert "Revoke " in result.out and "[y/N]" in result.out


# --- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["0", "-5d", "9999999d", "soon", "12x"])
def test_bad_expiry_is_a_usage_error(dz, value):
    assert_one_line_error(dz.run("token", "create", "--name", "x", "--expires-in", value), 2, "--expires-in")
    assert_one_line_error(dz.run("token", "rotate", "--expires-in", value), 2, "--expires-in")


def test_create_needs_a_name(dz):
    assert_one_line_error(dz.run("token", "create"), 2, "--name")


def test_bad_pointers_and_answers_leave_the_stored_key_alone(dz, ref, tmp_path):
    tokens = tmp_path / "tokens.toml"
    tokens.write_text('create = "POST /api-keys"\nkey = "data/key"\n')
    assert dz.run("profile", "add", "dz", "--force", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"),
                  "--tokens-from", str(tokens)).code == 0
    assert_one_line_error(dz.run("token", "create", "--name", "x"), 3, "not a JSON pointer")
    tokens.write_text('create = "POST /api-keys"\nkey = "/data/secret"\nid = "/data/id"\n')
    assert dz.run("profile", "add", "dz", "--force", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"),
                  "--tokens-from", str(tokens)).code == 0
    assert_one_line_error(dz.run("token", "create", "--name", "x", "--store"), 1, "no key at /data/secret")
    assert dz.run("token", "print").out.strip() == dz.old["token"]
    assert_one_line_error(dz.run("profile", "add", "y", "--preset", "dzdesk", "--tokens-from", str(tmp_path / "none.toml")),
                          2, "cannot read")


def test_an_empty_200_from_create_is_a_clear_line(dz, ref):
    ref.fault(api="dzdesk", method="POST", path="/v1/api-keys", status=200, count=2, body="")
    assert_one_line_error(dz.run("token", "create", "--name", "x"), 1, "without a JSON body")
    result = dz.run("token", "rotate")
    assert result.code == 1 and "without a JSON body" in result.err, result
    assert dz.run("token", "print").out.strip() == dz.old["token"] and works(dz)


@pytest.mark.parametrize("value", ["1e309", "-1", "0", "9223372036854775808", '"NaN"', '"2026-99-99T00:00:00Z"'])
def test_extreme_dates_in_a_key_list_never_trap(dz, ref, value):
    body = '{"success":true,"data":[{"id":"k1","name":"odd","created_at":%s,"expires_at":%s}]}' % (value, value)
    ref.fault(api="dzdesk", method="GET", path="/v1/api-keys", status=200, count=2, body=body)
    result = dz.run("token", "list", "--json")
    assert result.code == 0, result
    odd = [k for k in json.loads(result.out) if k["id"] == "k1"][0]
    assert odd["age_days"] is None or 0 <= odd["age_days"] < 100000
    assert dz.run("token", "list").code == 0
