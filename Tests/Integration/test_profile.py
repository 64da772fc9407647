"""`apictl profile add/list/show/use/remove` and the presets."""
import json

import pytest

from conftest import assert_one_line_error
PRESETS = ["datadocks", "techdocs", "datasets", "pocketdns", "dzdesk"]


def test_profile_add_list_show_use_remove(apictl):
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk").code == 0
    assert apictl.run("profile", "add", "own", "--base-url", "https://api.example.com/v2", "--auth", "header:X-API-Key",
                      "--token-env", "OWN_KEY", "--whoami", "/me").code == 0
    listing = apictl.run("profile", "list")
    assert listing.code == 0
    assert "*  dz" in listing.out and "header:X-API-Key" in listing.out and "https://api.example.com/v2" in listing.out
    shown = json.loads(apictl.run("profile", "show", "own", "--json").out)
    assert shown == {"name": "own", "auth": "header:X-API-Key", "base_url": "https://api.example.com/v2",
                     "token_env": "OWN_KEY", "whoami": "/me", "default": False, "url": "https://api.example.com/v2"}
    assert apictl.run("profile", "use", "own").code == 0
    assert json.loads(apictl.run("profile", "list", "--json").out)[1]["default"] is True
    assert apictl.run("profile", "remove", "own").code == 0
    assert [p["name"] for p in json.loads(apictl.run("profile", "list", "--json").out)] == ["dz"]
    assert "default_profile" not in apictl.config_path.read_text()


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_makes_a_profile(apictl, preset):
    extra = {"datadocks": ["--var", "subdomain=toronto-acme"],
             "datasets": ["--var", "host=api.example.com", "--var", "company_id=42"]}.get(preset, [])
    result = apictl.run("profile", "add", "p", "--preset", preset, *extra)
    assert result.code == 0, result
    shown = json.loads(apictl.run("profile", "show", "p", "--json").out)
    assert shown["preset"] == preset and shown["whoami"] and shown["token_env"]


def test_preset_with_missing_var_names_it(apictl):
    assert_one_line_error(apictl.run("profile", "add", "dd", "--preset", "datadocks"), 3, "{subdomain}",
                          "add --var subdomain=VALUE to this command")
    assert not apictl.config_path.exists()


def test_existing_profile_needs_force(apictl):
    apictl.run("profile", "add", "dz", "--preset", "dzdesk")
    assert_one_line_error(apictl.run("profile", "add", "dz", "--preset", "techdocs"), 3, "already exists", "--force")
    assert apictl.run("profile", "add", "dz", "--preset", "techdocs", "--force").code == 0
    assert json.loads(apictl.run("profile", "show", "dz", "--json").out)["preset"] == "techdocs"


def test_unknown_profile_suggests(apictl):
    apictl.run("profile", "add", "dzdesk", "--preset", "dzdesk")
    assert_one_line_error(apictl.run("request", "GET", "/me", "-p", "dzdsk"), 3, "unknown profile 'dzdsk'", "did you mean 'dzdesk'?")
    assert_one_line_error(apictl.run("profile", "show", "nope"), 3, "unknown profile 'nope'")
    assert_one_line_error(apictl.run("whoami", env={"APICTL_PROFILE": "ghost"}), 3, "unknown profile 'ghost'")


def test_profile_remove_takes_its_credentials_with_it(apictl, ref):
    apictl.env.update({"APICTL_PASSPHRASE": "correct horse battery staple", "APICTL_CREDENTIAL_STORE": "file"})
    base = ref.url("pocketdns", "")
    assert apictl.run("profile", "add", "p", "--base-url", base, "--env-url", f"sandbox={base}", "--env-url",
                      f"production={base}", "--default-env", "sandbox", "--whoami", "/api/v1/users/me").code == 0
    for env in ("sandbox", "production"):
        assert apictl.run("login", "-p", "p", "-e", env, "--with-token", "--no-verify", input=f"{env}-key-123").code == 0
    result = apictl.run("profile", "remove", "p")
    assert result.code == 0 and "removed 2 stored credentials" in result.err, result
    assert apictl.run("profile", "add", "p", "--base-url", base, "--env-url", f"sandbox={base}").code == 0
    assert_one_line_error(apictl.run("token", "print", "-p", "p", "-e", "sandbox"), 4, "no credential")


def test_profile_remove_keep_credentials_says_so(apictl, ref):
    apictl.env.update({"APICTL_PASSPHRASE": "correct horse battery staple", "APICTL_CREDENTIAL_STORE": "file"})
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    assert apictl.run("login", "--with-token", "--no-verify", input="kept-key-1234").code == 0
    result = apictl.run("profile", "remove", "dz", "--keep-credentials")
    assert result.code == 0 and "kept (--keep-credentials)" in result.err


