"""The TOML config file: environments, templates, where it is read from, and bad files."""
import json
import os
import stat
import subprocess

import pytest
from pathlib import Path

from conftest import APICTL, assert_one_line_error


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


def test_a_config_linked_from_a_dotfiles_folder_stays_a_link(apictl, tmp_path):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "apictl.toml"
    target.write_text('# work laptop\n[profiles.old]\nbase_url = "https://old.example.com"\nauth = "bearer"\n')
    target.chmod(0o640)
    apictl.config_path.parent.mkdir(parents=True, exist_ok=True)
    apictl.config_path.symlink_to(target)
    added = apictl.run("profile", "add", "new", "--base-url", "https://new.example.com")
    assert added.code == 0 and f"is in {dotfiles}/apictl.toml.bak" in added.err, added
    assert apictl.config_path.is_symlink() and apictl.config_path.resolve() == target
    text = target.read_text()
    assert "https://old.example.com" in text and "https://new.example.com" in text
    assert target.stat().st_mode & 0o777 == 0o640
    # The comments' copy is kept with the file it came from, not beside the link.
    assert sorted(p.name for p in dotfiles.iterdir()) == ["apictl.toml", "apictl.toml.bak"]
    assert "# work laptop" in (dotfiles / "apictl.toml.bak").read_text()
    assert sorted(p.name for p in apictl.config_path.parent.iterdir()) == ["config.toml"]


def test_a_config_that_cannot_be_read_is_an_error_not_an_empty_config(apictl):
    """Read as empty, the next rewrite would replace it, profiles and all."""
    apictl.config_path.parent.mkdir(parents=True, exist_ok=True)
    apictl.config_path.symlink_to(apictl.config_path.name)   # a loop: ELOOP, like EACCES a file that is there
    assert_one_line_error(apictl.run("profile", "list"), 3, "cannot read config file", "symbolic links")
    assert_one_line_error(apictl.run("profile", "add", "x", "--base-url", "https://x.example.com"), 3, "cannot read config file")
    assert apictl.config_path.is_symlink()


def test_a_config_that_is_no_regular_file_is_refused_and_dev_null_is_an_empty_one(apictl, tmp_path):
    fifo = tmp_path / "config.fifo"
    os.mkfifo(fifo)
    assert_one_line_error(apictl.run("--config", str(fifo), "profile", "list", timeout=10), 3, "not a regular file")
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    assert_one_line_error(apictl.run("--config", str(device), "profile", "add", "p", "--base-url", "https://p.example.com"), 3,
                          "not a regular file")
    assert stat.S_ISCHR(device.lstat().st_mode)
    # "No config": read as empty, and never rewritten.
    assert apictl.run("profile", "list", env={"APICTL_CONFIG": "/dev/null"}).code == 0


NOBODY = 65534


def original_text():
    return '[profiles.old]\nbase_url = "https://old.example.com"\nauth = "bearer"\n'


