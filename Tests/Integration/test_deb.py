"""The Debian package (issue 17): build it from the release binary, check it
with lintian, install it with apt, use what it installed the way a user's
shell finds it, and remove it."""
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import APICTL, ROOT

pytestmark = [pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("apt-get") or not shutil.which("dpkg-deb"),
                                 reason="installing a package needs root and apt on Debian"),
              pytest.mark.xdist_group("deb")]   # one worker builds and installs the package


def sh(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def deb():
    built = sh(str(ROOT / "packaging/debian/build.sh"), APICTL, cwd=ROOT)
    assert built.returncode == 0, built.stderr
    return Path(built.stdout.strip())


def test_contents_and_metadata(deb):
    listing = sh("dpkg-deb", "-c", str(deb)).stdout
    for path, mode in [("./usr/bin/apictl", "-rwxr-xr-x"), ("./usr/lib/apictl/apictl-openapi", "-rwxr-xr-x"),
                       ("./usr/share/bash-completion/completions/apictl", "-rw-r--r--"),
                       ("./usr/share/zsh/vendor-completions/_apictl", "-rw-r--r--"),
                       ("./usr/share/fish/vendor_completions.d/apictl.fish", "-rw-r--r--"),
                       ("./usr/share/man/man1/apictl.1.gz", "-rw-r--r--"),
                       ("./usr/share/doc/apictl/copyright", "-rw-r--r--"),
                       ("./usr/share/doc/apictl/changelog.Debian.gz", "-rw-r--r--")]:
        line = next((l for l in listing.splitlines() if l.endswith(" " + path)), None)
        assert line and line.startswith(mode) and " root/root " in line, (path, line)
    version = sh(APICTL, "--version").stdout.split()[1]
    assert deb.name == f"apictl_{version}_{sh('dpkg', '--print-architecture').stdout.strip()}.deb"
    fields = sh("dpkg-deb", "-f", str(deb), "Version", "Depends", "Recommends").stdout
    assert f"Version: {version}" in fields and "libcurl4" in fields and "libc6" in fields
    assert "Recommends: libsecret-1-0, gnome-keyring, libonig5" in fields


def test_lintian_reports_no_error_or_warning(deb):
    if not shutil.which("lintian"):
        pytest.skip("lintian is not installed")
    result = sh("lintian", "--tag-display-limit", "0", str(deb))
    tags = [l for l in result.stdout.splitlines() if l[:2] in ("E:", "W:")]
    assert not tags, result.stdout


def test_two_builds_of_one_commit_are_identical(deb):
    def described(path):
        return sh("dpkg-deb", "-I", str(path)).stdout, sh("dpkg-deb", "-c", str(path)).stdout
    first_bytes, first_description = deb.read_bytes(), described(deb)
    again = sh(str(ROOT / "packaging/debian/build.sh"), APICTL, cwd=ROOT)
    assert again.returncode == 0, again.stderr
    # the control fields and file list first, so a difference says where it is
    assert described(Path(again.stdout.strip())) == first_description
    assert hashlib.sha256(Path(again.stdout.strip()).read_bytes()).digest() == hashlib.sha256(first_bytes).digest()


def test_install_use_and_remove(deb):
    installed = sh("apt-get", "install", "-y", "-qq", str(deb), env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    assert installed.returncode == 0, installed.stderr
    try:
        assert sh("/usr/bin/apictl", "--version").stdout == sh(APICTL, "--version").stdout
        assert sh("man", "-w", "apictl").stdout.strip() == "/usr/share/man/man1/apictl.1.gz"
        # api sync finds its parser where the package put it
        described = Path(tempfile.mkdtemp()) / "openapi.json"
        described.write_text('{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {}}}}}')
        home = described.parent
        env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / "c"), XDG_CACHE_HOME=str(home / "k"))
        assert sh("/usr/bin/apictl", "profile", "add", "t", "--base-url", "https://t.example.com", "--openapi", str(described),
                  env=env).returncode == 0
        synced = sh("/usr/bin/apictl", "api", "sync", "-p", "t", env=env)
        assert synced.returncode == 0 and "synced 1 operation" in synced.stderr, synced
        # bash-completion's own loader finds the script; nothing is sourced by hand
        bash = sh("bash", "-c", "source /usr/share/bash-completion/bash_completion; __load_completion apictl || exit 3; "
                  "COMP_WORDS=(apictl tok); COMP_CWORD=1; COMP_LINE='apictl tok'; COMP_POINT=10; "
                  "$(complete -p apictl | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p') apictl tok apictl; echo \"${COMPREPLY[@]}\"")
        assert bash.returncode == 0 and bash.stdout.split() == ["token"], bash
        zsh = sh("zsh", "-fc", "for d in $fpath; do [ -f $d/_apictl ] && echo $d/_apictl; done")
        assert zsh.stdout.strip() == "/usr/share/zsh/vendor-completions/_apictl", zsh
        if shutil.which("fish"):   # fish loads vendor completions by itself
            fish = sh("fish", "-c", "complete -C 'apictl tok'")
            assert fish.stdout.startswith("token\t"), fish
    finally:
        removed = sh("apt-get", "remove", "-y", "-qq", "apictl", env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    assert removed.returncode == 0, removed.stderr
    for path in ["/usr/bin/apictl", "/usr/lib/apictl/apictl-openapi", "/usr/lib/apictl", "/usr/share/bash-completion/completions/apictl", "/usr/share/zsh/vendor-completions/_apictl",
                 "/usr/share/fish/vendor_completions.d/apictl.fish", "/usr/share/man/man1/apictl.1.gz"]:
        assert not os.path.exists(path), path
