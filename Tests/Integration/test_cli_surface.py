"""The parser and help, driven through the real binary."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import APICTL, assert_one_line_error


def command_names(help_text):
    section = help_text.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in section.splitlines() if line.strip()]


def all_commands(apictl, path=()):
    result = apictl.run(*path, "--help")
    assert result.code == 0, result
    yield path, result.out
    if "Commands:\n" in result.out:
        for name in command_names(result.out):
            yield from all_commands(apictl, (*path, name))


def test_every_command_has_help_with_usage_and_documented_options(apictl):
    seen = list(all_commands(apictl))
    paths = {" ".join(p) for p, _ in seen}
    assert {"", "profile", "profile add", "profile list", "request", "whoami"} <= paths
    for path, text in seen:
        assert text.startswith("apictl"), (path, text)
        assert "Usage:\n  apictl" in text, path
        assert "--profile NAME" in text and "--help" in text, path
        # every option line carries a description
        for line in text.splitlines():
            if re.match(r"^\s+(-\w, )?--[\w-]+", line):
                assert len(line.split("  ")) > 1 and line.strip().split("  ")[-1].strip(), (path, line)


def test_bare_command_and_groups_show_help(apictl):
    assert apictl.run().code == 0
    result = apictl.run("profile")
    assert result.code == 0 and "Commands:" in result.out and "add" in result.out


def test_version(apictl):
    result = apictl.run("--version")
    assert result.code == 0 and re.fullmatch(r"apictl \d+\.\d+\.\d+\n", result.out)


def test_libraries_beside_the_binary_are_not_loaded(apictl, tmp_path):
    """An installed apictl must not pick up a libcurl.so.4 someone drops in its
    directory (SwiftPM gives executables an $ORIGIN run path; release builds drop it)."""
    binary = tmp_path / "apictl"
    shutil.copy2(APICTL, binary)
    (tmp_path / "libcurl.so.4").write_bytes(b"not a library")
    result = subprocess.run([str(binary), "--version"], env=apictl.env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stdout.startswith("apictl "), result.stderr


def test_unknown_command_suggests_closest(apictl):
    assert_one_line_error(apictl.run("reqest"), 2, "unknown command 'reqest'", "did you mean 'request'?")
    assert_one_line_error(apictl.run("profile", "lst"), 2, "did you mean 'list'?")


def test_unknown_option_suggests_closest(apictl):
    assert_one_line_error(apictl.run("request", "GET", "/x", "--timout", "3"), 2, "unknown option '--timout'", "'--timeout'")
    assert_one_line_error(apictl.run("request", "GET", "/x", "-Z"), 2, "unknown option '-Z'")


def test_missing_value_and_arguments(apictl):
    assert_one_line_error(apictl.run("request", "GET", "/x", "--timeout"), 2, "--timeout needs a value")
    assert_one_line_error(apictl.run("request", "GET"), 2, "needs PATH", "usage:")
    assert_one_line_error(apictl.run("profile", "use", "a", "b"), 2, "unexpected argument 'b'")


def test_bad_values_are_usage_errors(apictl):
    assert_one_line_error(apictl.run("request", "GET", "/x", "--timeout", "soon"), 2, "--timeout takes a number")
    assert_one_line_error(apictl.run("request", "FETCH", "/x"), 2, "METHOD cannot be 'FETCH'")
    assert_one_line_error(apictl.run("profile", "add", "x", "--preset", "dzdsk"), 2, "did you mean 'dzdesk'?")
    assert_one_line_error(apictl.run("--no-color=yes"), 2, "is a flag and takes no value")


def test_option_spellings(apictl, ref):
    """--opt=value, --opt value, -ovalue, combined short flags, -- and repeatable options."""
    apictl.run("profile", "add", "dz", "--preset", "dzdesk", f"--base-url={ref.url('dzdesk', '/v1')}")
    token = ref.key("dzdesk")
    env = {"DZDESK_TOKEN": token}
    url = ref.url("_test", "/echo")
    result = apictl.run("request", "GET", url, "-HX-One: 1", "--header", "X-Two: 2", "-ivH", "X-Three: 3",
                        "--query=a=1", "--query", "b=2", env=env)
    assert result.code == 0, result
    assert result.out.startswith("HTTP/1.1 200")
    assert '"X-One": "1"' in result.out and '"X-Two": "2"' in result.out and '"X-Three": "3"' in result.out
    assert '"query": "a=1&b=2"' in result.out
    assert "> GET" in result.err  # -v from the -ivH cluster
    # after --, a dash-led word is a positional, not an option
    result = apictl.run("request", "GET", "--", "-notanoption", env=env)
    assert result.code == 1 and "404" in result.err


def test_help_command_and_version_command_match_the_flags(apictl):
    for words in (["request"], ["token", "rotate"], ["profile", "add"]):
        assert apictl.run("help", *words).out == apictl.run(*words, "--help").out != ""
    assert apictl.run("version").out == apictl.run("--version").out
    assert_one_line_error(apictl.run("help", "nosuchcommand"), 2, "nosuchcommand")


def test_a_missing_config_file_named_on_purpose_is_exit_3(apictl, tmp_path):
    missing = tmp_path / "missing.toml"
    assert_one_line_error(apictl.run("--config", str(missing), "whoami"), 3, str(missing), "no such file")
    assert_one_line_error(apictl.run("whoami", env={"APICTL_CONFIG": str(missing)}), 3, "no such file")


def test_with_no_profiles_the_hint_is_profile_add(apictl):
    assert_one_line_error(apictl.run("whoami"), 3, "no profiles yet", "apictl profile add")


def test_bad_values_on_the_command_line_are_usage_errors_naming_the_flag(apictl):
    assert_one_line_error(apictl.run("profile", "add", "x", "--base-url", "ftp://x"), 2, "--base-url 'ftp://x'")
    assert apictl.run("profile", "add", "x", "--base-url", "https://{host}/v1", "--var", "host=a.example").code == 0
    assert_one_line_error(apictl.run("request", "GET", "ht!tp://x", "-p", "x", env={"APICTL_TOKEN": "tok-x-1234"}), 2,
                          "neither a path")
    assert_one_line_error(apictl.run("--profile"), 2, "--profile needs a value: NAME")


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["version"], ["help", "request"], ["request", "--help"],
                                  ["completion", "bash"], ["help"]])
def test_output_to_a_full_or_closed_stdout_is_exit_10(apictl, args):
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([APICTL, *args], env=apictl.env, stdout=full, stderr=subprocess.PIPE, timeout=30)
    assert proc.returncode == 10 and b"cannot write to stdout" in proc.stderr, (args, proc)
    closed = subprocess.run([APICTL, *args], env=apictl.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            timeout=30, preexec_fn=lambda: os.close(1))
    assert closed.returncode == 10 and b"cannot write to stdout" in closed.stderr, (args, closed)
