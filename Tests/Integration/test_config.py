"""Profiles in the TOML config: presets, environments, templates, and bad files."""
import json
import os

import pytest

from conftest import assert_one_line_error

PRESETS = ["datadocks", "techdocs", "datasets", "pocketdns", "dzdesk"]


def test_profile_add_list_show_use_remove(apictl):
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk").code == 0
    assert apictl.run("profile", "add", "own", "--base-url", "https://api.example.com/v2", "--auth", "header:X-API-Key",
                      "--token-env", "OWN_KEY", "--whoami", "/me").code == 0
    listing = apictl.run("profile", "list")
    assert listing.code == 0
    assert "* dz" in listing.out and "header:X-API-Key" in listing.out and "https://api.example.com/v2" in listing.out
    shown = json.loads(apictl.run("profile", "show", "own", "--json").out)
    assert shown == {"name": "own", "auth": "header:X-API-Key", "base_url": "https://api.example.com/v2",
                     "token_env": "OWN_KEY", "whoami": "/me", "default": False}
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
    assert_one_line_error(apictl.run("profile", "add", "dd", "--preset", "datadocks"), 3, "{subdomain}", "--var subdomain=")
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


def test_environments_select_base_url(apictl, ref):
    sandbox, production = ref.url("pocketdns", host="sandbox.localhost"), ref.url("pocketdns", host="api.localhost")
    assert apictl.run("profile", "add", "pdns", "--preset", "pocketdns", "--env-url", f"sandbox={sandbox}",
                      "--env-url", f"production={production}").code == 0
    key = ref.key("pocketdns", env="production", name="prod")
    env = {"POCKETDNS_API_KEY": key}
    # the preset's default environment is the sandbox: a production key is never sent there
    assert_one_line_error(apictl.run("request", "GET", "/api/v1/users/me", env=env), 4, "looks like a 'production' key",
                          "'sandbox' environment")
    result = apictl.run("request", "GET", "/api/v1/users/me", "-e", "production", env=env)
    assert result.code == 0 and json.loads(result.out)["environment"] == "production"
    result = apictl.run("request", "GET", "/api/v1/users/me", env=dict(env, APICTL_ENV="production"))
    assert result.code == 0
    assert_one_line_error(apictl.run("request", "GET", "/x", "-e", "staging", env=env), 3, "no environment 'staging'")


def test_config_never_holds_a_secret(apictl):
    result = apictl.run("profile", "add", "x", "--base-url", "https://api.example.com", "-H", "Authorization: Bearer sekrit")
    assert_one_line_error(result, 2, "carries a secret")
    result = apictl.run("profile", "add", "x", "--base-url", "https://api.example.com", "--auth", "header:X-API-Key",
                        "-H", "X-API-Key: sekrit")
    assert_one_line_error(result, 2, "carries a secret")
    assert not apictl.config_path.exists() or "sekrit" not in apictl.config_path.read_text()


def write_config(apictl, text):
    apictl.config_path.parent.mkdir(parents=True, exist_ok=True)
    apictl.config_path.write_text(text)


def test_malformed_config_names_file_and_line(apictl):
    write_config(apictl, 'default_profile = "a"\n\n[profiles.a]\nauth = "bearer"\nbase_url = "https://x\n')
    result = apictl.run("profile", "list")
    assert_one_line_error(result, 3, str(apictl.config_path), "line 5")


@pytest.mark.parametrize("text, fragment", [
    ('[profiles.a]\nauth = 7\nbase_url = "https://x"\n', "profiles.a.auth: expected a string, found an integer"),
    ('[profiles.a]\nauth = "magic"\nbase_url = "https://x"\n', "is not one of"),
    ('[profiles.a]\nauth = "bearer"\n', "neither base_url nor environments"),
    ('default_profile = "b"\n[profiles.a]\nauth = "bearer"\nbase_url = "https://x"\n', "names no profile"),
    ('credential_store = "cloud"\n', "credential_store"),
    ('\x00\x01garbage', "is not UTF-8 text"),
])
def test_invalid_config_values(apictl, text, fragment):
    write_config(apictl, text)
    assert_one_line_error(apictl.run("request", "GET", "/x"), 3, fragment)


def test_config_path_option_and_env(apictl, tmp_path):
    other = tmp_path / "elsewhere.toml"
    assert apictl.run("--config", str(other), "profile", "add", "a", "--preset", "dzdesk").code == 0
    assert other.exists() and not apictl.config_path.exists()
    assert "a" in apictl.run("profile", "list", env={"APICTL_CONFIG": str(other)}).out


def test_invalid_base_url_rejected(apictl):
    assert_one_line_error(apictl.run("profile", "add", "x", "--base-url", "ftp://files.example.com"), 3, "invalid base URL")
    assert_one_line_error(apictl.run("profile", "add", "x", "--base-url", "http://h:99999/"), 3, "invalid base URL")
