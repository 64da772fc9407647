"""`apictl token create`: a key printed once or stored, against the reference server's DZDESK and Datasets key APIs."""
import json

import pytest

from conftest import APICTL, assert_one_line_error
from token_fixtures import PASS, dz, key_state, listed, works  # noqa: F401 (dz is a fixture)


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
