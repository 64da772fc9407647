"""`apictl token revoke` and `logout --revoke` of an API key."""

from conftest import APICTL, assert_one_line_error
from token_fixtures import PASS, dz, key_state, listed, works  # noqa: F401 (dz is a fixture)


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


def test_an_unknown_key_id_says_the_key_is_not_known(dz, ref):
    result = dz.run("token", "revoke", "key_nope", "--yes")
    assert_one_line_error(result, 1, "does not know a key with id key_nope", "apictl token list -p dz")
    assert "check the path" not in result.err


def test_no_at_the_confirmation_is_exit_2_and_revokes_nothing(dz, ref):
    result = dz.converse("token", "revoke", steps=[("[y/N]", b"n\n")], env=PASS)
    assert result.code == 2 and "not confirmed; nothing was revoked" in result.out, result
    assert not key_state(ref, dz.old["id"])["revoked"] and works(dz)
