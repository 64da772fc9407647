"""`apictl request` never loses output and never hangs (issue 24): where `-o` writes,
stdout write errors, bodies larger than apictl holds, time limits, token commands that
keep running, and signals during a download."""
import json
import os
import shutil
import signal
import stat
import subprocess
import time

import pytest

from conftest import APICTL, assert_one_line_error

TOKEN = {"APICTL_TOKEN": "tok-output-0123456789"}


@pytest.fixture
def t(apictl, ref):
    """A profile on the reference server's test routes, with a token from the environment."""
    assert apictl.run("profile", "add", "t", "--base-url", ref.url("_test")).code == 0
    apictl.env.update(TOKEN)
    return apictl


# --- -o writes where the user points -------------------------------------------------------

def test_dash_o_dash_is_stdout(t, tmp_path):
    result = t.run("request", "GET", "/bytes/1000", "-o", "-")
    assert result.code == 0 and result.out == "a" * 1000
    assert not (t.home / "-").exists() and not os.path.exists("-")


def test_an_existing_file_keeps_its_mode_and_a_link_stays_a_link(t, tmp_path):
    target = tmp_path / "secret.bin"
    target.write_bytes(b"old")
    target.chmod(0o600)
    assert t.run("request", "GET", "/bytes/2000", "-o", str(target)).code == 0
    assert target.read_bytes() == b"a" * 2000 and stat.S_IMODE(target.stat().st_mode) == 0o600
    real = tmp_path / "real.bin"
    real.write_bytes(b"old")
    link = tmp_path / "link.bin"
    link.symlink_to(real)
    assert t.run("request", "GET", "/bytes/300", "-o", str(link)).code == 0
    assert link.is_symlink() and real.read_bytes() == b"a" * 300
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_fifo_is_written_through(t, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    result = t.run("request", "GET", "/bytes/5000", "-o", str(fifo))
    assert result.code == 0, result
    assert reader.communicate(timeout=10)[0] == b"a" * 5000
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare")
def test_as_root_dev_null_stays_a_device(t, tmp_path):
    """In a private mount namespace with its own /dev, so the machine's /dev/null is never at risk."""
    script = (f"mount -t tmpfs tmpfs /dev && mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/urandom c 1 9 && "
              f"'{APICTL}' request GET /bytes/4096 -o /dev/null; echo \"code=$?\"; stat -c %F /dev/null")
    result = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script], env=dict(t.env),
                            capture_output=True, text=True, timeout=30)
    assert "code=0" in result.stdout, result
    assert "character special file" in result.stdout, result


