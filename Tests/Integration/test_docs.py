"""Every shell block in README.md, docs/getting-started.md and docs/accounts.md runs as written, in bash, from a
checkout, against the bundled reference server; a block that cannot (it needs a real API or
installs system-wide) is marked `<!-- docs-test: skip: why -->` on the line before it."""
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import APICTL

ROOT = Path(__file__).resolve().parents[2]
DOCS = ["README.md", "docs/getting-started.md", "docs/accounts.md"]
BLOCK = re.compile(r"(?:^(<!-- docs-test: skip:[^>]*-->)\n)?^```sh\n(.*?)^```", re.M | re.S)


def blocks(doc):
    text = (ROOT / doc).read_text()
    return [(bool(skip), body) for skip, body in BLOCK.findall(text)]


def test_the_docs_have_shell_blocks_and_each_skip_says_why():
    for doc in DOCS:
        found = blocks(doc)
        assert any(not skip for skip, _ in found), f"{doc} has no block the test runs"
    for doc in DOCS:
        for line in (ROOT / doc).read_text().splitlines():
            if line.startswith("<!-- docs-test: skip"):
                assert len(line.split("skip:", 1)[1].strip(" ->")) > 10, line


@pytest.mark.parametrize("doc,index", [(doc, i) for doc in DOCS for i, (skip, _) in enumerate(blocks(doc)) if not skip])
def test_every_runnable_block_runs_as_written(tmp_path, doc, index):
    body = blocks(doc)[index][1]
    with socket.socket() as probe:   # the docs say 8765; a free port stands in, so tests may run side by side
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The server a block starts in the background is stopped when the block ends.
    script = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + body.replace("8765", str(port))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "apictl").symlink_to(APICTL)
    env = {
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_RUNTIME_DIR": str(tmp_path), "LANG": "C.UTF-8",
        # A newcomer's machine as the tests have it: no keyring, so the encrypted file and its passphrase;
        # a browser that approves the OAuth login.
        "APICTL_PASSPHRASE": "docs passphrase", "APICTL_PASSPHRASE_CACHE": "0", "APICTL_KEYRING_CACHE": "0",
        "BROWSER": f"{sys.executable} {ROOT / 'Tests/Integration/fake_browser.py'}",
    }
    process = subprocess.Popen(["bash", "-c", script], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = process.communicate(timeout=60)
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)   # the reference server the block started
        except ProcessLookupError:
            pass
    out, err = out.decode(), err.decode()
    assert process.returncode == 0, f"{doc} block {index} failed:\n{script}\n--- stdout\n{out}\n--- stderr\n{err}"
    assert "Fatal error" not in err


def test_every_exit_code_the_code_can_return_is_documented_in_the_docs_and_the_man_page(apictl):
    """docs/exit-codes.md and the man page list exactly the codes ExitCode defines."""
    source = (ROOT / "Sources/APICtlCore/Errors/ExitCode.swift").read_text()
    codes = {int(n) for n in re.findall(r"^\s*case \w+ = (\d+)$", source, re.M)}
    assert {0, 1, 2, 10, 11, 130} <= codes, codes
    table = (ROOT / "docs/exit-codes.md").read_text().split("## ")[0]
    documented = {int(n) for n in re.findall(r"^\| (\d+) \|", table, re.M)}
    assert documented == codes, f"docs/exit-codes.md lists {sorted(documented)}, the code has {sorted(codes)}"
    man = apictl.run("__man").out.split(".SH EXIT STATUS")[1].split(".SH ")[0]
    in_man = {int(n) for n in re.findall(r"^\.B (\d+)$", man, re.M)}
    assert in_man == codes, f"the man page lists {sorted(in_man)}, the code has {sorted(codes)}"
