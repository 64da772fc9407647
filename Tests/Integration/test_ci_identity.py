"""CI identity (issue 16): a CI job's ID token exchanged for an access token,
against the reference server's GitHub-Actions-style provider (RS256, JWKS) and
DZDESK's exchange endpoints, which verify signature, issuer, audience and expiry."""
import concurrent.futures
import json

import pytest

from conftest import assert_one_line_error

# kernel keys live in the user's keyring, which every worker shares: one worker runs these
pytestmark = pytest.mark.xdist_group("kernel-keyring")

AUDIENCE = "https://api.dzdesk.test"


def ci_table(**keys):
    lines = ["", "[profiles.dz.ci]"]
    for name, value in keys.items():
        if isinstance(value, dict):
            value = "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items()) + " }"
        else:
            value = json.dumps(value)
        lines.append(f"{name} = {value}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def dz(apictl, ref):
    """A DZDESK profile whose [oauth] token endpoint is the reference server's; no credential stored."""
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"),
                      "--oauth-token-url", ref.url("dzdesk", "/oauth/token")).code == 0
    yield apictl
    apictl.run("credentials", "lock")   # kept tokens live in the kernel keyring


def configure(apictl, **keys):
    keys.setdefault("audience", AUDIENCE)
    with open(apictl.config_path, "a") as config:
        config.write(ci_table(**keys))


def github_actions(apictl, ref):
    """The two variables a GitHub Actions job with `permissions: id-token: write` has."""
    apictl.env.update(ACTIONS_ID_TOKEN_REQUEST_URL=ref.origin + "/_ci/token?api-version=2.0",
                      ACTIONS_ID_TOKEN_REQUEST_TOKEN=ref.admin("/ci")["request_token"], GITHUB_ACTIONS="true")


def id_token(ref, **claims):
    return ref.admin("/ci/id-token", claims)["value"]


def ci_state(ref):
    return ref.admin("/ci")


def test_github_actions_token_exchange_serves_requests_whoami_and_token_print(dz, ref):
    configure(dz, exchange="token-exchange", scopes=["requests:read"])
    github_actions(dz, ref)
    result = dz.run("request", "GET", "/me")
    assert result.code == 0, result
    state = ci_state(ref)
    assert state["counts"]["id_token"] == 1 and state["counts"]["token-exchange"] == 1
    sent = state["exchanges"][0]
    assert sent["grant_type"] == "urn:ietf:params:oauth:grant-type:token-exchange"
    assert sent["subject_token_type"] == "urn:ietf:params:oauth:token-type:jwt"
    assert sent["audience"] == AUDIENCE and sent["scope"] == "requests:read"
    assert sent["requested_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    assert sent["content_type"] == "application/x-www-form-urlencoded" and sent["accept"] == "application/json"
    who = json.loads(dz.run("whoami", "--json").out)
    assert who["source"] == "ci" and who["credential_source"] == "CI identity (GitHub Actions ID token, token-exchange)", who
    assert "token rotate" not in dz.run("whoami").err, "an exchanged token renews itself: no advice to rotate it"
    token = dz.run("token", "print").out.strip()
    assert token.startswith("dzd_"), "the exchanged access token, not the ID token"
    assert ci_state(ref)["counts"]["token-exchange"] == 1, "later processes reuse the kept token"
    assert not (dz.home / "data/apictl").exists() or not any((dz.home / "data/apictl").glob("credentials*")), \
        "nothing is written to the credential store"


def test_many_parallel_steps_cause_one_exchange(dz, ref):
    configure(dz, exchange="token-exchange")
    github_actions(dz, ref)
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda _: dz.run("request", "GET", "/me"), range(10)))
    assert [r.code for r in results] == [0] * 10, results
    assert ci_state(ref)["counts"]["token-exchange"] == 1
    assert "forgot 1 kept token" in dz.run("credentials", "lock").err
    assert dz.run("request", "GET", "/me").code == 0
    assert ci_state(ref)["counts"]["token-exchange"] == 2, "after lock, the next process exchanges again"


