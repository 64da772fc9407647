"""apictl against more stock stacks nobody here wrote (issue 33 item 10), each configured
from docs/configuration.md alone, as a user would: Flask with Flask-JWT-Extended and
Flask-Limiter, Litestar (its JWT auth, rate-limit middleware, validation and problem
details), and dj-rest-auth with djangorestframework-simplejwt. The servers are in
Tests/Servers/stock_more; stock_more_fixtures.py starts them.

Each of issue 33's rules is checked against a stock server where one shows it: token refresh
of pairs (a Bearer refresh endpoint and a body one), error shapes (Litestar's own and its
problem details), a 401's reason, short-lived tokens without refresh, the IETF RateLimit
fields, pair revocation and a wrong password answered 400."""
import json
import sqlite3
import time

import pytest

from conftest import assert_one_line_error
from stock_more_fixtures import djrestauth, flask_jwt, litestar, litestar_problem  # noqa: F401 (fixtures)

PASS = {"APICTL_PASSPHRASE": "correct horse battery staple", "APICTL_CREDENTIAL_STORE": "file"}
ALICE = {"username": "alice", "password": "alice-password-1"}


def configure(apictl, text):
    apictl.config_path.parent.mkdir(parents=True, exist_ok=True)
    with open(apictl.config_path, "a") as config:
        config.write(text)
    apictl.env.update(PASS)


def login(apictl, profile, password="alice-password-1"):
    return apictl.run("login", "-p", profile, "--username", "alice", "--password-stdin", input=password + "\n")


def stored_token(apictl, profile, server):
    token = apictl.run("token", "print", "-p", profile).out.strip()
    server.issued.add(token)
    return token


def lines(result):
    return [line for line in result.err.splitlines() if line.strip()]


# --- Flask-JWT-Extended: a pair whose refresh endpoint takes the refresh token as Bearer ------

FLASK_PAIR = """[profiles.flask]
auth = "bearer"
base_url = "{base}"
whoami = "/me"
[profiles.flask.pair]
obtain = "POST /login"
refresh = "POST /refresh"
refresh_with = "bearer"
access = "/access_token"
refresh_token = "/refresh_token"
"""


@pytest.fixture
def flask_pair(apictl, flask_jwt):
    configure(apictl, FLASK_PAIR.format(base=flask_jwt.url()))
    result = login(apictl, "flask")
    assert result.code == 0 and "as alice" in result.err, result
    return apictl


def test_flask_jwt_wrong_password_names_the_endpoint_and_the_servers_message(apictl, flask_jwt):
    configure(apictl, FLASK_PAIR.format(base=flask_jwt.url()))
    assert_one_line_error(login(apictl, "flask", password="wrong"), 4,
                          "the obtain endpoint (POST ", "/login) refused", "401", "Bad username or password")


def test_flask_jwt_whoami_shows_the_user_and_flask_limiters_x_ratelimit_headers(flask_pair):
    who = flask_pair.run("whoami", "-p", "flask")
    assert who.code == 0 and "identity:    alice" in who.out, who
    assert "rate limit:" in who.out and "/100 remaining" in who.out, who.out


def test_flask_jwt_an_access_token_revoked_elsewhere_is_renewed_with_the_refresh_token_as_bearer(flask_pair, flask_jwt):
    old = stored_token(flask_pair, "flask", flask_jwt)
    revoked = flask_jwt.call("DELETE", "/logout", bearer=old)      # logged out in another client
    assert revoked == (200, {"msg": "Access token successfully revoked"}), revoked
    result = flask_pair.run("request", "GET", "/me", "-p", "flask")
    assert result.code == 0 and json.loads(result.out) == {"username": "alice"}, result
    renewed = stored_token(flask_pair, "flask", flask_jwt) != old   # compared apart: a failure prints no token
    assert renewed


