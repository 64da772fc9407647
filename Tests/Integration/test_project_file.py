"""A project's `.apictl.toml` (issue 37): found in the working directory or a parent, choosing
only among the user's own profiles, environments and accounts, and refused with exit 3 when
it tries anything else or could have been written by someone else."""
import json
import os
import subprocess

import pytest

from conftest import APICTL, assert_one_line_error


@pytest.fixture
def project(apictl, ref, tmp_path):
    """Profiles dz (two accounts in the encrypted file) and other; a project under $HOME."""
    apictl.env.update(APICTL_PASSPHRASE="pass-word", APICTL_CREDENTIAL_STORE="file")
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    assert apictl.run("profile", "add", "other", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    apictl.tokens = {"default": ref.key("dzdesk", email="ada@home.test"), "work": ref.key("dzdesk", email="ada@work.test")}
    for account, token in apictl.tokens.items():
        assert apictl.run("login", "-p", "dz", "-a", account, "--with-token", input=token).code == 0
    root = apictl.home / "projects/api"
    (root / "src/deep").mkdir(parents=True)
    apictl.project = root
    apictl.inside = root / "src/deep"
    return apictl


# Planting a file as another user needs root (CI and this machine run as root).
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")


def write(path, text, mode=0o644):
    path.write_text(text)
    os.chmod(path, mode)


def test_a_file_in_a_parent_chooses_profile_and_account_and_says_so(project, ref):
    file = project.project / ".apictl.toml"
    write(file, 'profile = "dz"\naccount = "work"\n')
    assert project.run("token", "print", cwd=project.inside).out.strip() == project.tokens["work"]
    who = project.run("whoami", cwd=project.inside)
    assert who.code == 0 and f"profile:     dz (from {file})" in who.out and f"account:     work (from {file})" in who.out, who
    assert "ada@work.test" in who.out
    preview = project.run("request", "GET", "/me", "--dry-run", cwd=project.inside)
    assert f"# profile: dz (from {file})" in preview.err, preview
    doctor = project.run("doctor", "--offline", cwd=project.inside)
    assert f"selected:      profile dz (from {file}), account work (from {file})" in doctor.out, doctor
    # a flag or variable still wins, and the project's account belongs to its profile only
    assert project.run("token", "print", "-a", "default", cwd=project.inside).out.strip() == project.tokens["default"]
    flagged = project.run("request", "GET", "/me", "--dry-run", "-p", "other", cwd=project.inside)
    assert "# profile: other (from -p)" in flagged.err and "# account: default\n" in flagged.err, flagged
    # outside the project the user's own default applies
    outside = project.run("whoami", cwd=project.home)
    assert "profile:     dz (from default_profile)" in outside.out and "account:     default\n" in outside.out, outside
    # the audit record says what chose
    lines = [json.loads(l) for l in (project.home / ".local/state/apictl/audit.jsonl").read_text().splitlines()]
    assert {(l["chosen_by"], l["account"]) for l in lines} == {(".apictl.toml", "work"), ("default", "default")}


@pytest.mark.parametrize("hostile", [
    'base_url = "https://evil.example"',
    'token_command = "touch /tmp/apictl-pwned"',
    '[profiles.dz]\nbase_url = "https://evil.example"',
    'headers = { "X-Steal" = "1" }',
    'profile = "dz"\noauth = { token_url = "https://evil.example/token" }',
])
def test_a_hostile_file_is_refused_before_anything_is_sent(project, ref, hostile):
    file = project.project / ".apictl.toml"
    write(file, ('profile = "dz"\n' if not hostile.startswith("profile") else "") + hostile + "\n")
    since = len(ref.log())
    result = project.run("request", "GET", "/me", cwd=project.inside)
    assert_one_line_error(result, 3, str(file))
    assert [e for e in ref.log()[since:] if not e["path"].startswith("/_admin")] == []
    assert not os.path.exists("/tmp/apictl-pwned")


def test_a_file_naming_what_the_config_lacks_is_refused(project, ref):
    file = project.project / ".apictl.toml"
    write(file, 'profile = "prod-everything"\n')
    assert_one_line_error(project.run("whoami", cwd=project.inside), 3, str(file), "prod-everything")
    write(file, 'profile = "dz"\nenv = "production"\n')
    assert_one_line_error(project.run("whoami", cwd=project.inside), 3, str(file), "production")
    write(file, 'profile = "../../etc"\n')
    assert_one_line_error(project.run("whoami", cwd=project.inside), 3, str(file))


@needs_root
def test_a_file_others_could_write_or_that_is_not_a_file_is_refused(project, ref):
    file = project.project / ".apictl.toml"
    write(file, 'profile = "dz"\n', mode=0o666)
    assert_one_line_error(project.run("whoami", cwd=project.inside), 3, str(file), "any user")
    os.chmod(file, 0o644)
    os.chown(file, 65534, 65534)
    assert_one_line_error(project.run("whoami", cwd=project.inside), 3, str(file), "another user")
    file.unlink()
    os.mkfifo(file)
    result = project.run("whoami", cwd=project.inside, timeout=10)     # a FIFO is never waited on
    assert_one_line_error(result, 3, str(file), "not a regular file")
    file.unlink()
    big = project.project / ".apictl.toml"
    write(big, 'profile = "dz"\n' + "#" * 100_000 + "\n")
    assert_one_line_error(project.run("whoami", cwd=project.inside), 3, str(file), "larger")


@needs_root
def test_a_file_planted_in_a_folder_anyone_may_write_is_passed_over(project, ref):
    shared = project.home / "shared"
    (shared / "work").mkdir(parents=True)
    os.chmod(shared, 0o1777)
    write(shared / ".apictl.toml", 'profile = "other"\n')
    os.chown(shared / ".apictl.toml", 65534, 65534)
    result = project.run("whoami", "-p", "dz", cwd=shared / "work")           # neither obeyed nor refused
    assert result.code == 0 and "profile:     dz (from -p)" in result.out, result
    assert f"note: {shared}/.apictl.toml: its folder can be written by any user, so it is not used" in result.err
    # a link another user made in the user's own folder is refused
    os.chmod(shared, 0o755)
    (shared / ".apictl.toml").unlink()
    os.symlink(project.project / ".apictl.toml", shared / ".apictl.toml")
    os.lchown(shared / ".apictl.toml", 65534, 65534)
    write(project.project / ".apictl.toml", 'profile = "dz"\naccount = "work"\n')
    assert_one_line_error(project.run("whoami", cwd=shared / "work"), 3, "is a link that belongs to another user")


def test_a_link_to_standard_input_is_not_read_as_the_project_file(project, ref, tmp_path):
    os.symlink("/dev/stdin", project.project / ".apictl.toml")
    key = tmp_path / "key"
    key.write_text('profile = "other"\n')
    with open(key, "rb") as stdin:
        import subprocess
        from conftest import APICTL
        result = subprocess.run([APICTL, "whoami"], stdin=stdin, cwd=project.inside, env=project.env, capture_output=True, text=True)
    assert result.returncode == 3 and ("/dev/stdin" in result.stderr or "/proc/" in result.stderr), result
    assert "other" not in result.stdout


@needs_root
def test_a_group_writable_file_is_trusted_only_for_a_private_group(project, ref):
    """`umask 002` leaves files writable by the user's private group, which is the user alone;
    a primary group others share (`useradd -g users`) is not."""
    file = project.project / ".apictl.toml"
    write(file, 'profile = "dz"\naccount = "work"\n', mode=0o664)
    os.chown(file, 0, 0)                                  # root's own group: no one else in it
    trusted = project.run("whoami", cwd=project.inside)
    assert trusted.code == 0 and "ada@work.test" in trusted.out, trusted
    os.chown(file, 0, 100)                                # "users", as the primary group of this run
    shared = subprocess.run(["setpriv", "--regid", "100", "--clear-groups", APICTL, "whoami"], cwd=project.inside,
                            env=project.env, capture_output=True, text=True, timeout=30)
    assert shared.returncode == 3 and str(file) in shared.stderr and "members of group 100" in shared.stderr, shared
    assert "ada@" not in shared.stdout


@needs_root
def test_a_file_an_acl_lets_another_user_write_is_refused(project, ref):
    """With an extended ACL the group bits are its mask: the owning group being private proves nothing."""
    file = project.project / ".apictl.toml"
    write(file, 'profile = "dz"\naccount = "work"\n', mode=0o664)
    os.chown(file, 0, 0)
    subprocess.run(["setfacl", "-m", "u:nobody:r", str(file)], check=True)      # may read, not write: the mask shows rw
    assert project.run("whoami", cwd=project.inside).code == 0
    subprocess.run(["setfacl", "-m", "u:nobody:rw", str(file)], check=True)
    assert_one_line_error(project.run("whoami", cwd=project.inside), 3, str(file), "its ACL names")
    subprocess.run(["setfacl", "-b", str(file)], check=True)
    os.chmod(file, 0o644)
    assert project.run("whoami", cwd=project.inside).code == 0
