"""Secrets go only where they were meant to (issue 23): credentials bound to the origin
they were obtained for, real loopback only, proxies, pagination across origins,
injection from every source, core dumps, and what children inherit."""
import json
import os
import resource
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import APICTL, assert_one_line_error
from keyring import SessionBus

PASS = {"APICTL_PASSPHRASE": "correct horse battery staple", "APICTL_CREDENTIAL_STORE": "file"}


def sent_headers(ref, since, path):
    """The headers of what reached the server at `path` since log entry `since`."""
    return [entry["headers"] for entry in ref.log()[since:] if entry["path"].startswith(path)]


def reached(ref, since):
    """What apictl sent the server since log entry `since` (the log's own reads left out)."""
    return [entry for entry in ref.log()[since:] if not entry["path"].startswith("/_admin")]


def write_config(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


# --- a stored credential follows its origin, not the profile name --------------------

@pytest.fixture
def stored_prod(apictl, ref):
    """Profile `prod` at 127.0.0.1 with a key stored through login."""
    apictl.env.update(PASS)
    key = ref.key("dzdesk", scopes=["requests:read"])
    assert apictl.run("profile", "add", "prod", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    assert apictl.run("login", "--with-token", input=key).code == 0
    apictl.key = key
    return apictl


@pytest.mark.parametrize("auth", ["bearer", "query:api_key"])
def test_another_config_pointing_the_profile_elsewhere_gets_no_token(stored_prod, ref, tmp_path, auth):
    other = write_config(tmp_path / "other.toml", f"""
[profiles.prod]
auth = "{auth}"
base_url = "{ref.url('_test', '', host='localhost')}"
""")
    since = len(ref.log())
    for how in (["--config", other], []):
        env = {} if how else {"APICTL_CONFIG": other}
        result = stored_prod.run(*how, "-p", "prod", "request", "GET", "/echo", env=env)
        assert_one_line_error(result, 4, f"obtained for http://127.0.0.1:{ref.port}", f"http://localhost:{ref.port}",
                              "apictl login -p prod")
    assert reached(ref, since) == [], "nothing reached the other origin"
    # the profile's own config still works
    assert stored_prod.run("request", "GET", "/me").code == 0


@pytest.mark.xdist_group("kernel-keyring")   # kernel keys: see test_keyring_copies.py
def test_a_kept_command_answer_serves_only_its_own_command(apictl, ref, tmp_path):
    first, second = ref.key("dzdesk"), ref.key("dzdesk")
    base = ref.url("dzdesk", "/v1")
    a = write_config(tmp_path / "a.toml", f'[profiles.prod]\nauth = "bearer"\nbase_url = "{base}"\n'
                                          f'token_command = ["/bin/echo", "{first}"]\ntoken_command_cache = "60s"\n')
    b = write_config(tmp_path / "b.toml", f'[profiles.prod]\nauth = "bearer"\nbase_url = "{base}"\n'
                                          f'token_command = ["/bin/echo", "{second}"]\ntoken_command_cache = "60s"\n')
    env = {"APICTL_PASSPHRASE_CACHE": "0"}
    try:
        since = len(ref.log())
        assert apictl.run("--config", a, "-p", "prod", "request", "GET", "/me", env=env).code == 0
        assert apictl.run("--config", b, "-p", "prod", "request", "GET", "/me", env=env).code == 0
        sent = [h.get("Authorization") for h in sent_headers(ref, since, "/dzdesk/v1/me")]
        assert sent == [f"Bearer {first}", f"Bearer {second}"]
    finally:
        apictl.run("--config", a, "credentials", "lock")


def test_a_record_of_an_earlier_version_is_bound_at_its_first_use(apictl, ref):
    bus = SessionBus(with_keyring=True)
    try:
        apictl.env.update(bus.env)
        key = ref.key("dzdesk", scopes=["requests:read"])
        assert apictl.run("profile", "add", "prod", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
        record = json.dumps({"token": key, "kind": "api_key"})
        stored = bus.run("secret-tool", "store", "--label=old apictl", "xdg:schema", "dev.apictl.Credential",
                         "profile", "prod", "environment", "default", "application", "apictl", input=record)
        assert stored.returncode == 0, stored.stderr
        first = apictl.run("request", "GET", "/me")
        assert first.code == 0, first
        assert "now bound to http://127.0.0.1" in first.err
        second = apictl.run("request", "GET", "/me")
        assert second.code == 0 and second.err == "", second
        bound = json.loads(bus.run("secret-tool", "lookup", "profile", "prod", "environment", "default").stdout)
        assert bound["origin"] == f"http://127.0.0.1:{ref.port}"
    finally:
        bus.stop()


# --- plain http only to real loopback, never through a proxy ---------------------------

@pytest.mark.parametrize("host", ["127.attacker.example", "127.0.0.1.nip.io", "localhost.example.com"])
def test_plain_http_to_a_name_that_looks_like_loopback_is_refused(apictl, host):
    assert apictl.run("profile", "add", "p", "--base-url", f"http://{host}:9/v1").code == 0
    result = apictl.run("request", "GET", "/me", env={"APICTL_TOKEN": "tok-looks-loopback-1"})
    assert_one_line_error(result, 3, "plain http", host)


def test_a_credential_never_crosses_a_plain_http_proxy(apictl, ref, proxy):
    assert apictl.run("profile", "add", "p", "--base-url", ref.url("_test")).code == 0
    since = len(ref.log())
    result = apictl.run("request", "GET", "/echo", env={"APICTL_TOKEN": "tok-via-proxy-1", "http_proxy": proxy.url})
    assert_one_line_error(result, 3, "through the proxy", proxy.url, "NO_PROXY")
    assert reached(ref, since) == []
    # without a credential the request goes through the proxy, and -v names it
    plain = apictl.run("request", "GET", "/echo", "-v", env={"http_proxy": proxy.url})
    assert plain.code == 0, plain
    assert f"* via proxy {proxy.url}" in plain.err
    assert "Via" in json.loads(plain.out)["headers"] or "via" in {k.lower() for k in json.loads(plain.out)["headers"]}
    # NO_PROXY sends it direct, credential and all
    direct = apictl.run("request", "GET", "/echo", "-v", env={"APICTL_TOKEN": "tok-via-proxy-1", "http_proxy": proxy.url,
                                                              "NO_PROXY": "127.0.0.1"})
    assert direct.code == 0 and "via proxy" not in direct.err, direct
    assert json.loads(direct.out)["headers"]["Authorization"] == "Bearer tok-via-proxy-1"


# --- pagination obeys the redirect rule ----------------------------------------------

def test_a_next_page_on_another_origin_gets_no_credential(apictl, ref):
    assert apictl.run("profile", "add", "p", "--base-url", ref.url("_test"), "--auth", "header:X-API-Key").code == 0
    elsewhere = f"http://localhost:{ref.port}/_test/pages"
    result = apictl.run("request", "GET", "/pages", "--query", "next=" + elsewhere, "--paginate",
                        "-H", "Authorization: Bearer user-given-1", "-H", "Cookie: session=user-given-2",
                        "-H", "Proxy-Authorization: Basic dXNlcjpwdw==", env={"APICTL_TOKEN": "tok-pages-1"})
    assert result.code == 0, result
    first, second = json.loads(result.out)
    assert first["authorization"] == "Bearer user-given-1" and first["x-api-key"] == "tok-pages-1" and "cookie" in first
    assert second["host"].startswith("localhost")
    assert not {"authorization", "cookie", "proxy-authorization", "x-api-key"} & set(second), second


USER_CREDENTIALS = {"Authorization": "Bearer user-given-1", "Cookie": "session=user-given-2",
                    "Proxy-Authorization": "Basic dXNlcjpwdw==", "X-API-Key": "user-given-3", "Api-Key": "user-given-4",
                    "X-Auth-Token": "user-given-5", "Private-Token": "user-given-6", "X-Amz-Security-Token": "user-given-7"}


@pytest.mark.parametrize("hop", ["next page", "redirect"])
def test_every_credential_header_is_dropped_on_a_cross_origin_hop(apictl, ref, hop):
    assert apictl.run("profile", "add", "p", "--base-url", ref.url("_test"), "--auth", "header:X-Custom-Key").code == 0
    elsewhere = f"http://localhost:{ref.port}/_test/pages"
    headers = [word for name, value in USER_CREDENTIALS.items() for word in ("-H", f"{name}: {value}")]
    if hop == "next page":
        result = apictl.run("request", "GET", "/pages", "--query", "next=" + elsewhere, "--paginate", *headers,
                            env={"APICTL_TOKEN": "tok-hop-1"})
        assert result.code == 0, result
        first, second = json.loads(result.out)
        assert set(first) >= {name.lower() for name in USER_CREDENTIALS}, first
    else:
        result = apictl.run("request", "GET", "/redirect", "--query", "to=" + elsewhere, *headers,
                            env={"APICTL_TOKEN": "tok-hop-1"})
        assert result.code == 0, result
        [second] = json.loads(result.out)
    assert second["host"].startswith("localhost")
    assert set(second) == {"host", "query"}, second


def test_verbose_dry_run_and_curl_show_no_credential_header_or_url_password(apictl, ref):
    assert apictl.run("profile", "add", "p", "--base-url", ref.url("_test"), "--token-env", "P_TOKEN").code == 0
    headers = [word for name, value in USER_CREDENTIALS.items() for word in ("-H", f"{name}: {value}")]
    with_password = f"http://someone:url-password-1@127.0.0.1:{ref.port}/_test/echo"
    env = {"P_TOKEN": "tok-shown-1"}
    for args in (["-v"], ["--dry-run"], ["--curl"]):
        for target in ("/echo", with_password):
            result = apictl.run("request", "GET", target, *headers, *args, env=env)
            assert result.code == 0, result
            shown = result.err if args == ["-v"] else result.out
            for value in list(USER_CREDENTIALS.values()) + ["url-password-1", "tok-shown-1", "dXNlcjpwdw=="]:
                assert value not in shown, (args, value, shown)
            assert "[REDACTED]" in shown


def test_secrets_in_the_query_a_url_user_or_an_underscored_header_are_redacted_too(apictl, ref):
    """Servers read api%5Fkey as api_key and X_API_KEY as X-API-Key; https://TOKEN@host is how
    tokens are often given. None of them shows, in any of the three views."""
    assert apictl.run("profile", "add", "p", "--base-url", ref.url("_test"), "--token-env", "P_TOKEN").code == 0
    env = {"P_TOKEN": "tok-shown-2"}
    targets = ["/echo?api_key=query-secret-1&access_token=query-secret-2&api%5Fkey=query-secret-3&page=2",
               f"http://url-user-token-1@127.0.0.1:{ref.port}/_test/echo"]
    for args in (["-v"], ["--dry-run"], ["--curl"]):
        for target in targets:
            result = apictl.run("request", "GET", target, "-H", "X_API_KEY: underscored-secret-1", *args, env=env)
            assert result.code == 0, result
            shown = result.err if args == ["-v"] else result.out
            for value in ("query-secret-1", "query-secret-2", "query-secret-3", "url-user-token-1", "underscored-secret-1",
                          "tok-shown-2"):
                assert value not in shown, (args, value, shown)
            assert "page=2" in shown or "page=2" not in target, shown   # what is not secret stays


def test_secrets_by_their_names_are_redacted_in_every_view(apictl, ref):
    """Beyond the fixed lists: a query parameter or header whose name says it holds a key, a
    signature, a password or a token (Google's key=, Azure's sig=, AWS's X-Amz-Signature)."""
    assert apictl.run("profile", "add", "p", "--base-url", ref.url("_test"), "--token-env", "P_TOKEN").code == 0
    target = ("/echo?key=named-secret-1&sig=named-secret-2&password=named-secret-3&X-Amz-Signature=named-secret-4"
              "&client_secret=named-secret-5&key[]=named-secret-9&sig[0]=named-secret-10&key+=named-secret-11&page=2")
    headers = ["-H", "X-Access-Token: named-secret-6", "-H", "X-Api-Secret: named-secret-7", "-H", "Authentication: named-secret-8"]
    for args in (["-v"], ["--dry-run"], ["--curl"]):
        result = apictl.run("request", "GET", target, *headers, *args, env={"P_TOKEN": "tok-shown-3"})
        assert result.code == 0, result
        shown = result.err if args == ["-v"] else result.out
        assert "named-secret" not in shown and "page=2" in shown, (args, shown)


def test_a_base_url_with_a_fragment_is_refused(apictl, ref, tmp_path):
    """A path appended after '#' is never sent, nor is a key hidden there."""
    result = apictl.run("profile", "add", "f", "--base-url", "https://api.example.com/#access_token=frag-secret")
    assert_one_line_error(result, 2, "fragment")
    config = tmp_path / "frag.toml"
    config.write_text('[profiles.f]\nauth = "bearer"\nbase_url = "https://api.example.com/v1#x"\n')
    assert_one_line_error(apictl.run("--config", str(config), "-p", "f", "request", "GET", "/me"), 3, "fragment")


def test_a_servers_header_values_cannot_repaint_the_terminal(apictl, ref):
    """-i and -v show a server's header values and reason with control characters escaped."""
    ref.fault(api="dzdesk", method="GET", path="/v1/esc", status=200, count=2, body="{}",
              headers={"Content-Type": "application/json", "X-Evil": "\x1b]0;RETITLED\x07\x1b[2J"})
    for args in (["-i"], ["-v"]):
        result = apictl.run("request", "GET", ref.url("dzdesk", "/v1/esc"), *args)
        assert result.code == 0, result
        shown = result.out + result.err
        assert "\x1b" not in shown and "\x07" not in shown, (args, shown)
        assert "X-Evil: \\u{1B}]0;RETITLED\\u{7}" in shown, (args, shown)


def test_an_underscored_credential_header_does_not_follow_a_redirect_elsewhere(apictl, ref):
    assert apictl.run("profile", "add", "p", "--base-url", ref.url("_test")).code == 0
    elsewhere = f"http://localhost:{ref.port}/_test/echo"
    result = apictl.run("request", "GET", "/redirect", "--query", "to=" + elsewhere, "-H", "X_API_KEY: underscored-secret-2")
    assert result.code == 0, result
    assert "underscored-secret-2" not in result.out and "X_API_KEY" not in json.loads(result.out)["headers"], result


def test_a_credential_header_that_is_not_text_is_refused(apictl, ref):
    assert apictl.run("profile", "add", "p", "--base-url", ref.url("_test")).code == 0
    since = len(ref.log())
    for args in (["--dry-run"], []):
        result = subprocess.run([APICTL, "request", "GET", "/echo", *args, "-H", b"Authorization: Bearer raw-secret-1\xe9"],
                                env=dict(apictl.env, APICTL_TOKEN="tok-raw-1"), capture_output=True)
        assert result.returncode == 2, result
        assert b"raw-secret-1" not in result.stdout + result.stderr and b"not UTF-8 text" in result.stderr, result
    assert reached(ref, since) == []


def test_a_crash_runs_no_swift_backtrace_from_the_current_directory(apictl, ref, tmp_path):
    """Run by name from PATH, the Swift runtime would look for its crash helper beside
    argv[0], that is in the current directory: a cloned repository could plant one."""
    bin_dir, project = tmp_path / "bin", tmp_path / "project"
    bin_dir.mkdir()
    project.mkdir()
    (bin_dir / "apictl").symlink_to(APICTL)
    planted = project / "swift-backtrace"
    planted.write_text(f"#!/bin/sh\ntouch {project}/ran\n")
    planted.chmod(0o755)
    env = dict(apictl.env, PATH=f"{bin_dir}:{apictl.env['PATH']}", APICTL_TOKEN="tok-crash-1")
    process = subprocess.Popen(["apictl", "request", "GET", ref.url("_test", "/hang?seconds=10")], cwd=project, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(0.7)
    process.send_signal(signal.SIGSEGV)
    _, err = process.communicate(timeout=20)
    assert process.returncode == -signal.SIGSEGV, (process.returncode, err[-300:])
    assert not (project / "ran").exists() and b"Backtracing" not in err, err[-300:]


# --- no injection from any source ----------------------------------------------------

def test_line_breaks_in_a_token_are_refused_from_every_source(apictl, ref, tmp_path):
    assert apictl.run("profile", "add", "p", "--base-url", ref.url("_test"), "--token-env", "P_TOKEN").code == 0
    since = len(ref.log())
    for name in ("APICTL_TOKEN", "P_TOKEN"):
        assert_one_line_error(apictl.run("request", "GET", "/echo", env={name: "tok\r\nX-Evil: 1"}), 4, name, "line break")
    command = tmp_path / "answer.sh"
    command.write_text('#!/bin/sh\nprintf \'{"token": "tok\\\\r\\\\nX-Evil: 1"}\'\n')
    command.chmod(0o755)
    assert apictl.run("profile", "add", "c", "--base-url", ref.url("_test"), "--token-command", str(command)).code == 0
    assert_one_line_error(apictl.run("-p", "c", "request", "GET", "/echo"), 9, "the token from the command", "line break")
    assert reached(ref, since) == []


@pytest.mark.parametrize("value, fragment", [(r"a\r\nX-Evil: 1", "headers.X-Trace holds a line break"),
                                             (r"a\u0000b", "line 5: a \\u0000 escape (a NUL byte)"),
                                             (r"a\nb", "headers.X-Trace holds a line break")])
def test_line_breaks_and_nuls_in_a_config_header_are_refused(apictl, ref, value, fragment):
    apictl.config_path.parent.mkdir(parents=True, exist_ok=True)
    apictl.config_path.write_text(f'[profiles.p]\nauth = "bearer"\nbase_url = "{ref.url("_test")}"\n'
                                  f'[profiles.p.headers]\nX-Trace = "{value}"\n')
    since = len(ref.log())
    assert_one_line_error(apictl.run("-p", "p", "request", "GET", "/echo"), 3, fragment)
    assert reached(ref, since) == []


# --- no secret in a core file; children get only what they need ---------------------------

def test_a_crash_leaves_no_core_file_with_the_token(apictl, tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    token = "tok-core-dump-0123456789"

    def unlimited():
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    def crash(argv, env):
        work = tempfile.mkdtemp(dir=tmp_path)
        proc = subprocess.Popen(argv, cwd=work, env=env, preexec_fn=unlimited, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        return proc, work

    # The control: this machine writes a core file for a crashing process, so the check can fail.
    control, control_dir = crash(["sleep", "30"], dict(apictl.env))
    time.sleep(0.3)
    control.send_signal(signal.SIGSEGV)
    control.wait(10)
    if not any(name.startswith("core") for name in os.listdir(control_dir)):
        pytest.skip("this machine writes no core file into the working folder (core_pattern)")

    # A debug build's Swift backtracer would print the crash (and wait on a non-dumpable process); releases have none.
    proc, work = crash([APICTL, "request", "GET", f"http://127.0.0.1:{port}/me"],
                       dict(apictl.env, APICTL_TOKEN=token, SWIFT_BACKTRACE="enable=no"))
    connection, _ = listener.accept()           # apictl is waiting for the answer, token in memory
    time.sleep(0.2)
    proc.send_signal(signal.SIGSEGV)
    proc.wait(10)
    connection.close()
    listener.close()
    assert proc.returncode == -signal.SIGSEGV
    for name in os.listdir(work):
        assert token.encode() not in (Path(work) / name).read_bytes(), name
    assert not any(name.startswith("core") for name in os.listdir(work))


# Every value apictl treats as secret, set as a CI job or a user would set them: the
# profile's token_env, another profile's token_env, an OAuth client secret, passphrases.
CHILD_SECRETS = {"APICTL_PASSPHRASE": "pass-not-for-children", "APICTL_PASSPHRASE_FILE": "/nonexistent",
                 "APICTL_NEW_PASSPHRASE": "new-pass-not-for-children", "OTHER_API_TOKEN": "other-token-not-for-children",
                 "DZDESK_CLIENT_SECRET": "client-secret-not-for-children"}


def env_dump(tmp_path, name, then=""):
    """A script that writes the environment it was given to a file, then runs `then`."""
    script = tmp_path / f"{name}.sh"
    script.write_text(f'#!/bin/sh\nenv > "{tmp_path}/{name}.env"\n{then}\n')
    script.chmod(0o755)
    return script, tmp_path / f"{name}.env"


def assert_no_secret_in(dump, *extra):
    text = dump.read_text()
    for name, value in list(CHILD_SECRETS.items()) + [(n, v) for n, v in extra]:
        assert f"{name}=" not in text and value not in text, f"{name} reached the child"
    assert "PATH=" in text                                  # the rest of the environment is still there


def secret_profiles(apictl, ref, **options):
    """Profiles whose config names the secret variables: apictl must keep them from children."""
    assert apictl.run("profile", "add", "other", "--base-url", ref.url("_test"), "--token-env", "OTHER_API_TOKEN").code == 0
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"),
                      *[word for option, value in options.items() for word in (f"--{option}", value)]).code == 0


def test_a_token_command_gets_none_of_apictls_secrets(apictl, ref, tmp_path):
    command, dump = env_dump(tmp_path, "command", "echo tok-from-command")
    assert apictl.run("profile", "add", "c", "--base-url", ref.url("_test"), "--token-command", str(command)).code == 0
    secret_profiles(apictl, ref)
    result = apictl.run("-p", "c", "request", "GET", "/echo", env=CHILD_SECRETS)
    assert result.code == 0, result
    assert json.loads(result.out)["headers"]["Authorization"] == "Bearer tok-from-command"
    assert_no_secret_in(dump)


def test_the_pager_gets_none_of_apictls_secrets(apictl, ref, tmp_path):
    pager, dump = env_dump(tmp_path, "pager", "exec cat")
    secret_profiles(apictl, ref)
    key = ref.key("dzdesk", scopes=["requests:read"])
    shown = apictl.run_tty("-p", "dz", "request", "GET", "/me",
                           env=dict(CHILD_SECRETS, DZDESK_TOKEN=key, APICTL_PAGER=str(pager)))
    assert shown.code == 0 and "user_" in shown.out, shown
    assert_no_secret_in(dump, ("DZDESK_TOKEN", key))


def test_the_browser_gets_none_of_apictls_secrets(apictl, ref, tmp_path):
    browser_script = Path(__file__).resolve().parent / "fake_browser.py"
    browser, dump = env_dump(tmp_path, "browser", f'exec python3 {browser_script} "$1"')
    secret_profiles(apictl, ref, auth="oauth2", **{"oauth-issuer": ref.url("dzdesk", "/oauth"), "oauth-client-id": "cli-app"})
    apictl.env.update(PASS)
    result = apictl.run("-p", "dz", "login", env=dict(CHILD_SECRETS, APICTL_TOKEN="env-token-not-for-children",
                                                      BROWSER=str(browser)))
    assert result.code == 0, result
    assert_no_secret_in(dump, ("APICTL_TOKEN", "env-token-not-for-children"))


# --- the store's folder is checked as ssh checks ~/.ssh --------------------------------

@pytest.fixture
def filed(apictl, ref):
    """A key in the encrypted file, and the folder it lives in."""
    apictl.env.update(PASS)
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    assert apictl.run("login", "--with-token", input=ref.key("dzdesk", scopes=["requests:read"])).code == 0
    apictl.data = apictl.home / "data/apictl"
    assert (apictl.data / "credentials.enc").exists()
    return apictl


def test_a_data_folder_others_can_write_is_refused(filed):
    os.chmod(filed.data, 0o777)
    try:
        for args in (["request", "GET", "/me"], ["login", "--with-token", "--no-verify"]):
            result = filed.run(*args, input="x")
            assert_one_line_error(result, 9, str(filed.data), "other users", f"chmod 700 {filed.data}")
    finally:
        os.chmod(filed.data, 0o700)
    assert filed.run("request", "GET", "/me").code == 0


def test_a_credential_file_that_is_a_link_or_a_folder_is_named_as_such(filed, tmp_path):
    store = filed.data / "credentials.enc"
    store.rename(tmp_path / "elsewhere.enc")
    store.symlink_to(tmp_path / "elsewhere.enc")
    assert_one_line_error(filed.run("request", "GET", "/me"), 9, "credentials.enc is a symbolic link")
    store.unlink()
    store.mkdir()
    assert_one_line_error(filed.run("request", "GET", "/me"), 9, "credentials.enc is a folder")


def test_a_lock_held_by_another_process_is_waited_for_then_refused(filed):
    import fcntl
    lock_path = filed.data / "credentials.enc.lock"
    with open(lock_path, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        started = time.time()
        result = filed.run("login", "--with-token", "--no-verify", input="another-key-123", timeout=30)
        waited = time.time() - started
    assert_one_line_error(result, 9, str(lock_path), "gave up waiting")
    assert 9 <= waited < 15, waited


# --- the keyring is never started by apictl ------------------------------------------------

def test_a_dead_keyring_is_not_running_and_not_restarted(apictl, ref):
    bus = SessionBus(with_keyring=True)
    try:
        apictl.env.update(bus.env)
        assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
        assert apictl.run("login", "--with-token", input=ref.key("dzdesk", scopes=["requests:read"])).code == 0
        pid = bus.daemon_pid()
        os.kill(pid, signal.SIGKILL)
        deadline = time.time() + 5
        while bus.daemon_pid() and time.time() < deadline:
            time.sleep(0.05)
        for store in ("auto", "keyring"):
            result = apictl.run("request", "GET", "/me", env={"APICTL_CREDENTIAL_STORE": store})
            assert_one_line_error(result, 9, "not running", "does not start it")
        assert bus.daemon_pid() is None, "apictl started a keyring daemon through D-Bus activation"
    finally:
        bus.stop()


# --- redaction ---------------------------------------------------------------------

def test_a_basic_password_quoted_alone_by_the_server_is_redacted(apictl, ref):
    assert apictl.run("profile", "add", "b", "--base-url", ref.url("dzdesk", "/v1"), "--auth", "basic").code == 0
    ref.fault(api="dzdesk", method="GET", path="/v1/me", status=401, code="BAD_PASSWORD",
              message="the password hunter22-pw is not alice's", count=1)
    result = apictl.run("request", "GET", "/me", "-v", env={"APICTL_TOKEN": "alice:hunter22-pw"})
    assert result.code == 4 and "the password [REDACTED] is not alice's" in result.err, result
    assert "hunter22-pw" not in result.err


# --- names and modes: nothing named by a config leaves apictl's folders -------------------

@pytest.mark.parametrize("name", ["../../escaped", "a/b", "x\u001b]2;t\u0007", ".hidden", "-p"])
def test_a_hand_written_profile_name_is_checked_before_any_file_is_named_after_it(apictl, ref, tmp_path, name):
    apictl.config_path.parent.mkdir(parents=True)
    quoted = json.dumps(name)                                   # TOML reads JSON's string escapes
    apictl.config_path.write_text(f'[profiles.{quoted}]\nauth = "bearer"\nbase_url = "{ref.url("_test")}"\n'
                                  f'[profiles.{quoted}.tokens]\ncreate = "POST /keys"\n')
    for args in (["request", "GET", "/echo"], ["token", "rotate"], ["api", "sync"], ["logout"]):
        result = apictl.run("-p", name, *args, env=PASS)
        assert_one_line_error(result, 3, "profile name", "is not valid")
        assert "\x1b" not in result.err
    assert not (apictl.home / "escaped").exists() and not (apictl.home / "data/escaped").exists()


@pytest.mark.parametrize("variable", ["A B", "TOKEN=x", "1TOKEN", "$(id)", ""])
def test_a_token_env_that_is_not_a_variable_name_is_a_config_error(apictl, ref, variable):
    apictl.config_path.parent.mkdir(parents=True)
    apictl.config_path.write_text(f'[profiles.p]\nauth = "bearer"\nbase_url = "{ref.url("_test")}"\ntoken_env = "{variable}"\n')
    assert_one_line_error(apictl.run("-p", "p", "request", "GET", "/echo"), 3, "token_env", "not an environment variable name")


@pytest.mark.parametrize("variable", ["PATH", "HOME", "XDG_CONFIG_HOME"])
def test_a_token_env_naming_a_system_variable_is_refused(apictl, ref, variable):
    """Its value would be sent as a token, and kept from every child as a secret (a pager without PATH)."""
    apictl.config_path.parent.mkdir(parents=True)
    apictl.config_path.write_text(f'[profiles.p]\nauth = "bearer"\nbase_url = "{ref.url("_test")}"\ntoken_env = "{variable}"\n')
    since = len(ref.log())
    assert_one_line_error(apictl.run("-p", "p", "request", "GET", "/echo"), 3, "token_env", "a variable the system uses")
    assert [e for e in ref.log()[since:] if not e["path"].startswith("/_admin")] == []
    assert_one_line_error(apictl.run("profile", "add", "q", "--base-url", ref.url("_test"), "--token-env", variable),
                          2, "--token-env", "a variable the system uses")


def test_the_config_file_is_created_0600_and_keeps_the_mode_it_was_given(apictl, ref):
    assert apictl.run("profile", "add", "p", "--base-url", ref.url("_test")).code == 0
    assert apictl.config_path.stat().st_mode & 0o777 == 0o600
    assert apictl.config_path.parent.stat().st_mode & 0o777 == 0o700
    apictl.config_path.chmod(0o640)
    assert apictl.run("profile", "set", "p", "--whoami", "/echo").code == 0
    assert apictl.config_path.stat().st_mode & 0o777 == 0o640


def test_the_cache_folder_is_private(apictl, ref, tmp_path):
    description = tmp_path / "d.json"
    description.write_text(json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}))
    cache = apictl.home / ".cache/apictl"
    cache.mkdir(parents=True, mode=0o755)
    cache.chmod(0o755)                                          # as an earlier version left it
    assert apictl.run("profile", "add", "p", "--base-url", ref.url("_test"), "--openapi", str(description)).code == 0
    assert apictl.run("api", "sync", "-p", "p").code == 0
    assert cache.stat().st_mode & 0o777 == 0o700
    assert (cache / "openapi").stat().st_mode & 0o777 == 0o700
