"""apictl against stock server packages nobody here wrote (issue 25), configured from
docs/configuration.md as a user would: Django REST framework's token authentication,
django-rest-knox (whose logout revokes the calling token), djangorestframework-simplejwt
(JWT access/refresh pairs), django-oauth-toolkit (an OAuth 2.0 provider) and drf-spectacular
(the OpenAPI description of them); and the OpenAPI 3.1 description FastAPI generates."""
import json
import sys
import time

import pytest

from conftest import JWT, SERVERS, assert_one_line_error, configure, start_on_free_port

# --- Django REST framework: Authorization: Token KEY ---------------------------------------

@pytest.fixture
def drf(apictl, stock):
    configure(apictl, f'[profiles.drf]\nauth = "token"\nbase_url = "{stock.url("/drf")}"\nwhoami = "/me/"\n')
    apictl.key = stock.post("/drf/api-token-auth/", {"username": "alice", "password": "alice-password-1"})["token"]
    return apictl


def test_drf_login_whoami_shows_the_username(drf):
    result = drf.run("login", "-p", "drf", "--with-token", input=drf.key)
    assert result.code == 0 and "as alice" in result.err, result
    who = drf.run("whoami", "-p", "drf")
    assert "identity:    alice <alice@example.test>, id 1" in who.out, who.out


def test_paginate_follows_drfs_next_url_without_any_pagination_settings(drf):
    assert drf.run("login", "-p", "drf", "--with-token", input=drf.key).code == 0
    result = drf.run("request", "GET", "/users/", "-p", "drf", "--paginate")
    assert result.code == 0, result
    assert [user["username"] for user in json.loads(result.out)] == ["alice", "bob"], result.out


def test_a_refused_stored_key_prints_the_body_and_the_servers_message(drf):
    assert drf.run("login", "-p", "drf", "--with-token", "--no-verify", input="0" * 40).code == 0
    result = drf.run("request", "GET", "/me/", "-p", "drf")
    assert_one_line_error(result, 4, "401", "Invalid token.", "apictl login -p drf")
    assert json.loads(result.out) == {"detail": "Invalid token."}


def test_a_throttled_request_given_up_is_one_line_with_drfs_message(drf):
    assert drf.run("login", "-p", "drf", "--with-token", input=drf.key).code == 0
    assert drf.run("request", "GET", "/throttled/", "-p", "drf").code == 0
    result = drf.run("request", "GET", "/throttled/", "-p", "drf", "--max-wait", "5")
    assert_one_line_error(result, 6, "429", "Request was throttled", "more than --max-wait")
    assert "throttled" in json.loads(result.out)["detail"]


def test_no_rotation_advice_for_a_profile_without_a_tokens_table(drf):
    assert drf.run("login", "-p", "drf", "--with-token", input=drf.key).code == 0
    who = drf.run("whoami", "-p", "drf")
    assert who.code == 0 and who.err == "", who


def test_drf_field_errors_are_one_line(apictl, stock):
    configure(apictl, f'[profiles.drf]\nauth = "token"\nbase_url = "{stock.url("/drf")}"\n')
    result = apictl.run("request", "POST", "/api-token-auth/", "-p", "drf", "-f", "username=alice")
    assert_one_line_error(result, 1, "400", "password: This field is required.")


# --- django-rest-knox: a logout that revokes the token calling it -----------------------------

KNOX = """[profiles.knox]
auth = "token"
base_url = "{base}"
whoami = "/me/"
[profiles.knox.tokens]
create = "POST /login/"
revoke = "POST /logout/"
create_body = {{}}
key = "/token"
expires_at = "/expiry"
"""


@pytest.fixture
def knox(apictl, stock):
    configure(apictl, KNOX.format(base=stock.url("/knox")))
    request = __import__("urllib.request").request
    import base64
    login = request.Request(stock.url("/knox/login/"), data=b"", method="POST",
                            headers={"Authorization": "Basic " + base64.b64encode(b"alice:alice-password-1").decode()})
    with request.urlopen(login, timeout=5) as answer:
        apictl.key = json.loads(answer.read())["token"]
    assert apictl.run("login", "-p", "knox", "--with-token", input=apictl.key).code == 0
    return apictl