def test_flask_jwt_a_refresh_sent_in_the_body_suggests_refresh_with_bearer(apictl, flask_jwt):
    """A newcomer's first config leaves refresh_with out: Flask-JWT-Extended answers 401."""
    configure(apictl, FLASK_PAIR.format(base=flask_jwt.url()).replace('refresh_with = "bearer"\n', ""))
    assert login(apictl, "flask").code == 0
    result = apictl.run("token", "refresh", "-p", "flask")
    assert_one_line_error(result, 4, "the refresh endpoint (POST ", "refresh_with = \"bearer\"")


def test_flask_jwt_token_refresh_renews_a_pair_through_a_bearer_refresh_endpoint(flask_pair, flask_jwt):
    old = stored_token(flask_pair, "flask", flask_jwt)
    result = flask_pair.run("token", "refresh", "-p", "flask")
    assert result.code == 0 and "Refreshed the token" in result.err, result
    new = stored_token(flask_pair, "flask", flask_jwt)
    renewed = new != old
    assert renewed
    status, _ = flask_jwt.call("GET", "/me", bearer=new)
    assert status == 200


def test_flask_jwt_a_key_revoked_elsewhere_is_exit_4_with_the_servers_reason(apictl, flask_jwt):
    configure(apictl, f'[profiles.flaskkey]\nauth = "bearer"\nbase_url = "{flask_jwt.url()}"\nwhoami = "/me"\n')
    status, answer = flask_jwt.call("POST", "/login", ALICE)
    assert status == 200
    key = answer["access_token"]
    stored = apictl.run("login", "-p", "flaskkey", "--with-token", input=key)
    assert stored.code == 0, stored
    status, _ = flask_jwt.call("DELETE", "/logout", bearer=key)       # logged out in another client
    assert status == 200
    result = apictl.run("request", "GET", "/me", "-p", "flaskkey")
    assert_one_line_error(result, 4, "401", "Token has been revoked", "apictl login -p flaskkey")
    assert json.loads(result.out) == {"msg": "Token has been revoked"}


def test_flask_limiter_429_with_retry_after_longer_than_max_wait_gives_up_at_once(apictl, flask_jwt):
    """The route allows one call an hour (counted per address: this is the one test that calls it)."""
    configure(apictl, f'[profiles.flasklim]\nauth = "bearer"\nbase_url = "{flask_jwt.url()}"\n')
    apictl.env["APICTL_TOKEN"] = flask_jwt.call("POST", "/login", ALICE)[1]["access_token"]
    first = apictl.run("request", "GET", "/limited", "-p", "flasklim", "-v")
    assert first.code == 0, first
    assert "* rate limit: 0/1 remaining, resets in " in first.err, first.err
    started = time.time()
    result = apictl.run("request", "GET", "/limited", "-p", "flasklim", "--max-wait", "5")
    assert time.time() - started < 3, "no waiting for an answer an hour away"
    assert_one_line_error(result, 6, "429", "more than --max-wait")
    assert "1 per 1 hour" in result.out       # Flask's own HTML page, passed on as received


# --- Litestar: its own error shape, IETF RateLimit-* headers, problem details ------------------

LITE_KEY = """[profiles.{name}]
auth = "bearer"
base_url = "{base}"
whoami = "{whoami}"
"""


def lite_key(apictl, server, name="lite", whoami="/me"):
    configure(apictl, LITE_KEY.format(name=name, base=server.url(), whoami=whoami))
    status, answer = server.call("POST", "/login", ALICE)
    assert status == 201, answer
    apictl.env["APICTL_TOKEN"] = answer["access_token"]
    return apictl


