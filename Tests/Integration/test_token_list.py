"""`apictl token list`: keys known to the API and to the store, with their age flags."""
import json
import time

import pytest

from token_fixtures import PASS, dz, key_state, listed, works  # noqa: F401 (dz is a fixture)


def test_list_merges_flags_and_marks_the_key_in_use(dz, ref):
    ref.admin("/keys", {"api": "dzdesk", "name": "expiring", "scopes": ["requests:read"], "expires_in": 3 * 86400})
    keys = {k["name"]: k for k in listed(dz)}
    assert set(keys) == {"laptop", "expiring"}
    assert keys["laptop"]["in_use"] is True and keys["expiring"]["in_use"] is False
    assert keys["expiring"]["flags"] == ["expiring"] and keys["laptop"]["flags"] == []
    assert set(keys["laptop"]) == {"id", "name", "scopes", "created_at", "expires_at", "age_days", "last_used", "in_use", "flags"}
    assert keys["expiring"]["last_used"] is None             # never sent by apictl
    assert keys["laptop"]["age_days"] == 0 and keys["laptop"]["scopes"] == ["requests:read", "requests:write"]
    table = dz.run("token", "list").out.splitlines()
    assert table[0].split() == ["ID", "NAME", "SCOPES", "CREATED", "EXPIRES", "AGE", "LAST", "USED", "IN", "USE", "FLAGS"]
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


@pytest.mark.parametrize("value", ["1e309", "-1", "0", "9223372036854775808", '"NaN"', '"2026-99-99T00:00:00Z"'])
def test_extreme_dates_in_a_key_list_never_trap(dz, ref, value):
    body = '{"success":true,"data":[{"id":"k1","name":"odd","created_at":%s,"expires_at":%s}]}' % (value, value)
    ref.fault(api="dzdesk", method="GET", path="/v1/api-keys", status=200, count=2, body=body)
    result = dz.run("token", "list", "--json")
    assert result.code == 0, result
    odd = [k for k in json.loads(result.out) if k["id"] == "k1"][0]
    assert odd["age_days"] is None or 0 <= odd["age_days"] < 100000
    assert dz.run("token", "list").code == 0


@pytest.mark.parametrize("columns", [80, 100])
def test_the_table_fits_the_terminal(dz, ref, columns):
    ref.admin("/keys", {"api": "dzdesk", "name": "a-key-with-a-rather-long-name-for-the-table", "scopes": ["requests:read"]})
    result = dz.converse("token", "list", columns=columns, env=PASS)
    lines = [line for line in result.out.splitlines() if line.strip()]
    assert result.code == 0 and lines[0].startswith("ID"), result
    assert max(len(line) for line in lines) <= columns, result.out
    piped = dz.run("token", "list", env=PASS)
    assert "a-key-with-a-rather-long-name-for-the-table" in piped.out   # never cut when piped


def test_an_expired_key_is_flagged_expired_in_the_table_and_in_json(dz, ref):
    ref.admin("/keys", {"api": "dzdesk", "name": "gone", "scopes": ["requests:read"], "expires_in": 1})
    time.sleep(1.2)
    keys = {k["name"]: k for k in listed(dz)}
    assert keys["gone"]["flags"] == ["expired"], keys["gone"]
    line = [line for line in dz.run("token", "list").out.splitlines() if " gone " in f" {line} "][0]
    assert line.split()[-1] == "expired", line


def test_whoami_warns_when_the_key_in_use_expires_within_7_days(apictl, ref):
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    key = ref.admin("/keys", {"api": "dzdesk", "jwt": True, "scopes": ["requests:read"], "expires_in": 6 * 86400})
    result = apictl.run("whoami", env={"DZDESK_TOKEN": key["token"]})
    assert result.code == 0 and "this key expires in 5d" in result.err, result
    later = ref.admin("/keys", {"api": "dzdesk", "jwt": True, "scopes": ["requests:read"], "expires_in": 30 * 86400})
    assert "expires in" not in apictl.run("whoami", env={"DZDESK_TOKEN": later["token"]}).err


def test_a_stored_key_the_api_does_not_list_has_no_made_up_id(apictl, ref, tmp_path):
    """Without tokens.list only the stored key is shown; its id is not known, so JSON says null."""
    apictl.env.update(PASS)
    tokens = tmp_path / "tokens.toml"
    tokens.write_text('create = "POST /api-keys"\nkey = "/data/key"\nid = "/data/id"\n')
    assert apictl.run("profile", "add", "dz", "--base-url", ref.url("dzdesk", "/v1"), "--tokens-from", str(tokens),
                      "--whoami", "/me").code == 0
    assert apictl.run("login", "--with-token", input=ref.key("dzdesk", scopes=["requests:read"])).code == 0
    [key] = listed(apictl)
    assert key["id"] is None and key["in_use"] is True and key["expires_at"] is None, key
    table = apictl.run("token", "list")
    assert "(in use)" not in table.out and "never" not in table.out and "no tokens.list endpoint" in table.err, table


def test_keys_on_a_later_page_are_listed_and_a_page_elsewhere_is_not_followed(dz, ref):
    """An API that pages its key list (Link: rel="next"): every page is read (rotation's recovery
    finds a key by name there), but never a page on another origin, which would get the key."""
    def first_page(next_url):
        ref.fault(api="dzdesk", method="GET", path="/v1/api-keys", status=200, count=1,
                  body=json.dumps({"data": [{"id": "key_page1", "name": "first-page", "scopes": []}]}),
                  headers={"Content-Type": "application/json", "Link": f'<{next_url}>; rel="next"'})
    first_page(ref.url("dzdesk", "/v1/api-keys?page=2"))
    assert [k["name"] for k in listed(dz)] == ["first-page", "laptop"]
    first_page(ref.url("dzdesk", "/v1/api-keys?page=2", host="localhost"))
    since = len(ref.log())
    names = [k["name"] for k in listed(dz)]
    assert "first-page" in names and "laptop" not in names, names   # (the stored key is still shown, as one the API did not list)
    assert [e for e in ref.log()[since:] if e["host"].startswith("localhost")] == []