def test_rotation_through_a_self_revoking_endpoint_revokes_the_old_key_not_the_new(knox, stock):
    result = knox.run("token", "rotate", "-p", "knox")
    assert result.code == 0, result
    assert "the old key was revoked" in result.err
    new = knox.run("token", "print", "-p", "knox").out.strip()
    replaced = new != knox.key                 # compared apart, so a failure never prints a key
    assert replaced
    assert stock.status("/knox/me/", knox.key) == 401, "the old key is revoked"
    assert stock.status("/knox/me/", new) == 200, "the new key works"
    assert knox.run("request", "GET", "/me/", "-p", "knox").code == 0


def test_revoking_another_key_through_a_self_revoking_endpoint_is_refused_before_sending(knox, stock):
    result = knox.run("token", "revoke", "some-other-id", "-p", "knox", "--yes")
    assert_one_line_error(result, 2, "revokes the key that calls it", "some-other-id")
    assert stock.status("/knox/me/", knox.key) == 200, "the key in use was not touched"


def test_logout_revoke_revokes_the_stored_knox_key(knox, stock):
    result = knox.run("logout", "-p", "knox", "--revoke")
    assert result.code == 0, result
    assert stock.status("/knox/me/", knox.key) == 401


# --- simplejwt: a token pair bought with a username and password ---------------------------------

def test_a_jwt_pair_logs_in_and_renews_itself(apictl, short_jwt):
    configure(apictl, JWT.format(base=short_jwt.url("/jwt")))
    result = apictl.run("login", "-p", "jwt", "--username", "alice", "--password-stdin", input="alice-password-1\n")
    assert result.code == 0 and "as alice" in result.err and "renews itself" in result.err, result
    first = apictl.run("token", "print", "-p", "jwt").out.strip()
    time.sleep(2.5)                                     # the access token is dead now
    again = apictl.run("request", "GET", "/me/", "-p", "jwt")
    assert again.code == 0 and json.loads(again.out)["username"] == "alice", again
    assert apictl.run("token", "print", "-p", "jwt").out.strip() != first


def test_a_jwt_pair_with_a_wrong_password_names_the_endpoint(apictl, stock):
    configure(apictl, JWT.format(base=stock.url("/jwt")))
    result = apictl.run("login", "-p", "jwt", "--username", "alice", "--password-stdin", input="wrong\n")
    assert_one_line_error(result, 4, "the obtain endpoint (POST ", "/jwt/token/) refused", "No active account")


# --- django-oauth-toolkit: client credentials ----------------------------------------------

DOT = """[profiles.dot]
auth = "oauth2"
base_url = "{origin}/dot"
whoami = "/me/"
[profiles.dot.oauth]
token_url = "{origin}/o/token/"
revocation_url = "{origin}/o/revoke_token/"
client_id = "stock-confidential"
client_secret_env = "DOT_SECRET"
client_auth = "basic"
"""

def test_client_credentials_against_django_oauth_toolkit_shows_the_client(apictl, stock):
    configure(apictl, DOT.format(origin=stock.origin))
    env = {"DOT_SECRET": "stock-client-secret-9"}
    result = apictl.run("login", "-p", "dot", "--client-credentials", env=env)
    assert result.code == 0, result
    who = apictl.run("whoami", "-p", "dot", env=env)
    assert "identity:    client stock-confidential (client credentials)" in who.out, who.out
    assert "Logged in to dot as client stock-confidential" in result.err, result


def test_a_client_secret_variable_that_is_not_set_is_named(apictl, stock):
    configure(apictl, DOT.format(origin=stock.origin))
    assert apictl.run("login", "-p", "dot", "--client-credentials", env={"DOT_SECRET": "stock-client-secret-9"}).code == 0
    for args in (["token", "refresh", "-p", "dot"], ["logout", "--revoke", "-p", "dot"]):
        result = apictl.run(*args)
        assert_one_line_error(result, 3, "DOT_SECRET", "not set")
        assert "--client-secret-stdin" not in result.err


def test_a_wrong_client_secret_at_django_oauth_toolkit_says_what_to_change(apictl, stock):
    configure(apictl, DOT.format(origin=stock.origin))
    result = apictl.run("login", "-p", "dot", "--client-credentials", env={"DOT_SECRET": "not-the-secret"})
    assert_one_line_error(result, 4, "the token endpoint refused it", "invalid_client", "check the client id and secret")
    assert "run 'apictl login" not in result.err