def test_litestar_whoami_and_a_wrong_password(apictl, litestar):
    lite_key(apictl, litestar)
    who = apictl.run("whoami", "-p", "lite")
    assert who.code == 0 and "identity:    alice <alice@example.test>" in who.out, who
    del apictl.env["APICTL_TOKEN"]
    configure(apictl, '[profiles.lite.pair]\nobtain = "POST /login"\naccess = "/access_token"\n'
                      'refresh_token = "/refresh_token"\nexpires_in = "/expires_in"\n')
    assert_one_line_error(login(apictl, "lite", password="wrong"), 4,
                          "the obtain endpoint (POST ", "/login) refused", "401", "Invalid username or password")


def test_litestar_a_bad_token_is_exit_4_with_its_detail(apictl, litestar):
    lite_key(apictl, litestar)
    result = apictl.run("request", "GET", "/me", "-p", "lite", env={"APICTL_TOKEN": "not.a.token"})
    assert_one_line_error(result, 4, "401", "Invalid token", "APICTL_TOKEN")


def test_litestar_validation_errors_name_the_field_from_extra(apictl, litestar):
    lite_key(apictl, litestar)
    result = apictl.run("request", "POST", "/tickets", "-p", "lite", "-f", "title=Printer", "-f", "priority=urgent")
    assert json.loads(result.out)["extra"][0]["key"] == "priority"
    assert_one_line_error(result, 1, "400", "priority", "Invalid enum value 'urgent'")


def test_litestar_problem_details_validation_errors_name_the_field(apictl, litestar_problem):
    lite_key(apictl, litestar_problem)
    result = apictl.run("request", "POST", "/tickets", "-p", "lite", "-f", "title=Printer", "-f", "priority=urgent")
    assert json.loads(result.out)["status"] == 400
    assert_one_line_error(result, 1, "400", "priority", "Invalid enum value 'urgent'")


def test_litestar_problem_details_401_is_exit_4_with_title_and_detail(apictl, litestar_problem):
    lite_key(apictl, litestar_problem)
    result = apictl.run("request", "GET", "/me", "-p", "lite", env={"APICTL_TOKEN": "not.a.token"})
    assert_one_line_error(result, 4, "401", "Invalid token")


def test_litestar_ietf_ratelimit_headers_show_in_verbose_and_whoami(apictl, litestar):
    lite_key(apictl, litestar, whoami="/limited")
    first = apictl.run("request", "GET", "/limited", "-p", "lite", "-v")
    assert first.code == 0 and "ratelimit-remaining: 1" in first.err.lower(), first
    assert "* rate limit: 1/2 remaining, resets in " in first.err, first.err
    who = apictl.run("whoami", "-p", "lite")
    assert "rate limit:  0/2 remaining" in who.out, who.out


def test_litestar_429_with_ratelimit_reset_longer_than_max_wait_gives_up_at_once(apictl, litestar):
    lite_key(apictl, litestar)
    for _ in range(2):
        assert apictl.run("request", "GET", "/limited", "-p", "lite").code == 0
    started = time.time()
    result = apictl.run("request", "GET", "/limited", "-p", "lite", "--max-wait", "5")
    assert json.loads(result.out) == {"status_code": 429, "detail": "Too Many Requests"}
    assert_one_line_error(result, 6, "429", "Too Many Requests", "more than --max-wait")
    assert time.time() - started < 2


# --- a short-lived token and no refresh token: Litestar's OAuth2 login answer -----------------

LITE_PAIR = """[profiles.lite]
auth = "bearer"
base_url = "{base}"
whoami = "/me"
[profiles.lite.pair]
obtain = "POST /login"
access = "/access_token"
refresh_token = "/refresh_token"
expires_in = "/expires_in"
"""


def test_a_short_lived_token_without_refresh_is_used_until_it_expires(apictl, litestar_problem):
    configure(apictl, LITE_PAIR.format(base=litestar_problem.url()))
    assert login(apictl, "lite").code == 0                  # a 5-second token
    result = apictl.run("request", "GET", "/me", "-p", "lite")
    assert result.code == 0 and json.loads(result.out)["username"] == "alice", result