def test_profile_set_changes_only_what_is_given(apictl):
    apictl.run("profile", "add", "acme", "--preset", "datadocks", "--var", "subdomain=toronto")
    before = json.loads(apictl.run("profile", "show", "acme", "--json").out)
    changed = apictl.run("profile", "set", "acme", "--var", "subdomain=montreal", "--whoami", "/me", "--unset", "token-env")
    assert changed.code == 0 and "https://montreal.datadocks.com/api/v1" in changed.err, changed
    after = json.loads(apictl.run("profile", "show", "acme", "--json").out)
    assert after["whoami"] == "/me" and "token_env" not in after
    assert after["vars"] == {"subdomain": "montreal"}
    assert after["headers"] == before["headers"] and after["pagination"] == before["pagination"]
    assert apictl.run("profile", "set", "acme").err.strip() == "profile 'acme' is unchanged"


def test_profile_set_adds_an_environment_and_keeps_the_single_base_url(apictl):
    apictl.run("profile", "add", "own", "--base-url", "https://api.example.com/v1")
    assert apictl.run("profile", "set", "own", "--env-url", "staging=https://staging.example.com/v1").code == 0
    assert "https://api.example.com/v1" in apictl.run("profile", "list").out
    dry = apictl.run("request", "GET", "/x", "-e", "staging", "--dry-run")
    assert "https://staging.example.com/v1/x" in dry.out, dry


def test_profile_set_refuses_what_it_does_not_know(apictl):
    apictl.run("profile", "add", "own", "--base-url", "https://api.example.com/v1")
    assert_one_line_error(apictl.run("profile", "set", "own", "--unset", "tokenenv"), 2, "--unset", "'token-env'")
    assert_one_line_error(apictl.run("profile", "set", "own", "--base-url", "ftp://x"), 2, "--base-url")
    assert_one_line_error(apictl.run("profile", "set", "nope", "--whoami", "/me"), 3, "unknown profile 'nope'")
    assert_one_line_error(apictl.run("profile", "set", "own", "-H", "Authorization: Bearer x"), 2, "carries a secret")


def test_hints_that_edit_a_profile_work_when_followed(apictl, ref):
    """Each hint names 'profile set'; running the hinted command removes the error."""
    apictl.run("profile", "add", "dz", "--base-url", ref.url("dzdesk", "/v1"))
    missing_env = apictl.run("whoami", "-e", "staging")
    assert "apictl profile set dz --env-url staging=URL" in missing_env.err, missing_env
    assert apictl.run("profile", "set", "dz", "--env-url", f"staging={ref.url('dzdesk', '/v1')}").code == 0
    no_whoami = apictl.run("whoami", "-e", "staging", env={"APICTL_TOKEN": ref.key("dzdesk")})
    assert "apictl profile set dz --whoami /me" in no_whoami.err, no_whoami
    assert apictl.run("profile", "set", "dz", "--whoami", "/me").code == 0
    assert apictl.run("whoami", "-e", "staging", env={"APICTL_TOKEN": ref.key("dzdesk")}).code == 0

    # A profile that lost its var (edited by hand): profile set itself refuses to save one.
    refused = apictl.run("profile", "set", "dz", "--base-url", "https://{subdomain}.example.com/v1")
    assert_one_line_error(refused, 3, "{subdomain}", "apictl profile set dz --var subdomain=VALUE")
    with apictl.config_path.open("a") as config:
        config.write("\n[profiles.dd]\nauth = 'bearer'\nbase_url = 'https://{subdomain}.example.com/v1'\n")
    missing_var = apictl.run("request", "GET", "/x", "-p", "dd", "--dry-run")
    assert "apictl profile set dd --var subdomain=VALUE" in missing_var.err, missing_var
    assert apictl.run("profile", "set", "dd", "--var", "subdomain=b").code == 0
    assert "https://b.example.com/v1/x" in apictl.run("request", "GET", "/x", "-p", "dd", "--dry-run").out


def test_preset_with_base_url_moves_its_oauth_endpoints(apictl, ref):
    added = apictl.run("profile", "add", "td", "--preset", "techdocs", "--base-url", ref.url("techdocs", "/v1"))
    assert added.code == 0, added
    assert f"token {ref.url('techdocs', '/oauth/token')}" in added.err, added
    oauth = json.loads(apictl.run("profile", "show", "td", "--json").out)["oauth"]
    assert oauth["authorize_url"] == ref.url("techdocs", "/oauth/authorize")


