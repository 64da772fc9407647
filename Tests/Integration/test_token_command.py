"""token_command (issue 16): the token from a password manager's CLI, with real
`pass` (GnuPG key made here) and `aws secretsmanager` (against moto's server), failures as one line with exit 9, and answers
kept in the kernel keyring while they are valid."""
import json
import os
import subprocess

import pytest

from conftest import assert_one_line_error, start_on_free_port

# kernel keys live in the user's keyring, which every worker shares: one worker runs these
pytestmark = pytest.mark.xdist_group("kernel-keyring")


@pytest.fixture(scope="module")
def password_store(tmp_path_factory):
    home = tmp_path_factory.mktemp("pass")
    env = dict(os.environ, GNUPGHOME=str(home / "gnupg"), PASSWORD_STORE_DIR=str(home / "store"))
    (home / "gnupg").mkdir(mode=0o700)
    subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", "t@example.test", "default", "default", "never"],
                   env=env, check=True, capture_output=True)
    subprocess.run(["pass", "init", "t@example.test"], env=env, check=True, capture_output=True)
    return env


@pytest.fixture
def dz(apictl, ref):
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    yield apictl
    apictl.run("credentials", "lock")   # kept answers live in the kernel keyring


def command(apictl, ref, text, *extra):
    assert apictl.run("profile", "add", "dz", "--force", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"),
                      "--token-command", text, *extra).code == 0


def counting_script(tmp_path, body):
    """A token command that notes each run in runs.txt."""
    script = tmp_path / "answer.sh"
    script.write_text(f"#!/bin/sh\necho run >> {tmp_path}/runs.txt\n{body}\n")
    script.chmod(0o700)
    return script


def runs(tmp_path):
    path = tmp_path / "runs.txt"
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_pass_as_the_token_command(dz, ref, password_store):
    key = ref.key("dzdesk", scopes=["requests:read"])
    subprocess.run(["pass", "insert", "-m", "apictl/dz"], input=f"{key}\nuser: me\n", text=True, env=password_store, check=True,
                   capture_output=True)
    command(dz, ref, "pass show apictl/dz")
    dz.env.update(GNUPGHOME=password_store["GNUPGHOME"], PASSWORD_STORE_DIR=password_store["PASSWORD_STORE_DIR"])
    assert dz.run("request", "GET", "/me").code == 0
    who = dz.run("whoami")
    assert "credential:  command `pass show apictl/dz`" in who.out and key not in who.out + who.err
    assert json.loads(dz.run("whoami", "--json").out)["source"] == "command"
    assert dz.run("token", "print").out.strip() == key     # the first line of pass's answer


def test_the_command_gets_no_stdin_and_knows_its_profile(dz, ref, tmp_path):
    key = ref.key("dzdesk", scopes=["requests:read", "requests:write"])
    script = counting_script(tmp_path, f'cat > {tmp_path}/stdin.txt\necho "$APICTL_PROFILE/$APICTL_ENV" > {tmp_path}/who.txt\necho {key}')
    command(dz, ref, str(script))
    result = dz.run("request", "POST", "/requests", "-d", "@-", "-H", "Content-Type: application/json",
                    input='{"title": "from stdin"}')
    assert result.code == 0 and json.loads(result.out)["data"]["title"] == "from stdin", result
    assert (tmp_path / "stdin.txt").read_text() == ""
    assert (tmp_path / "who.txt").read_text().strip() == "dz/"


@pytest.mark.parametrize("text, fragment", [
    ("no-such-password-manager", "exit 127"),
    ("echo 'vault: permission denied' >&2; exit 3", "exit 3): vault: permission denied"),
    ("true", "printed nothing"),
    ("sleep 5", "did not answer within 1s"),
    ("echo '{not json'", "does not parse"),
    ('echo \'{"token": "t", "expires_at": "2001-01-01T00:00:00Z"}\'', "already expired"),
    ('echo \'{"token": "t", "expires_at": "soon"}\'', "not a date"),
    ('echo \'{"kind": "ExecCredential", "status": {}}\'', "ExecCredential without a token"),
])
def test_failures_are_one_line_exit_9(dz, ref, text, fragment):
    command(dz, ref, text, "--token-command-timeout", "1s")
    result = dz.run("request", "GET", "/me")
    assert_one_line_error(result, 9, "the token command", fragment)


@pytest.mark.parametrize("text, fragment", [
    ("printf 'abc\\342\\200\\250def'", "line break (U+2028)"),   # not an end of line that leaves 'abc' to send
    ("printf 'abc\\377def'", "a byte that is not UTF-8"),
    ("printf 'abc\\342\\200\\213def'", "invisible character U+200B"),
])
def test_a_key_no_request_may_carry_is_refused_whole(dz, ref, text, fragment):
    command(dz, ref, text)
    sent = len([e for e in ref.log() if e["path"].endswith("/me")])
    assert_one_line_error(dz.run("request", "GET", "/me"), 9, "the token from the command", fragment)
    assert len([e for e in ref.log() if e["path"].endswith("/me")]) == sent