def test_a_short_lived_token_without_refresh_once_expired_asks_for_login(apictl, litestar_problem):
    configure(apictl, LITE_PAIR.format(base=litestar_problem.url()))
    assert login(apictl, "lite").code == 0
    stored_token(apictl, "lite", litestar_problem)
    time.sleep(5.5)
    assert_one_line_error(apictl.run("request", "GET", "/me", "-p", "lite"), 4, "expired", "apictl login -p lite")


# --- dj-rest-auth (JWT) and simplejwt's blacklist: refresh tokens sent in the body -------------

DRA = """[profiles.dra]
auth = "bearer"
base_url = "{base}"
whoami = "/auth/user/"
[profiles.dra.pair]
obtain = "{obtain}"
refresh = "{refresh}"
revoke = "{revoke}"
revoke_body = {{ refresh = "{{refresh_token}}" }}
"""
DJ_REST_AUTH = dict(obtain="POST /auth/login/", refresh="POST /auth/token/refresh/", revoke="POST /auth/logout/")
SIMPLEJWT = dict(obtain="POST /jwt/token/", refresh="POST /jwt/token/refresh/", revoke="POST /jwt/token/blacklist/")


def blacklisted(server):
    """Whether the newest refresh token the server issued is on simplejwt's blacklist."""
    with sqlite3.connect(server.db) as db:
        newest = db.execute("SELECT max(id) FROM token_blacklist_outstandingtoken").fetchone()[0]
        return db.execute("SELECT count(*) FROM token_blacklist_blacklistedtoken WHERE token_id = ?",
                          (newest,)).fetchone()[0] == 1


@pytest.fixture
def dra(apictl, djrestauth):
    configure(apictl, DRA.format(base=djrestauth.url(), **DJ_REST_AUTH))
    result = login(apictl, "dra")
    assert result.code == 0 and "as alice" in result.err, result
    return apictl


def test_dj_rest_auth_pair_logs_in_and_shows_the_user(dra):
    who = dra.run("whoami", "-p", "dra")
    assert who.code == 0 and "identity:    alice <alice@example.test>" in who.out, who


def test_dj_rest_auth_wrong_password_shows_the_non_field_error(apictl, djrestauth):
    configure(apictl, DRA.format(base=djrestauth.url(), **DJ_REST_AUTH))
    result = login(apictl, "dra", password="wrong")
    said = lines(result)                    # the exit code is rule 8's test below
    assert len(said) == 1 and "the obtain endpoint (POST " in said[0], result
    assert "400: Unable to log in with provided credentials." in said[0], result


def test_dj_rest_auth_wrong_password_answered_400_is_exit_4(apictl, djrestauth):
    configure(apictl, DRA.format(base=djrestauth.url(), **DJ_REST_AUTH))
    assert_one_line_error(login(apictl, "dra", password="wrong"), 4, "Unable to log in with provided credentials.")


def test_dj_rest_auth_token_refresh_renews_and_rotates_the_pair(dra, djrestauth):
    old = stored_token(dra, "dra", djrestauth)
    result = dra.run("token", "refresh", "-p", "dra")
    assert result.code == 0 and "the refresh token was rotated" in result.err, result
    renewed = stored_token(dra, "dra", djrestauth) != old
    assert renewed
    assert dra.run("request", "GET", "/auth/user/", "-p", "dra").code == 0


def test_dj_rest_auth_logout_revoke_blacklists_the_refresh_token(dra, djrestauth):
    result = dra.run("logout", "-p", "dra", "--revoke")
    assert result.code == 0, result
    assert blacklisted(djrestauth)


def test_simplejwt_logout_revoke_blacklists_the_refresh_token(apictl, djrestauth):
    configure(apictl, DRA.format(base=djrestauth.url(), **SIMPLEJWT))
    assert login(apictl, "dra").code == 0
    result = apictl.run("logout", "-p", "dra", "--revoke")
    assert result.code == 0, result
    assert blacklisted(djrestauth)