def steered_link(kind, tmp_path, config_path):
    """A config link that someone other than the user could steer; returns the file it ends at."""
    original = original_text()
    config_path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "device":   # a copy of /dev/null: a link to the real one must not replace it
        end = tmp_path / "null"
        os.mknod(end, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        config_path.symlink_to(end)
        return end
    end = tmp_path / "someone-elses.toml"
    end.write_text(original)
    if kind == "their link":        # the user's link leads through a link another user made
        shared = tmp_path / "shared"
        shared.mkdir(mode=0o1777)
        shared.chmod(0o1777)
        (shared / "team.toml").symlink_to(end)
        os.lchown(shared / "team.toml", NOBODY, NOBODY)
        config_path.symlink_to(shared / "team.toml")
    elif kind == "their link itself":
        config_path.symlink_to(end)
        os.lchown(config_path, NOBODY, NOBODY)
    elif kind == "their file":       # root would take the file over
        os.chown(end, NOBODY, NOBODY)
        config_path.symlink_to(end)
    elif kind == "their folder":     # they could swap the folder between the check and the rename
        folder = tmp_path / "theirs"
        folder.mkdir()
        end = folder / "apictl.toml"
        end.write_text(original)
        os.chown(folder, NOBODY, NOBODY)
        config_path.symlink_to(end)
    return end


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give files to another user")
@pytest.mark.parametrize("kind", ["their link", "their link itself", "their file", "their folder", "device"])
def test_a_config_link_someone_else_could_steer_is_replaced_not_written_through(apictl, tmp_path, kind):
    end = steered_link(kind, tmp_path, apictl.config_path)
    before = end.lstat()
    result = apictl.run("profile", "add", "new", "--base-url", "https://new.example.com", "--auth", "bearer")
    after = end.lstat()
    assert (after.st_mode, after.st_uid, after.st_ino) == (before.st_mode, before.st_uid, before.st_ino)
    if kind == "device":   # not read as a config either
        assert_one_line_error(result, 3, "not a regular file")
        assert apictl.config_path.is_symlink()
        return
    assert result.code == 0 and end.read_text() == original_text(), result
    assert not apictl.config_path.is_symlink() and "https://new.example.com" in apictl.config_path.read_text()
    assert stat.S_IMODE(apictl.config_path.stat().st_mode) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give files to another user")
def test_a_config_in_someone_elses_folder_or_of_theirs_is_not_rewritten(apictl, tmp_path):
    original = '[profiles.old]\nbase_url = "https://old.example.com"\nauth = "bearer"\n'
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "config.toml").write_text(original)
    os.chown(theirs, NOBODY, NOBODY)   # they could swap the folder between a check and the rename
    result = apictl.run("--config", str(theirs / "config.toml"), "profile", "add", "x", "--base-url", "https://x.example.com")
    assert_one_line_error(result, 3, "not rewriting config file", "belongs to another user (uid 65534)")
    assert (theirs / "config.toml").read_text() == original and sorted(p.name for p in theirs.iterdir()) == ["config.toml"]
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "config.toml").write_text(original)
    os.chown(mine / "config.toml", NOBODY, NOBODY)   # root's rewrite would take their file over
    result = apictl.run("--config", str(mine / "config.toml"), "profile", "add", "x", "--base-url", "https://x.example.com")
    assert_one_line_error(result, 3, "belongs to another user")
    assert (mine / "config.toml").stat().st_uid == NOBODY and (mine / "config.toml").read_text() == original


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give files to another user")
def test_a_config_folder_someone_else_made_first_in_tmp_is_not_written_in(apictl, tmp_path):
    """The config's folder is made before the check: one another user made first (a race in a
    sticky /tmp) is what the check sees, and refuses."""
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    theirs = sticky / "ci-config"
    theirs.mkdir()
    theirs.chmod(0o777)
    os.chown(theirs, NOBODY, NOBODY)
    result = apictl.run("profile", "add", "x", "--base-url", "https://x.example.com", env={"XDG_CONFIG_HOME": str(theirs)})
    assert_one_line_error(result, 3, "not rewriting config file", f"{theirs} belongs to another user (uid 65534)")
    assert list(theirs.iterdir()) == []   # refused before any folder is made


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give files to another user")
def test_root_makes_no_folder_in_another_users_home(apictl, tmp_path):
    """`sudo` keeping HOME, or a CI container as root with the workspace's HOME: a root-owned
    ~/.config would lock the user out of their own folder."""
    home = tmp_path / "their-home"
    home.mkdir()
    os.chown(home, NOBODY, NOBODY)
    env = {"HOME": str(home), "XDG_CONFIG_HOME": ""}
    result = apictl.run("profile", "add", "x", "--base-url", "https://x.example.com", env=env)
    assert_one_line_error(result, 3, "not rewriting config file", f"{home} belongs to another user")
    assert list(home.iterdir()) == []


def test_a_folder_others_may_write_through_group_bits_or_an_acl_is_refused(apictl, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o770)   # an ACL entry granting someone write shows here too, as the group bits
    result = apictl.run("--config", str(shared / "config.toml"), "profile", "add", "x", "--base-url", "https://x.example.com")
    assert_one_line_error(result, 3, "not rewriting config file", f"{shared} can be changed by other users", f"chmod go-w {shared}")
    assert list(shared.iterdir()) == []


