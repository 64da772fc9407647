"""Shared by the token command tests: a DZDESK profile with a stored key, and how to read the key API's state."""
import json

import pytest

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