def test_profile_list_shows_resolved_urls_and_where_each_credential_is(apictl, ref):
    apictl.run("profile", "add", "toronto", "--preset", "datadocks", "--var", "subdomain=toronto")
    apictl.run("profile", "add", "montreal", "--preset", "datadocks", "--var", "subdomain=montreal")
    apictl.run("profile", "add", "dz", "--base-url", ref.url("dzdesk", "/v1"), "--token-env", "DZ_KEY")
    assert apictl.run("login", "-p", "dz", "--with-token", "--no-verify", input="k" * 20,
                      env={"APICTL_CREDENTIAL_STORE": "file", "APICTL_PASSPHRASE": "pw"}).code == 0
    listing = apictl.run("profile", "list", env={"APICTL_CREDENTIAL_STORE": "file", "APICTL_PASSPHRASE": "pw",
                                                 "DATADOCKS_API_TOKEN": "x" * 20})
    lines = listing.out.splitlines()
    assert lines[0].split() == ["NAME", "AUTH", "URL", "CREDENTIAL"]
    rows = {line.replace("*", " ", 1).split()[0]: line for line in lines[1:]}
    assert "https://toronto.datadocks.com/api/v1" in rows["toronto"] and "https://montreal.datadocks.com/api/v1" in rows["montreal"]
    assert "environment variable DATADOCKS_API_TOKEN" in rows["toronto"]
    assert rows["dz"].rstrip().endswith("encrypted file")
    # aligned: every row's URL starts in the header's URL column
    column = lines[0].index("URL")
    assert all(line[column:column + 4] == "http" for line in lines[1:]), listing.out
    locked = apictl.run("profile", "list", "--json", env={"APICTL_CREDENTIAL_STORE": "file"})
    assert "locked" in {p["name"]: p for p in json.loads(locked.out)}["dz"]["credential"]


def test_profile_show_prints_every_table(apictl, ref):
    apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--env-url", "sandbox=https://sandbox.example.com/v1",
               "--env-key-prefix", "sandbox=sk_test_", "--env-confirm", "sandbox")
    shown = apictl.run("profile", "show", "dz")
    for table in ("[profiles.dz.pagination]", "[profiles.dz.oauth]", "[profiles.dz.tokens]", "[profiles.dz.tokens.create_body]",
                  "[profiles.dz.environments.sandbox]", "key_prefix = 'sk_test_'", "confirm = true"):
        assert table in shown.out, (table, shown.out)
    assert "create_body:" not in shown.out
    as_json = json.loads(apictl.run("profile", "show", "dz", "--json").out)
    assert as_json["tokens"]["create_body"]["name"] == "{name}" and as_json["pagination"]["items"] == "/data"


def test_login_and_whoami_name_the_user_the_same_way(apictl, ref):
    """Issue 33: one identity, from the same code: username, else email, else name, else id."""
    apictl.env.update({"APICTL_PASSPHRASE": "correct horse battery staple", "APICTL_CREDENTIAL_STORE": "file"})
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    login = apictl.run("login", "--with-token", input=ref.key("dzdesk", scopes=["requests:read"]))
    assert login.code == 0 and "as user@company.com;" in login.err, login
    who = apictl.run("whoami")
    assert "identity:    user@company.com, id user_123, role agent" in who.out, who.out


def test_a_url_with_a_password_or_a_key_never_reaches_the_config(apictl):
    for url in ("https://user:hunter2-secret@api.u.test/v1", "https://api.u.test/v1?api_key=hunter2-secret"):
        result = apictl.run("profile", "add", "u", "--base-url", url)
        assert result.code == 2 and "holds" in result.err and "hunter2-secret" not in result.err, result
        assert not apictl.config_path.exists() or "hunter2" not in apictl.config_path.read_text()
    apictl.config_path.parent.mkdir(parents=True, exist_ok=True)
    apictl.config_path.write_text('[profiles.u]\nauth = "basic"\nbase_url = "https://user:hunter2-secret@api.u.test"\n')
    result = apictl.run("profile", "list")
    assert_one_line_error(result, 3, "base_url holds a password")
    assert "hunter2-secret" not in result.err


def test_a_base_url_given_with_environments_becomes_the_default_environment(apictl):
    assert apictl.run("profile", "add", "both", "--base-url", "https://api.a.test/v1",
                      "--env-url", "staging=https://staging.a.test/v1").code == 0
    shown = json.loads(apictl.run("profile", "show", "both", "--json").out)
    environments = shown.get("environments") or shown["profile"]["environments"]
    assert environments["default"]["base_url"] == "https://api.a.test/v1", shown
    assert environments["staging"]["base_url"] == "https://staging.a.test/v1", shown


def test_a_rewrite_drops_no_setting_and_keeps_a_copy_of_the_comments(apictl):
    apictl.config_path.parent.mkdir(parents=True, exist_ok=True)
    text = ('# my notes\n[profiles.a]\nauth = "bearer"\nbase_url = "https://a.test"  # prod\ntoken_evn = "X"\n'
            '[profiles.b]\nauth = "bearer"\nbase_url = "https://b.test"\n')
    apictl.config_path.write_text(text)
    refused = apictl.run("profile", "use", "b")
    assert refused.code == 3 and "token_evn" in refused.err and "rewriting it would drop them" in refused.err, refused
    assert apictl.config_path.read_text() == text
    apictl.config_path.write_text(text.replace('token_evn = "X"\n', ""))
    used = apictl.run("profile", "use", "b")
    backup = apictl.config_path.with_name("config.toml.bak")
    assert used.code == 0 and f"cannot keep comments; the file as it was, yours included, is in {backup}" in used.err, used
    assert "# my notes" in backup.read_text() and "# prod" in backup.read_text()
    assert "default_profile = 'b'" in apictl.config_path.read_text()
    assert "comments" not in apictl.run("profile", "use", "a").err   # nothing of the user's left to copy