@pytest.mark.parametrize("spelling", ["/./dev/shm/{name}", "/tmp/../dev/shm/{name}", "{link}/shm/{name}"])
def test_a_config_under_dev_is_refused_however_the_path_is_spelt(apictl, tmp_path, spelling):
    name = f"apictl-test-{os.getpid()}-{abs(hash(spelling))}.toml"
    real = Path("/dev/shm") / name
    real.write_text('[profiles.old]\nbase_url = "https://old.example.com"\nauth = "bearer"\n')
    (tmp_path / "l").symlink_to("/dev")
    try:
        given = spelling.format(name=name, link=tmp_path / "l")
        result = apictl.run("--config", given, "profile", "add", "x", "--base-url", "https://x.example.com")
        assert_one_line_error(result, 3, "under /dev, /proc or /sys")
        assert "x.example.com" not in real.read_text()
    finally:
        real.unlink()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give files to another user")
def test_a_config_of_another_user_is_warned_about_and_a_refused_rewrite_changes_no_store(apictl, ref):
    env = {"APICTL_CREDENTIAL_STORE": "file", "APICTL_PASSPHRASE": "correct horse battery staple"}
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    assert apictl.run("login", "-p", "dz", "--with-token", "--no-verify", input="kept-key", env=env).code == 0
    os.chown(apictl.config_path, NOBODY, NOBODY)
    printed = apictl.run("token", "print", "-p", "dz", env=env)
    assert printed.code == 0 and "belongs to another user (uid 65534)" in printed.err and "run commands as you" in printed.err
    # Looking at the profiles is using the file too: the warning comes once, with the listing.
    for args in (["profile", "list"], ["profile", "show", "dz"], ["account", "list", "-p", "dz"]):
        shown = apictl.run(*args, env=env)
        assert shown.code == 0 and "dz" in shown.out and shown.err.count("belongs to another user (uid 65534)") == 1, shown
    doctor = apictl.run("doctor", "--offline", env=env)
    assert doctor.code == 3 and "config trust" in doctor.out and "belongs to another user (uid 65534)" in doctor.out, doctor
    assert_one_line_error(apictl.run("profile", "remove", "dz", env=env), 3, "not rewriting config file", "belongs to another user")
    assert apictl.run("token", "print", "-p", "dz", env=env).out.strip() == "kept-key"


def test_a_comment_copy_that_cannot_be_made_stops_the_rewrite(apictl):
    commented = '# mine\n[profiles.old]\nbase_url = "https://old.example.com"\nauth = "bearer"\n'
    apictl.config_path.parent.mkdir(parents=True, exist_ok=True)
    apictl.config_path.write_text(commented)
    (apictl.config_path.parent / "config.toml.bak").mkdir()   # someone else's name in a shared folder, say
    assert_one_line_error(apictl.run("profile", "add", "x", "--base-url", "https://x.example.com"), 3, "comments could not be kept")
    assert apictl.config_path.read_text() == commented


def test_a_config_under_dev_is_never_rewritten(apictl, tmp_path):
    given = tmp_path / "given.toml"
    given.write_text('[profiles.old]\nbase_url = "https://old.example.com"\nauth = "bearer"\n')
    with open(given) as stdin:
        result = subprocess.run([APICTL, "--config", "/dev/stdin", "profile", "add", "x", "--base-url", "https://x.example.com"],
                                stdin=stdin, capture_output=True, text=True, env=apictl.env, timeout=20)
    assert result.returncode == 3 and "under /dev" in result.stderr, result
    assert "https://x.example.com" not in given.read_text()


def test_invalid_base_url_rejected(apictl):
    # given on the command line, a bad URL is the flag's fault (issue 26): exit 2 naming it
    assert_one_line_error(apictl.run("profile", "add", "x", "--base-url", "ftp://files.example.com"), 2, "--base-url")
    assert_one_line_error(apictl.run("profile", "add", "x", "--base-url", "http://h:99999/"), 2, "--base-url")


def test_unknown_keys_are_told_with_the_nearest_known_key(apictl):
    apictl.config_path.parent.mkdir(parents=True, exist_ok=True)
    apictl.config_path.write_text('[profiles.x]\nauth = "bearer"\nbase_url = "https://api.example.com"\n'
                                  'tokenenv = "X_TOKEN"\nwhoammi = "/me"\n[profiles.x.paginaton]\nitems = "/data"\n'
                                  '[profiles.x.vars]\nanything = "goes"\n')
    result = apictl.run("whoami", "-p", "x")
    assert "unknown key 'tokenenv' in [profiles.x], ignored; did you mean 'token_env'?" in result.err, result
    assert "unknown key 'whoammi' in [profiles.x], ignored; did you mean 'whoami'?" in result.err
    assert "unknown key 'paginaton' in [profiles.x], ignored; did you mean 'pagination'?" in result.err
    assert "anything" not in result.err, "vars are the user's own keys"
    # a file with only known keys says nothing of the kind
    apictl.config_path.write_text('[profiles.x]\nauth = "bearer"\nbase_url = "https://api.example.com"\n')
    assert "unknown key" not in apictl.run("whoami", "-p", "x").err