def test_an_output_that_cannot_be_opened_is_one_line_naming_it(t, tmp_path):
    missing = tmp_path / "no-such-folder" / "out.bin"
    assert_one_line_error(t.run("request", "GET", "/bytes/10", "-o", str(missing)), 10, str(missing), "No such file")
    assert_one_line_error(t.run("request", "GET", "/bytes/10", "-o", str(tmp_path)), 10, str(tmp_path), "folder")


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGQUIT, signal.SIGTERM, signal.SIGINT])
def test_every_terminating_signal_removes_the_partial_file(t, ref, tmp_path, sig):
    tmp_path = tmp_path / "downloads"
    tmp_path.mkdir()
    target = tmp_path / "partial.bin"
    # apictl keeps a signal ignored that its parent ignored (nohup): the test's own run may be under nohup
    process = subprocess.Popen([APICTL, "request", "GET", ref.url("_test", "/slow-bytes/10000000?delay=0.05"), "-o", str(target)],
                               env=dict(t.env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=lambda: signal.signal(sig, signal.SIG_DFL))
    deadline = time.time() + 10
    while not [n for n in os.listdir(tmp_path) if n.endswith(".part")] and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    process.send_signal(sig)
    assert process.wait(10) == 128 + sig
    assert os.listdir(tmp_path) == []


# --- every stdout write is checked ---------------------------------------------------------

def run_with_stdout(t, stdout, *args, preexec=None):
    proc = subprocess.run([APICTL, *args], env=dict(t.env), stdout=stdout, stderr=subprocess.PIPE, timeout=30,
                          preexec_fn=preexec)
    return proc.returncode, proc.stderr.decode()


def test_a_full_disk_on_stdout_is_exit_10(t):
    with open("/dev/full", "wb") as full:
        code, err = run_with_stdout(t, full, "request", "GET", "/bytes/100000")
    assert code == 10 and err.count("\n") == 1 and "cannot write to stdout" in err and "No space left" in err, err


def test_a_closed_stdout_is_exit_10(t):
    proc = subprocess.run(["sh", "-c", f"exec '{APICTL}' request GET /bytes/1000 >&-"], env=dict(t.env),
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 10 and "cannot write to stdout" in proc.stderr, proc


def test_a_closed_pipe_with_sigpipe_ignored_is_exit_10(t):
    read, write = os.pipe()
    os.close(read)

    def ignore_sigpipe():
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    with os.fdopen(write, "wb") as closed_pipe:
        code, err = run_with_stdout(t, closed_pipe, "request", "GET", "/bytes/100000", preexec=ignore_sigpipe)
    assert code == 10 and "Broken pipe" in err, err


# --- terminal output is never cut ----------------------------------------------------------

def test_a_body_larger_than_the_pretty_limit_reaches_the_terminal_whole(t):
    count = 300_000                                    # about 17 MiB, over the 16 MiB held for pretty-printing
    result = t.run_tty("request", "GET", f"/big-json/{count}", timeout=120)
    assert result.code == 0
    assert result.out.count('"id":12345678') == count
    assert "larger than 16 MiB; printed as received" in result.out


def test_a_body_held_whole_is_refused_past_64_mib_never_cut(t):
    # --jq needs the whole body; a longer one is an error that says so, not a filter of half of it
    result = t.run("request", "GET", f"/bytes/{65 << 20}", "--jq", "length", timeout=120)
    assert_one_line_error(result, 8, "larger than 64 MiB", "-o FILE")
    assert result.out == ""


def test_json_nested_deeper_than_the_limit_passes_through_untouched(t, ref):
    deep = "[" * 5000 + "]" * 5000
    ref.fault(api="dzdesk", method="GET", path="/v1/deep", status=200, body=deep, count=2)
    piped = t.run("request", "GET", ref.url("dzdesk", "/v1/deep"))
    assert piped.code == 0 and piped.out == deep
    tty = t.run_tty("request", "GET", ref.url("dzdesk", "/v1/deep"))
    assert tty.code == 0 and deep in tty.out and "nested deeper than 512" in tty.out


# --- time limits -----------------------------------------------------------------------------

def test_a_server_that_never_answers_ends_with_exit_8(t):
    started = time.time()
    result = t.run("request", "GET", "/hang?seconds=20", "--stall-timeout", "1", "--no-retry", timeout=30)
    assert_one_line_error(result, 8, "timed out")
    assert time.time() - started < 5


def test_timeout_bounds_the_whole_command_retries_included(t):
    started = time.time()
    result = t.run("request", "GET", "/hang?seconds=20", "--timeout", "2", "--retry", "5", timeout=30)
    elapsed = time.time() - started
    assert result.code == 8, result
    assert elapsed < 4, elapsed


def test_a_token_command_that_keeps_running_is_ended_at_its_timeout(apictl, ref, tmp_path):
    command = tmp_path / "linger.sh"
    command.write_text("#!/bin/sh\necho tok-linger-1\nexec >&- 2>&-\nsleep 40\n")
    command.chmod(0o755)
    assert apictl.run("profile", "add", "c", "--base-url", ref.url("_test"), "--token-command", str(command),
                      "--token-command-timeout", "2s").code == 0
    started = time.time()
    result = apictl.run("-p", "c", "request", "GET", "/echo", timeout=30)
    assert time.time() - started < 3.5
    assert_one_line_error(result, 9, "did not answer within 2s")
    assert subprocess.run(["pgrep", "-f", str(command)], capture_output=True).returncode == 1, "its process group was killed"


# --- uploads stream ----------------------------------------------------------------------------

PEAK_RSS = """import resource, subprocess, sys
proc = subprocess.run(sys.argv[2:], stdin=open(sys.argv[1], "rb") if sys.argv[1] != "-" else None, capture_output=True)
sys.stdout.write(proc.stdout.decode() + "\\n" + str(proc.returncode) + " " + str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
"""


def peak_rss(t, stdin, *args):
    """apictl's answer, exit code and peak RSS in KiB, measured in a fresh parent."""
    proc = subprocess.run(["python3", "-c", PEAK_RSS, stdin, APICTL, *args], env=dict(t.env), capture_output=True,
                          text=True, timeout=300)
    body, _, tail = proc.stdout.rpartition("\n")
    code, rss = tail.split()
    return body, int(code), int(rss)


def test_a_large_file_body_streams_with_flat_memory(t, tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.truncate(300 << 20)                          # 300 MiB, sparse
    _, code, small_rss = peak_rss(t, "-", "request", "POST", "/upload-size", "-d", "{}")
    assert code == 0
    body, code, big_rss = peak_rss(t, "-", "request", "POST", "/upload-size", "-d", "@" + str(big))
    assert code == 0, body
    assert json.loads(body)["bytes"] == 300 << 20
    assert big_rss - small_rss < 8 * 1024, (small_rss, big_rss)   # KiB: flat, not 300 MiB


def test_stdin_and_a_pipe_stream_too(t, tmp_path):
    data = tmp_path / "data.bin"
    data.write_bytes(os.urandom(3 << 20))
    # stdin redirected from a file: its length is known and it can be sent again
    body, code, _ = peak_rss(t, str(data), "request", "PUT", "/upload-size", "-d", "@-")
    answer = json.loads(body)
    assert code == 0 and answer["bytes"] == 3 << 20 and answer["method"] == "PUT" and not answer["chunked"]
    # a pipe longer than the 1 MiB read ahead: sent chunked, as it comes
    proc = subprocess.run(["sh", "-c", f"cat '{data}' | '{APICTL}' request POST /upload-size -d @-"], env=dict(t.env),
                          capture_output=True, text=True, timeout=60)
    answer = json.loads(proc.stdout)
    assert proc.returncode == 0 and answer["bytes"] == 3 << 20 and answer["chunked"], proc.stderr
    # a short pipe is read ahead whole and sent with its length, as every server accepts
    short = subprocess.run(["sh", "-c", f"head -c 1000 '{data}' | '{APICTL}' request POST /upload-size -d @-"],
                           env=dict(t.env), capture_output=True, text=True, timeout=60)
    assert json.loads(short.stdout)["bytes"] == 1000 and not json.loads(short.stdout)["chunked"]
    import hashlib
    assert answer["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()


def test_a_typed_field_from_a_file_has_a_limit(t):
    result = t.run("request", "POST", "/upload-size", "-F", "x=@/dev/zero")
    assert_one_line_error(result, 2, "-F x=@/dev/zero", "16 MiB", "-d @/dev/zero")


# --- what a terminal is shown ----------------------------------------------------------------

def test_a_binary_body_is_not_printed_to_a_terminal_but_passes_through_a_pipe(t, ref):
    body = "GIF89a\u0000\u001b[2J\u001b]0;owned\u0007rest"
    ref.fault(api="dzdesk", method="GET", path="/v1/blob", status=200, body=body, count=2,
              headers={"Content-Type": "image/gif"})
    tty = t.run_tty("request", "GET", ref.url("dzdesk", "/v1/blob"))
    assert tty.code == 0 and "\x1b[2J" not in tty.out and "binary body not shown" in tty.out and "-o FILE" in tty.out
    piped = subprocess.run([APICTL, "request", "GET", ref.url("dzdesk", "/v1/blob")], env=dict(t.env), capture_output=True)
    assert piped.returncode == 0 and piped.stdout == body.encode()


def test_on_a_terminal_a_body_ends_with_a_newline_and_a_download_says_where_it_went(t, tmp_path):
    text = t.run_tty("request", "GET", "/bytes/10")
    assert text.code == 0 and "aaaaaaaaaa\n" in text.out
    target = tmp_path / "saved.bin"
    saved = t.run_tty("request", "GET", "/bytes/2048", "-o", str(target))
    assert saved.code == 0 and f"saved 2048 bytes to {target}" in saved.out


def test_data_argument_bytes_go_out_exactly_as_given(t, ref):
    raw = b"\xff\xfe not utf-8 \x80"
    proc = subprocess.run([APICTL.encode(), b"request", b"POST", b"/upload-size", b"-d", raw], env=dict(t.env),
                          capture_output=True, timeout=30)
    import hashlib
    answer = json.loads(proc.stdout)
    assert proc.returncode == 0 and answer["bytes"] == len(raw) and answer["sha256"] == hashlib.sha256(raw).hexdigest()
    header = subprocess.run([APICTL.encode(), b"request", b"GET", b"/echo", b"-H", b"X-Odd: caf\xe9"], env=dict(t.env),
                            capture_output=True, timeout=30)
    assert header.returncode == 0, header.stderr
    seen = [e for e in ref.log() if e["path"] == "/_test/echo"][-1]
    assert seen["headers"]["X-Odd"].encode("latin-1", "replace") in (b"caf\xe9", "café".encode("latin-1")), seen["headers"]


# --- the pager ----------------------------------------------------------------------

@pytest.fixture
def paged(apictl, ref):
    apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"))
    return {"DZDESK_TOKEN": ref.key("dzdesk", scopes=["requests:read"])}


def test_terminal_output_goes_through_apictl_pager(apictl, paged):
    shown = apictl.run_tty("request", "GET", "/me", env=dict(paged, APICTL_PAGER="sed s/^/PAGED:/", PAGER="false"))
    assert shown.code == 0 and "PAGED:" in shown.out and "\"success\"" in shown.out, shown
    assert "PAGED:" not in apictl.run_tty("request", "GET", "/me", "--no-pager", env=dict(paged, APICTL_PAGER="sed s/^/PAGED:/")).out
    assert "PAGED:" in apictl.run_tty("request", "GET", "/me", env=dict(paged, APICTL_PAGER=None, PAGER="sed s/^/PAGED:/")).out
    direct = apictl.run_tty("request", "GET", "/me", env=dict(paged, APICTL_PAGER="cat", PAGER="sed s/^/PAGED:/"))
    assert direct.code == 0 and "PAGED:" not in direct.out and '"scopes"' in direct.out


def test_never_a_pager_when_piped_or_missing(apictl, paged):
    piped = apictl.run("request", "GET", "/me", env=dict(paged, APICTL_PAGER="sed s/^/PAGED:/"))
    assert piped.code == 0 and piped.out.startswith("{")
    missing = apictl.run_tty("request", "GET", "/me", env=dict(paged, APICTL_PAGER="/nonexistent/pager -x"))
    assert missing.code == 0 and '"scopes"' in missing.out, missing
    assert "the pager '/nonexistent/pager' was not found; printing straight to the terminal" in missing.out, missing


def test_the_default_less_prints_a_short_body_and_exits(apictl, paged):
    env = dict(paged, APICTL_PAGER=None, PAGER=None)
    shown = apictl.run_tty("request", "GET", "/me", env=env, timeout=10)
    assert shown.code == 0 and '"scopes"' in shown.out, shown


def test_a_pager_quit_early_is_not_a_failure(apictl, ref, paged):
    shown = apictl.run_tty("request", "GET", ref.url("_test", "/big-json/20000"), env=dict(paged, APICTL_PAGER="head -c 10"))
    assert shown.code == 0 and "cannot write" not in shown.out, shown
    # the user saw what the pager showed, and the body is not poured onto the terminal after it
    assert "before reading" not in shown.out and len(shown.out) < 1000, shown.out[:300]


@pytest.mark.parametrize("pager", ["true", "sh -c 'sleep 0.5; exit 0'", "sh -c 'exec 0<&-; sleep 1'"])
def test_a_pager_that_ends_without_reading_leaves_a_posts_answer_on_the_terminal(apictl, ref, paged, pager):
    paged = dict(paged, DZDESK_TOKEN=ref.key("dzdesk", scopes=["requests:read", "requests:write"]))
    shown = apictl.run_tty("request", "POST", "/requests", "-f", "title=Unread", env=dict(paged, APICTL_PAGER=pager))
    assert shown.code == 0 and "Unread" in shown.out and "req_" in shown.out, shown
    assert "ended before reading anything; printing straight to the terminal" in shown.out, shown


def test_a_pager_that_ends_unread_with_more_than_a_pipe_holds_says_what_was_lost(apictl, ref, paged):
    shown = apictl.run_tty("request", "GET", ref.url("_test", "/big-json/20000"), env=dict(paged, APICTL_PAGER="sleep 1"))
    assert shown.code == 10, shown
    assert "ended before reading anything; the first" in shown.out and "were lost" in shown.out, shown.out[-400:]


def test_a_pager_that_cannot_be_run_is_named_as_such(apictl, paged, tmp_path):
    unrunnable = tmp_path / "pager"
    unrunnable.write_text("#!/bin/sh\ncat\n")
    shown = apictl.run_tty("request", "GET", "/me", env=dict(paged, APICTL_PAGER=str(unrunnable)))
    assert shown.code == 0 and '"scopes"' in shown.out and "is not executable" in shown.out, shown


def test_a_timeout_in_a_filter_waits_for_the_pager_and_leaves_the_terminal_to_the_user(apictl, paged):
    pager = "sh -c 'cat; echo PAGER-SAW-THE-END'"
    shown = apictl.run_tty("request", "GET", "/me", "--timeout", "2", "--jq", "last(range(1e10))",
                           env=dict(paged, APICTL_PAGER=pager), timeout=20)
    assert shown.code == 8, shown
    lines = shown.out.strip().splitlines()
    assert "PAGER-SAW-THE-END" in lines[-2] and "--timeout ran out" in lines[-1], shown


def test_a_pager_that_fails_before_reading_leaves_a_posts_answer_on_the_terminal(apictl, ref, paged):
    paged = dict(paged, DZDESK_TOKEN=ref.key("dzdesk", scopes=["requests:read", "requests:write"]))
    shown = apictl.run_tty("request", "POST", "/requests", "-f", "title=Broken", env=dict(paged, APICTL_PAGER="false"))
    assert "Broken" in shown.out and "req_" in shown.out, shown           # the answer was not lost...
    assert shown.code == 10 and "the pager 'false' exited with status 1 before reading anything" in shown.out, shown


@pytest.mark.parametrize("pager, how", [("sh -c 'cat; exit 3'", "exited with status 3"),
                                        ("sh -c 'head -c 5; kill -9 $$'", "was killed by signal 9")])
def test_a_pager_that_fails_or_is_killed_is_exit_10_naming_it(apictl, paged, pager, how):
    shown = apictl.run_tty("request", "GET", "/me", env=dict(paged, APICTL_PAGER=pager))
    assert shown.code == 10, shown
    last = shown.out.strip().splitlines()[-1]
    assert "apictl: the pager '" in last and how in last, shown


@pytest.mark.parametrize("pager", ["cat", "tee /dev/null", None])
def test_on_a_terminal_a_body_without_a_final_newline_ends_with_one(apictl, ref, paged, pager):
    ref.fault(api="dzdesk", method="GET", path="/v1/me", status=200, count=2, body="no newline here",
              headers={"Content-Type": "text/plain"})
    shown = apictl.run_tty("request", "GET", "/me", env=dict(paged, APICTL_PAGER=pager))
    screen = __import__("re").sub(r"\x1b(\[[0-9;?]*[A-Za-z]|[=>])|\r", "", shown.out)   # less's terminal set-up
    assert shown.code == 0 and screen.endswith("no newline here\n"), repr(shown.out)
    piped = apictl.run("request", "GET", "/me", env=paged)
    assert piped.out == "no newline here"                      # piped: untouched


# --- output nobody reads ends the work that makes it ------------------------------------------

def ignore_sigpipe():
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)


@pytest.mark.parametrize("args", [["request", "GET", "/endless/0", "--paginate", "--ndjson"],
                                  ["request", "GET", "/endless/0", "--jq", "repeat(1)"]],
                         ids=["pages", "filter"])
def test_a_closed_pipe_ends_pagination_and_the_filter(t, ref, args):
    """With SIGPIPE ignored, a reader that goes away (`| head -c1`) used to leave apictl fetching
    pages (or running `repeat(1)`) for ever, every write dropped."""
    proc = subprocess.Popen([APICTL, *args], env=dict(t.env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=ignore_sigpipe)
    assert proc.stdout.read(1)
    proc.stdout.close()
    try:
        code = proc.wait(timeout=30)
    finally:
        proc.kill()
    err = proc.stderr.read().decode()
    assert code == 10 and "Broken pipe" in err, err
    assert len([e for e in ref.log() if e["path"].startswith("/_test/endless/")]) < 100


def test_a_link_whose_target_holds_a_comma_is_followed(t):
    result = t.run("request", "GET", "/endless/0?stop=3", "--paginate", "--ndjson")
    assert result.code == 0 and [json.loads(line)["n"] for line in result.out.splitlines()] == [0, 1, 2], result


def test_a_link_to_a_file_not_there_yet_makes_it_and_stays_a_link(t, tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to("target.json")
    assert t.run("request", "GET", "/bytes/300", "-o", str(link)).code == 0
    assert link.is_symlink() and (tmp_path / "target.json").read_bytes() == b"a" * 300


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a link as another user")
def test_a_link_another_user_planted_in_a_shared_folder_is_not_followed(t, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    planted = shared / "out.json"
    planted.symlink_to(victim)
    os.lchown(planted, 65534, 65534)
    result = t.run("request", "GET", "/bytes/300", "-o", str(planted))
    assert_one_line_error(result, 10, "a link another user (uid 65534) made")
    assert victim.read_text() == "keep me\n"


# --- a terminal is shown text, never handed escapes --------------------------------------------

def test_a_body_too_large_to_hold_still_reaches_the_terminal_with_its_escapes_shown(t):
    result = t.run_tty("request", "GET", f"/padded-escapes/{17 << 20}", timeout=120)
    assert result.code == 0 and "larger than 16 MiB" in result.out, result.out[-300:]
    tail = result.out[-200:]
    assert "BIGTITLE" in tail and "end" in tail, tail
    assert "\x1b]0;" not in result.out and "\u009b" not in result.out, tail


def test_pretty_json_shows_c1_bidi_and_zero_width_characters_escaped(t):
    for args in (["request", "GET", "/c1-json"], ["request", "GET", "/c1-json", "--jq", "."]):
        shown = t.run_tty(*args).out
        assert "\u009b" not in shown and "\u202e" not in shown and "\u200b" not in shown, (args, shown)
        assert "\\u009b" in shown and "\\u202e" in shown and "\\u200b" in shown, (args, shown)
    piped = t.run("request", "GET", "/c1-json")
    assert json.loads(piped.out)["file"] == "bidi\u202egnp.exe"      # piped: the body untouched


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a link as another user")
def test_every_link_of_a_chain_is_checked_and_a_loop_is_an_error(t, tmp_path):
    """The user's own link in /tmp led to a link another user planted beside it: the first hop
    alone was checked, and the planted one chose the file replaced."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (shared / "latest").symlink_to("latest-data.json")
    (shared / "latest-data.json").symlink_to(victim)
    os.lchown(shared / "latest-data.json", 65534, 65534)
    assert_one_line_error(t.run("request", "GET", "/bytes/300", "-o", str(shared / "latest")), 10, "latest-data.json is a link another user")
    assert victim.read_text() == "keep me\n"
    # a folder link another user planted, in the middle of the path
    victims = tmp_path / "victims"
    victims.mkdir()
    (shared / "evildir").symlink_to(victims)
    os.lchown(shared / "evildir", 65534, 65534)
    assert_one_line_error(t.run("request", "GET", "/bytes/300", "-o", str(shared / "evildir/c.json")), 10,
                          f"{shared}/evildir is a link another user")
    assert list(victims.iterdir()) == []
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    assert_one_line_error(t.run("request", "GET", "/bytes/300", "-o", str(tmp_path / "loop1")), 10, "Too many levels of symbolic links")
    assert (tmp_path / "loop1").is_symlink()


def test_jq_strings_show_bidi_and_zero_width_characters_escaped(t):
    shown = t.run_tty("request", "GET", "/c1-json", "--jq", ".file, .zw").out
    assert "\u202e" not in shown and "\u200b" not in shown and "\\u{202E}" in shown and "\\u{200B}" in shown, shown


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a link as another user")
def test_a_planted_link_to_a_fifo_is_not_written_through(t, tmp_path):
    """A link another user planted in /tmp leading to their FIFO would hand them the body."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    os.mkfifo(shared / "f")
    (shared / "p").symlink_to(shared / "f")
    os.lchown(shared / "p", 65534, 65534)
    assert_one_line_error(t.run("request", "GET", "/bytes/300", "-o", str(shared / "p"), timeout=10), 10, "a link another user")
