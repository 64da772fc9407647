"""`request --jq`: jq's own language through libjq, compared with the jq binary on the same bodies."""
import json
import os
import subprocess

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
    assert_one_line_error(result, 2, "--jq filter does not compile", "syntax error")
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


def test_libjq_is_loaded_only_for_jq(apictl, ref, dz, tmp_path):
    def opened(*args):
        trace = tmp_path / "trace"
        subprocess.run(["strace", "-f", "-e", "trace=openat", "-o", str(trace), APICTL, *args],
                       env=dict(apictl.env, **dz), capture_output=True, timeout=30)
        return "libjq.so" in trace.read_text()
    assert not opened("request", "GET", "/requests")
    assert opened("request", "GET", "/requests", "--jq", ".data")