@pytest.mark.parametrize("text,line,words", [
    ('[profiles.x]\nauth = "bearer\n', 2, "a string is not closed"),
    ('[profiles.x]\nauth = bearer\n', 2, "text needs quotes"),
    ('[profiles.x\nauth = "bearer"\n', 1, "table header"),
    ('[profiles.x]\nauth = "a"\nauth = "b"\n', 3, "'auth' is set twice"),
])
def test_parse_errors_are_in_plain_words_with_line_and_column(apictl, text, line, words):
    apictl.config_path.parent.mkdir(parents=True)
    apictl.config_path.write_text(text)
    result = apictl.run("profile", "list")
    assert_one_line_error(result, 3, f"line {line}, column", words)
    assert "Error while parsing" not in result.err and "explicitly prohibited" not in result.err


def test_no_at_the_production_prompt_is_exit_2_and_sends_nothing(apictl, ref):
    production = ref.url("pocketdns", host="api.localhost")
    apictl.run("profile", "add", "pdns", "--preset", "pocketdns", "--env-url", f"production={production}")
    env = {"POCKETDNS_API_KEY": ref.key("pocketdns", env="production", name="prod")}
    before = len(ref.log())
    result = apictl.converse("request", "POST", "/api/v1/zones", "name=example.org", "-e", "production", env=env,
                             steps=[("[y/N]", b"n\n")])
    assert result.code == 2 and "not confirmed; nothing was sent" in result.out, result
    assert not [entry for entry in ref.log()[before:] if entry.get("method") == "POST"]


@pytest.mark.parametrize("name", ["../up", "a/b", "bad\x1b[2Jname", ".hidden"])
def test_an_environment_name_that_could_leave_a_folder_or_repaint_is_a_config_error(apictl, name):
    apictl.config_path.parent.mkdir(parents=True, exist_ok=True)
    quoted = name.replace("\x1b", "\\u001b")   # TOML's escape, so the file itself holds no ESC
    apictl.config_path.write_text('[profiles.p]\nauth = "bearer"\n'
                                  f'[profiles.p.environments."{quoted}"]\nbase_url = "https://api.example.test"\n')
    result = apictl.run("profile", "list")
    assert_one_line_error(result, 3, "environments", "is not valid")
    assert "\x1b" not in result.err


@pytest.mark.parametrize("url", ["https://api.example.test/\\u001b[2Jv1", "https://api.example.test/\\u009bv1", "https://api.example .test"])
def test_a_base_url_with_a_control_character_or_space_is_a_config_error(apictl, url):
    apictl.config_path.parent.mkdir(parents=True, exist_ok=True)
    apictl.config_path.write_text(f'[profiles.p]\nauth = "bearer"\nbase_url = "{url}"\n')
    for args in (["profile", "list"], ["profile", "show", "p"]):
        result = apictl.run(*args)
        assert_one_line_error(result, 3, "base_url", "space or control character")
        assert "\x1b" not in result.err and "\u009b" not in result.err


def test_a_config_others_may_write_is_warned_about_when_it_is_rewritten_too(apictl):
    """Its own mode lets others write: the rewrite goes through, keeping the mode, and says so once."""
    assert apictl.run("profile", "add", "a", "--base-url", "https://a.example.com").code == 0
    apictl.config_path.chmod(0o664)
    for args in (["profile", "add", "b", "--base-url", "https://b.example.com"], ["profile", "use", "b"],
                 ["profile", "set", "b", "--header", "X-A: 1"], ["profile", "remove", "a"]):
        result = apictl.run(*args)
        assert result.code == 0 and result.err.count("can be changed by other users") == 1, (args, result)
    assert apictl.config_path.stat().st_mode & 0o777 == 0o664
