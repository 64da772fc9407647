"""`request --jq`: jq's own language, through jq 1.8 built into apictl (Sources/CJQ), compared with
the jq binary on the same bodies; hermetic, and never an abort (issues 32 and 35)."""
import json
import os
import subprocess
import time

import pytest

from conftest import APICTL, assert_one_line_error


@pytest.fixture
def dz(apictl, ref):
    apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"))
    env = {"DZDESK_TOKEN": ref.key("dzdesk", scopes=["requests:read", "requests:write"])}
    for i, title in enumerate(["Printer on fire", "Badge reader ünïcode", 'Quote " and \\ slash'], start=1):
        assert apictl.run("request", "POST", "/requests", "-f", f"title={title}", "-F", f"priority={i}", env=env).code == 0
    return env


def jq(filter_, document):
    return subprocess.run(["jq", "-r", filter_], input=document, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("filter_", [
    ".data[].title", ".data | length", ".data[0]", "[.data[].priority] | add", ".data[] | {id, title}",
    ".success", ".data | map(select(.priority > 1)) | .[].id", ".data[0].title | ascii_downcase", ".missing",
    '.data[] | "\\(.id): \\(.title)"', ".data | keys", "empty",
])
def test_the_filter_answers_as_jq_r_does(apictl, ref, dz, filter_):
    body = apictl.run("request", "GET", "/requests", env=dz).out
    filtered = apictl.run("request", "GET", "/requests", "--jq", filter_, env=dz)
    assert filtered.code == 0, filtered
    assert filtered.out == jq(filter_, body)
    assert apictl.run("request", "GET", "/requests", "-q", filter_, env=dz).out == filtered.out


def test_over_pages_the_filter_sees_the_merged_array_or_each_item(apictl, ref, dz):
    merged = apictl.run("request", "GET", "/requests", "--query", "per_page=1", "--paginate", env=dz).out
    result = apictl.run("request", "GET", "/requests", "--query", "per_page=1", "--paginate", "--jq", "map(.id) | join(\",\")", env=dz)
    assert result.code == 0 and result.out == "req_1,req_2,req_3\n" == jq('map(.id) | join(",")', merged)
    each = apictl.run("request", "GET", "/requests", "--query", "per_page=1", "--paginate", "--ndjson", "--jq", ".title", env=dz)
    assert each.out.splitlines() == ["Printer on fire", "Badge reader ünïcode", 'Quote " and \\ slash']


def test_a_filter_that_does_not_compile_is_exit_2_before_anything_is_sent(apictl, ref, dz):
    before = len(ref.log())
    result = apictl.run("request", "POST", "/requests", "-f", "title=never", "--jq", ".data[", env=dz)
    assert_one_line_error(result, 2, "--jq filter does not compile", "syntax error", "at line 1, column 6")
    assert not result.err.rstrip().endswith(":"), result.err
    assert not [entry for entry in ref.log()[before:] if entry["path"].startswith("/dzdesk")]


def test_a_run_time_error_is_one_line_and_exit_11(apictl, ref, dz):
    assert_one_line_error(apictl.run("request", "GET", "/requests", "--jq", ".data[0].title | tonumber", env=dz), 11, "--jq:")
    assert_one_line_error(apictl.run("request", "GET", "/requests", "--jq", '.data | error("stop here")', env=dz), 11, "stop here")


def test_an_error_response_is_printed_as_received_not_filtered(apictl, ref, dz):
    result = apictl.run("request", "GET", "/requests/req_404", "--jq", ".data.id", env=dz)
    assert result.code == 1 and json.loads(result.out)["success"] is False


def test_on_a_terminal_values_are_coloured_and_strings_raw(apictl, ref, dz):
    shown = apictl.run_tty("request", "GET", "/requests", "--jq", ".data[0]", env=dz)
    assert "\x1b[" in shown.out and '"Printer on fire"' in shown.out
    raw = apictl.run_tty("request", "GET", "/requests", "--jq", ".data[0].title", env=dz)
    assert "Printer on fire" in raw.out and '"Printer on fire"' not in raw.out


def test_oniguruma_is_loaded_only_for_a_regular_expression(apictl, ref, dz, tmp_path):
    def opened(*args):
        trace = tmp_path / "trace"
        result = subprocess.run(["strace", "-f", "-e", "trace=openat", "-o", str(trace), APICTL, *args],
                                env=dict(apictl.env, **dz), capture_output=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return trace.read_text()
    assert "libonig" not in opened("request", "GET", "/requests")
    assert "libonig" not in opened("request", "GET", "/requests", "--jq", ".data")
    assert "libonig.so" in opened("request", "GET", "/requests", "--jq", '.data[] | select(.title | test("fire"))')
    assert "libjq" not in opened("request", "GET", "/requests", "--jq", ".data")


# --- the filters a user copies from jq's manual (and gojq's, which users copy too) ------------

MANUAL = [
    ('{"a":{"b":1},"c":2} | pick(.a.b)', '{"a":{"b":1}}'),
    ("-3 | abs", "3"),
    ("1 | toarray", "[1]"),
    ("[1] | toarray", "[1]"),
    ('"  hi  " | trim', "hi"),
    ('"xyz" | ltrimstr("x")', "yz"),
    ('["a, b, c" | splits(", ")]', '["a","b","c"]'),
    ("[limit(0; 1, 2)]", "[]"),
    ('{"a":{"b":7}} | getpath(["a","b"])', "7"),
    ('"foobar" | @base32', "MZXW6YTBOI======"),
    ('"MZXW6YTBOI======" | @base32d', "foobar"),
    ('"héllo ✓" | @base32 | @base32d', "héllo ✓"),
    ("$__loc__", '{"file":"<top-level>","line":1}'),
    ("1234567890123456789", "1234567890123456789"),
]


@pytest.mark.parametrize("filter_, expected", MANUAL)
def test_filters_from_the_manual_work(apictl, ref, dz, filter_, expected):
    result = apictl.run("request", "GET", "/requests", "--jq", filter_, env=dz)
    assert result.code == 0, result
    answer = result.out.strip()
    assert (json.loads(answer) if answer[:1] in "[{" else answer) == (json.loads(expected) if expected[:1] in "[{" else expected)


@pytest.mark.parametrize("text", ["mzxw6ytb", "MZXW6YTBOI", "A", "========", "MZ=XW6YTB", "MZXW6YTBOI======MY======"])
def test_base32d_refuses_what_rfc_4648_does(apictl, dz, text):
    result = apictl.run("request", "GET", "/me", "--jq", f'"{text}" | @base32d', env=dz)
    assert_one_line_error(result, 11, "is not valid base32 data")


def test_base32_takes_linear_time(apictl, dz):
    started = time.time()
    result = apictl.run("request", "GET", "/me", "--jq", '[range(100000) | "a"] | add | @base32 | @base32d | length', env=dz)
    assert result.code == 0 and result.out.strip() == "100000", result
    assert time.time() - started < 10, "100 kB through @base32 and back took seconds, as a quadratic one would"


# --- hermetic: a filter reads no file ----------------------------------------------------------

def test_no_implicit_home_jq_is_loaded(apictl, ref, dz):
    (apictl.home / ".jq").write_text('def from_home: "read ~/.jq";\n')
    result = apictl.run("request", "GET", "/requests", "--jq", "from_home", env=dz)
    assert_one_line_error(result, 2, "--jq filter does not compile", "from_home/0 is not defined")
    (apictl.home / ".jq").unlink()
    (apictl.home / ".jq").mkdir()
    (apictl.home / ".jq/m.jq").write_text('def f: "read ~/.jq/m.jq";\n')
    assert apictl.run("request", "GET", "/requests", "--jq", "f", env=dz).code == 2


@pytest.mark.parametrize("filter_", ['include "a"; .', 'import "a" as a; .', 'import "a" as $a; .',
                                     'import "x" as x {search: "/etc"}; .', 'include "passwd" {search: "/etc"}; .'])
def test_include_and_import_are_refused_before_anything_is_sent(apictl, ref, dz, tmp_path, filter_):
    before = len(ref.log())
    trace = tmp_path / "trace"
    proc = subprocess.run(["strace", "-f", "-e", "trace=openat", "-o", str(trace), APICTL, "request", "POST", "/requests",
                           "-f", "title=never", "--jq", filter_], env=dict(apictl.env, **dz), capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 2 and "is not allowed" in proc.stderr, proc.stderr
    assert not [entry for entry in ref.log()[before:] if entry["path"].startswith("/dzdesk")]
    assert "/etc/passwd" not in trace.read_text() and ".jq" not in trace.read_text()


# --- never an abort: memory and time ----------------------------------------------------------

def plain_request_needs(apictl, ref, dz):
    """The least virtual memory (KiB, for ulimit -v) a plain request runs in, found by bisection."""
    low, high = 50_000, 2_000_000
    while high - low > 2_000:
        middle = (low + high) // 2
        ok = subprocess.run(["bash", "-c", f'ulimit -v {middle}; exec "$@"', "-", APICTL, "request", "GET", "/requests"],
                            env=dict(apictl.env, **dz), capture_output=True, timeout=30).returncode == 0
        low, high = (low, middle) if ok else (middle, high)
    return high


@pytest.fixture
def tight(apictl, ref, dz):
    """Runs apictl with its address space 32 MiB above what a plain request needs."""
    limit = plain_request_needs(apictl, ref, dz) + 32 * 1024

    def run(*args):
        return subprocess.run(["bash", "-c", f'ulimit -v {limit}; exec "$@"', "-", APICTL, *args],
                              env=dict(apictl.env, **dz), capture_output=True, text=True, timeout=120)
    return run


def assert_ended_with_a_line(proc, *codes):
    assert proc.returncode in codes, (proc.returncode, proc.stderr[-500:])
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("apictl: "), proc.stderr[-500:]
    assert "Fatal error" not in proc.stderr and "Swift runtime" not in proc.stderr


def test_a_60_mib_body_under_a_tight_memory_limit_ends_with_one_line(apictl, ref, tight):
    proc = tight("request", "GET", ref.url("_test", "/big-json/1100000"), "--jq", "length")
    assert_ended_with_a_line(proc, 8, 11)


def test_a_filter_that_exhausts_memory_ends_with_one_line(apictl, ref, tight):
    proc = tight("request", "GET", "/requests", "--jq", "[range(1e9)] | length")
    assert_ended_with_a_line(proc, 11)
    assert "out of memory" in proc.stderr


def test_a_typed_field_from_dev_zero_ends_with_one_line(apictl, ref, tight):
    proc = tight("request", "POST", "/requests", "-F", "x=@/dev/zero")
    assert_ended_with_a_line(proc, 2)


def test_timeout_bounds_a_filters_running_time(apictl, ref, dz):
    import time
    started = time.time()
    result = apictl.run("request", "GET", "/requests", "--jq", "last(range(1e12))", "--timeout", "2", env=dz)
    assert time.time() - started < 6
    assert_one_line_error(result, 8, "--jq filter was still running", "--timeout")


def test_a_filter_longer_than_8_kib_is_exit_2_before_anything_is_sent(apictl, ref, dz):
    before = len(ref.log())
    result = apictl.run("request", "GET", "/me", "--jq", ".+" * 5000 + ".", env=dz)
    assert_one_line_error(result, 2, "--jq filter is 10001 bytes, more than the 8 KiB")
    assert not [entry for entry in ref.log()[before:] if entry["path"].startswith("/dzdesk")]


def test_jq_stopping_itself_is_one_line_and_exit_11(apictl, dz):
    """jq aborts when its own stack outgrows 2 GiB: one apictl line, no assert text, no SIGABRT."""
    result = apictl.run("request", "GET", "/me", "--jq", "def f: 1 + f; f", env=dz, timeout=120)
    assert_one_line_error(result, 11, "--jq: jq stopped")
    assert "jq/src" not in result.err and "Assertion" not in result.err, result


def test_an_enormous_timeout_does_not_hang_a_filter(apictl, dz):
    result = apictl.run("request", "GET", "/me", "--timeout", "1e19", "--jq", ".data.id", env=dz, timeout=20)
    assert result.code == 0 and result.out.strip(), result



def test_a_filter_sees_no_secret_in_env(apictl, ref, dz):
    """$ENV and env are what a child process would get: apictl's secrets are not there to print."""
    env = dict(dz, APICTL_PASSPHRASE="passphrase-not-for-filters-1", MY_OWN_SETTING="plain-value")
    result = apictl.run("request", "GET", "/me", "--jq",
                        "[$ENV.DZDESK_TOKEN, env.APICTL_PASSPHRASE, $ENV.MY_OWN_SETTING]", env=env)
    assert result.code == 0, result
    assert json.loads(result.out) == [None, None, "plain-value"], result.out


def test_a_string_result_cannot_repaint_the_terminal_but_pipes_get_it_whole(apictl, ref, dz):
    hostile = json.dumps({"t": "\u001b]0;RETITLED\u0007\u001b[2Jafter\u009b1m\nsecond\tline"})
    for _ in range(2):
        ref.fault(api="dzdesk", method="GET", path="/v1/esc", status=200, count=1, body=hostile,
                  headers={"Content-Type": "application/json"})
    shown = apictl.run_tty("request", "GET", "/esc", "--jq", ".t", "-p", "dz", env=dz)
    assert shown.code == 0 and "\u001b]0;" not in shown.out and "\u009b" not in shown.out, shown
    assert "\\u{1B}]0;RETITLED\\u{7}\\u{1B}[2Jafter\\u{9B}1m\nsecond\tline" in shown.out, shown
    piped = apictl.run("request", "GET", "/esc", "--jq", ".t", "-p", "dz", env=dz)
    assert piped.out == json.loads(hostile)["t"] + "\n"
    # an object or array result: JSON leaves C1 controls raw, the terminal gets them as \u escapes
    ref.fault(api="dzdesk", method="GET", path="/v1/esc", status=200, count=1, body=hostile, headers={"Content-Type": "application/json"})
    shown = apictl.run_tty("request", "GET", "/esc", "--jq", "{a: .t}", "-p", "dz", "--no-color", env=dz)
    assert shown.code == 0 and "\u009b" not in shown.out and "\\u009b" in shown.out, shown