# --- drf-spectacular: the project's OpenAPI description, generated by a stock package -----

def test_a_description_drf_spectacular_generates_syncs_and_checks_requests(apictl, stock):
    configure(apictl, f'default_profile = "jwt"\n[profiles.jwt]\nauth = "bearer"\nbase_url = "{stock.url("/jwt")}"\n'
                      f'openapi = "{stock.url("/schema/")}"\n')
    apictl.env["APICTL_TOKEN"] = "not-needed-to-ask-for-a-pair"
    synced = apictl.run("api", "sync")
    assert synced.code == 0 and "OpenAPI 3.0" in synced.err, synced
    listed = {(op["method"], op["path"]) for op in json.loads(apictl.run("api", "list", "--json").out)}
    assert {("POST", "/token/"), ("POST", "/token/refresh/"), ("GET", "/me/")} <= listed, listed
    shown = apictl.run("api", "show", "POST", "/token/")
    assert "username (string, required)" in shown.out and "password (string, required)" in shown.out, shown.out
    # simplejwt's serializer, as drf-spectacular describes it, refuses the body before it is sent
    assert_one_line_error(apictl.run("request", "POST", "/token/", "-f", "username=alice"),
                          2, "POST /token/: body: the field 'password' is required")
    pair = apictl.run("request", "POST", "/token/", "-f", "username=alice", "-f", "password=alice-password-1")
    assert pair.code == 0 and set(json.loads(pair.out)) == {"access", "refresh"}
    assert "/token/\t" in apictl.run("__complete", "request", "POST", "/to").out


def test_drf_spectacular_is_found_at_its_default_place_without_being_named(apictl, stock):
    configure(apictl, f'[profiles.drf]\nauth = "token"\nbase_url = "{stock.url("/drf")}"\n')
    apictl.env["APICTL_TOKEN"] = "not-needed-to-read-the-schema"
    synced = apictl.run("api", "sync", "-p", "drf")
    assert synced.code == 0 and f"from {stock.origin}/schema/ for drf" in synced.err, synced


# --- FastAPI: an OpenAPI 3.1 description at /openapi.json, found beside the base URL ---------

@pytest.fixture(scope="module")
def tickets():
    server, port = start_on_free_port([sys.executable, "-m", "uvicorn", "fastapi_tickets:app", "--port", "{port}",
                                       "--app-dir", str(SERVERS / "stock"), "--log-level", "warning"],
                                      "/openapi.json", "the FastAPI app")
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(5)


def test_a_description_fastapi_generates_is_found_synced_and_checked(apictl, tickets):
    apictl.run("profile", "add", "tickets", "--base-url", tickets)
    apictl.env["APICTL_TOKEN"] = "tok-tickets-0123456789"
    synced = apictl.run("api", "sync")
    assert synced.code == 0 and "openapi.json" in synced.err and "OpenAPI 3.1" in synced.err, synced
    shown = apictl.run("api", "show", "POST", "/tickets")
    assert "title (string, required)" in shown.out and 'one of "low", "high"' in shown.out, shown.out
    assert "security: HTTPBearer" in shown.out
    assert_one_line_error(apictl.run("request", "POST", "/tickets", "-f", "priority=high"), 2, "the field 'title' is required")
    assert_one_line_error(apictl.run("request", "POST", "/tickets", "-f", "title=Printer", "-f", "priority=urgent"),
                          2, "priority", '"low"')
    assert_one_line_error(apictl.run("request", "GET", "/tickets/7", "--query", "verbos=1"), 2, "verbos", "verbose")
    made = apictl.run("request", "POST", "/tickets", "-f", "title=Printer", "-f", "priority=high", "-F", "estimate:=null")
    assert made.code == 0 and json.loads(made.out)["priority"] == "high", made
    assert json.loads(apictl.run("request", "GET", "/tickets/7", "--query", "verbose=true").out) == {"id": 7, "verbose": True}
    completed = apictl.run("__complete", "request", "POST", "/tickets", "")
    assert completed.out.splitlines()[0].startswith("title="), completed.out