def test_answers_with_an_expiry_are_kept_and_lock_forgets_them(dz, ref, tmp_path):
    key = ref.key("dzdesk", scopes=["requests:read"])
    script = counting_script(tmp_path, f'echo \'{{"kind": "ExecCredential", "status": {{"token": "{key}", '
                                       f'"expirationTimestamp": "2099-01-01T00:00:00Z"}}}}\'')
    command(dz, ref, str(script))
    for _ in range(3):
        assert dz.run("request", "GET", "/me").code == 0
    assert runs(tmp_path) == 1
    assert "forgot 1 kept token" in dz.run("credentials", "lock").err
    assert dz.run("request", "GET", "/me").code == 0 and runs(tmp_path) == 2


def test_plain_answers_are_kept_only_when_asked(dz, ref, tmp_path):
    key = ref.key("dzdesk", scopes=["requests:read"])
    script = counting_script(tmp_path, f"echo {key}")
    command(dz, ref, str(script))
    assert dz.run("request", "GET", "/me").code == 0 and dz.run("request", "GET", "/me").code == 0
    assert runs(tmp_path) == 2
    command(dz, ref, str(script), "--token-command-cache", "5m")
    assert dz.run("request", "GET", "/me").code == 0 and dz.run("request", "GET", "/me").code == 0
    assert runs(tmp_path) == 3


def test_a_401_drops_the_kept_answer_and_asks_again(dz, ref, tmp_path):
    first = ref.key("dzdesk", scopes=["requests:read"])
    second = ref.key("dzdesk", scopes=["requests:read"])
    # answers the first key once, the second ever after
    script = counting_script(tmp_path, f'if [ "$(wc -l < {tmp_path}/runs.txt)" -le 1 ]; then '
                                       f'echo \'{{"token": "{first}", "expires_in": 3600}}\'; '
                                       f'else echo \'{{"token": "{second}", "expires_in": "3600"}}\'; fi')
    command(dz, ref, str(script))
    assert dz.run("request", "GET", "/me").code == 0 and runs(tmp_path) == 1
    ref.admin("/keys/revoke", {"token": first})
    result = dz.run("request", "GET", "/me")
    assert result.code == 0 and runs(tmp_path) == 2, result
    assert dz.run("token", "print").out.strip() == second
    assert runs(tmp_path) == 2


def test_the_environment_still_wins(dz, ref, tmp_path):
    key = ref.key("dzdesk", scopes=["requests:read"])
    script = counting_script(tmp_path, "echo never-used")
    command(dz, ref, str(script))
    assert dz.run("request", "GET", "/me", env={"DZDESK_TOKEN": key}).code == 0
    assert runs(tmp_path) == 0


def test_token_list_adds_no_stored_row_for_a_command_answer(dz, ref, tmp_path):
    key = ref.key("dzdesk", scopes=["requests:read"], name="from-pass")
    command(dz, ref, str(counting_script(tmp_path, f"echo {key}")))
    names = [k["name"] for k in json.loads(dz.run("token", "list", "--json").out)]
    assert names == ["from-pass"]          # the API's key only: nothing here is stored
    assert_one_line_error(dz.run("token", "rotate"), 3, "no stored key to replace")


@pytest.fixture(scope="module")
def secrets_manager():
    """AWS Secrets Manager, as moto's server mode plays it, on a free loopback port."""
    import sys
    server, port = start_on_free_port([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "{port}"],
                                      "/moto-api/", "moto server")
    endpoint = f"http://127.0.0.1:{port}"
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    yield endpoint, env
    server.terminate()
    server.wait(5)


def test_aws_secrets_manager_as_the_token_command(dz, ref, secrets_manager):
    endpoint, aws_env = secrets_manager
    key = ref.key("dzdesk", scopes=["requests:read"])
    subprocess.run(["aws", "secretsmanager", "create-secret", "--endpoint-url", endpoint, "--name", "apictl/dz",
                    "--secret-string", key], env=dict(os.environ, **aws_env), check=True, capture_output=True)
    command(dz, ref, f"aws secretsmanager get-secret-value --endpoint-url {endpoint} --secret-id apictl/dz "
                     "--query SecretString --output text")
    dz.env.update(aws_env)
    assert dz.run("request", "GET", "/me").code == 0
    assert dz.run("token", "print").out.strip() == key
    missing = dz.run("request", "GET", "/me", env={"AWS_DEFAULT_REGION": "eu-west-1"})
    assert_one_line_error(missing, 9, "the token command `aws secretsmanager", "ResourceNotFoundException")