def test_jwt_bearer_with_the_id_token_in_a_variable(dz, ref):
    configure(dz, exchange="jwt-bearer", id_token_env="DZDESK_ID_TOKEN", scopes=["requests:read"])
    dz.env["DZDESK_ID_TOKEN"] = id_token(ref)
    assert dz.run("request", "GET", "/me").code == 0
    sent = ci_state(ref)["exchanges"][-1]
    assert sent["style"] == "jwt-bearer" and sent["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert "subject_token_type" not in sent and sent["scope"] == "requests:read"
    assert "environment variable DZDESK_ID_TOKEN" in dz.run("whoami").out


def test_client_assertion_with_a_kubernetes_projected_token_file(dz, ref, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(id_token(ref) + "\n")
    configure(dz, exchange="client-assertion", client_id="ci-client", id_token_file=str(token_file))
    assert dz.run("request", "GET", "/me").code == 0
    sent = ci_state(ref)["exchanges"][-1]
    assert sent["grant_type"] == "client_credentials" and sent["client_id"] == "ci-client"
    assert sent["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert not sent["basic"]


def test_mint_the_pypi_way(dz, ref):
    configure(dz, exchange="mint", id_token_env="DZDESK_ID_TOKEN", mint="POST " + ref.url("dzdesk", "/oidc/mint-token"),
              mint_body={"token": "{id_token}"}, mint_token="/token", mint_expires_at="/expires")
    dz.env["DZDESK_ID_TOKEN"] = id_token(ref)
    who = dz.run("whoami", "--json")
    assert who.code == 0, who
    assert json.loads(who.out)["expires_in"] > 3000, "the expiry came from the mint answer's /expires"
    assert ci_state(ref)["exchanges"][-1] == {"style": "mint", "content_type": "application/json", "fields": ["token"]}


def test_client_authentication_comes_from_the_oauth_table(dz, ref):
    assert dz.run("profile", "add", "dz", "--force", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"),
                  "--oauth-token-url", ref.url("dzdesk", "/oauth/token"), "--oauth-client-id", "conf-app").code == 0
    configure(dz, exchange="token-exchange")
    github_actions(dz, ref)
    dz.env["DZDESK_CLIENT_SECRET"] = "s3cret-client"
    assert dz.run("request", "GET", "/me").code == 0
    sent = ci_state(ref)["exchanges"][-1]
    assert sent["basic"] and sent["client"] == "conf-app"


def test_a_401_re_exchanges_once_and_retries(dz, ref):
    configure(dz, exchange="token-exchange", token_url=ref.url("dzdesk", "/oauth/ci/token"))
    github_actions(dz, ref)
    ref.admin("/ci", {"expires_in_string": True})
    token = dz.run("token", "print").out.strip()
    ref.admin("/keys/revoke", {"token": token})
    result = dz.run("request", "GET", "/me")
    assert result.code == 0, result
    assert ci_state(ref)["counts"]["token-exchange"] == 2
    assert dz.run("token", "print").out.strip() != token


def test_login_ci_says_what_it_used_and_stores_nothing(dz, ref):
    configure(dz, exchange="token-exchange")
    github_actions(dz, ref)
    result = dz.run("login", "--ci")
    assert result.code == 0, result
    assert "GitHub Actions ID token" in result.err and "token-exchange" in result.err and "nothing stored" in result.err
    assert "expires in 59m" in result.err or "expires in 1h" in result.err
    assert dz.run("request", "GET", "/me").code == 0
    assert ci_state(ref)["counts"]["token-exchange"] == 1, "the request used the token login --ci kept"


def test_the_environment_and_token_command_come_first(dz, ref):
    configure(dz, exchange="token-exchange")
    github_actions(dz, ref)
    dz.env["DZDESK_TOKEN"] = ref.key("dzdesk", scopes=["requests:read"])
    assert json.loads(dz.run("whoami", "--json").out)["source"] == "environment"
    assert ci_state(ref)["counts"]["id_token"] == 0


def test_without_a_ci_token_source_the_store_is_used(dz, ref):
    configure(dz, exchange="token-exchange")
    result = dz.run("request", "GET", "/me", env={"APICTL_CREDENTIAL_STORE": "file", "APICTL_PASSPHRASE": "p" * 12})
    assert_one_line_error(result, 4, "no credential")


def test_doctor_names_the_ci_source(dz, ref):
    configure(dz, exchange="jwt-bearer")
    github_actions(dz, ref)
    out = dz.run("doctor", "--offline").out
    assert "CI identity (GitHub Actions ID token, jwt-bearer exchange)" in out
    assert "kept tokens" in out and "kernel user keyring" in out
    assert ci_state(ref)["counts"]["id_token"] == 0, "doctor does not exchange"


def test_secrets_stay_out_of_verbose_output(dz, ref):
    configure(dz, exchange="token-exchange")
    github_actions(dz, ref)
    result = dz.run("-v", "request", "GET", "/me")
    assert result.code == 0
    token = dz.run("token", "print").out.strip()
    for secret in (dz.env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"], token):
        assert secret not in result.out + result.err
    assert "Bearer [REDACTED]" in result.err


# --- refusals, each one line -------------------------------------------------------

def test_login_ci_outside_ci(dz, ref):
    configure(dz, exchange="token-exchange", id_token_env="DZDESK_ID_TOKEN")
    assert_one_line_error(dz.run("login", "--ci"), 4, "no CI identity token", "$DZDESK_ID_TOKEN")


def test_github_job_without_the_id_token_permission(dz, ref):
    configure(dz, exchange="token-exchange")
    assert_one_line_error(dz.run("login", "--ci", env={"GITHUB_ACTIONS": "true"}), 4, "id-token: write")


def test_the_ci_provider_refusing(dz, ref):
    configure(dz, exchange="token-exchange")
    github_actions(dz, ref)
    dz.env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "ghreq_not-the-right-one"
    assert_one_line_error(dz.run("request", "GET", "/me"), 4, "GitHub Actions refused", "401")


@pytest.mark.parametrize("claims, keys, fragment", [
    ({"audience": "https://elsewhere.test"}, {"exchange": "token-exchange", "audience": "https://elsewhere.test"}, "invalid_target"),
    ({"issuer": "https://evil.test"}, {"exchange": "jwt-bearer"}, "untrusted issuer"),
    ({}, {"exchange": "client-assertion", "client_id": "someone-else"}, "invalid_client"),
    ({"audience": "https://other.test"}, {"exchange": "mint", "mint": "MINT"}, "audience"),
])
def test_an_exchange_refused_names_the_reason(dz, ref, claims, keys, fragment):
    if keys.get("mint") == "MINT":
        keys = dict(keys, mint=ref.url("dzdesk", "/oidc/mint-token"))
    configure(dz, id_token_env="DZDESK_ID_TOKEN", **keys)
    dz.env["DZDESK_ID_TOKEN"] = id_token(ref, **claims)
    result = dz.run("request", "GET", "/me")
    assert_one_line_error(result, 4, "refused", fragment)


def test_exchange_server_and_network_failures(dz, ref):
    configure(dz, exchange="token-exchange", token_url=ref.url("dzdesk", "/oauth/ci/token"))
    github_actions(dz, ref)
    ref.admin("/ci", {"fail": 1})
    assert_one_line_error(dz.run("request", "GET", "/me"), 7, "503")
    assert dz.run("request", "GET", "/me").code == 0


def test_network_failure_at_the_token_endpoint(dz, ref):
    configure(dz, exchange="jwt-bearer", token_url="http://127.0.0.1:9/token", id_token_env="DZDESK_ID_TOKEN")
    dz.env["DZDESK_ID_TOKEN"] = id_token(ref)
    assert_one_line_error(dz.run("request", "GET", "/me"), 8, "could not connect")


@pytest.mark.parametrize("value, fragment", [("not-a-jwt", "is not a JWT"), (None, "expired")])
def test_an_id_token_that_is_not_a_jwt_or_has_expired(dz, ref, value, fragment):
    configure(dz, exchange="jwt-bearer", id_token_env="DZDESK_ID_TOKEN")
    dz.env["DZDESK_ID_TOKEN"] = value or id_token(ref, expires_in=-120)
    result = dz.run("request", "GET", "/me")
    assert_one_line_error(result, 4, "ID token in environment variable DZDESK_ID_TOKEN", fragment)
    assert ci_state(ref)["counts"]["jwt-bearer"] == 0, "refused before any exchange"


@pytest.mark.parametrize("keys, fragment", [
    ({"exchange": "sts"}, "is not one of"),
    ({"exchange": "token-exchange", "audience": ""}, "ci.audience is missing"),
    ({"exchange": "mint"}, "needs ci.mint"),
    ({"exchange": "client-assertion"}, "needs ci.client_id"),
])
def test_an_unworkable_ci_table_is_a_config_error(dz, ref, keys, fragment):
    configure(dz, **keys)
    assert_one_line_error(dz.run("request", "GET", "/me"), 3, fragment)


def test_no_token_endpoint_is_a_config_error(apictl, ref):
    assert apictl.run("profile", "add", "bare", "--auth", "bearer", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    with open(apictl.config_path, "a") as config:
        config.write(ci_table(exchange="jwt-bearer", audience=AUDIENCE).replace("profiles.dz.ci", "profiles.bare.ci"))
    assert_one_line_error(apictl.run("request", "GET", "/me"), 3, "no token endpoint")
