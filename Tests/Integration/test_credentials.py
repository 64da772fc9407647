"""The credential stores, login / logout / whoami / token print / doctor, with a
real gnome-keyring under dbus-run-session, with no bus, and with a bus but no
Secret Service."""
import concurrent.futures
import hashlib
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import APICTL, assert_one_line_error
from keyring import SessionBus

PASS = {"APICTL_PASSPHRASE": "correct horse battery staple"}


@pytest.fixture
def dz(apictl, ref):
    assert apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1")).code == 0
    return ref.key("dzdesk", scopes=["requests:read"])


def lookup(bus, profile, environment="default"):
    return bus.run("secret-tool", "lookup", "profile", profile, "environment", environment)


# --- the keyring -------------------------------------------------------------

def test_login_stores_in_keyring_readable_by_secret_tool(apictl, ref, bus, dz):
    apictl.env.update(bus.env)
    result = apictl.run("login", "--with-token", input=dz + "\n")
    assert result.code == 0, result
    assert "key stored in the keyring (Secret Service)" in result.err and "as user@company.com" in result.err
    assert dz not in result.err + result.out
    record = json.loads(lookup(bus, "dz").stdout)
    assert record["token"] == dz and record["scopes"] == ["requests:read"] and record["kind"] == "api_key"
    # it is used for requests, and whoami says where it came from
    assert apictl.run("request", "GET", "/me").code == 0
    who = apictl.run("whoami")
    assert "credential:  keyring (Secret Service)" in who.out and dz not in who.out
    assert apictl.run("token", "print").out == dz + "\n"
    # logout removes it
    out = apictl.run("logout")
    assert out.code == 0 and "removed its key from the keyring" in out.err
    assert lookup(bus, "dz").stdout == ""
    again = apictl.run("logout")                      # nothing stored: a note, not a failure
    assert again.code == 0 and "nothing to log out of" in again.err, again
    assert_one_line_error(apictl.run("token", "print"), 4, "no credential for profile 'dz'")


def test_environments_are_separate_items(apictl, ref, bus):
    apictl.env.update(bus.env)
    apictl.run("profile", "add", "pdns", "--preset", "pocketdns",
               "--env-url", f"sandbox={ref.url('pocketdns', host='sandbox.localhost')}",
               "--env-url", f"production={ref.url('pocketdns', host='api.localhost')}")
    sandbox, production = ref.key("pocketdns", env="sandbox"), ref.key("pocketdns", env="production")
    assert apictl.run("login", "-p", "pdns", "--with-token", input=sandbox).code == 0
    # a production key is refused for the sandbox before anything is sent or stored
    refused = apictl.run("login", "-p", "pdns", "-e", "sandbox", "--with-token", input=production)
    assert_one_line_error(refused, 4, "looks like a 'production' key", "nothing was stored")
    assert apictl.run("login", "-p", "pdns", "-e", "production", "--with-token", input=production).code == 0
    assert json.loads(lookup(bus, "pdns", "sandbox").stdout)["token"] == sandbox
    assert json.loads(lookup(bus, "pdns", "production").stdout)["token"] == production
    assert apictl.run("token", "print", "-p", "pdns", "-e", "production").out.strip() == production


def test_rejected_key_is_not_stored(apictl, ref, bus, dz):
    apictl.env.update(bus.env)
    result = apictl.run("login", "-p", "dz", "--with-token", input="not-a-real-key")
    assert_one_line_error(result, 4, "401 UNAUTHORIZED", "the API rejected this key, so it was not stored")
    assert lookup(bus, "dz").stdout == ""
    assert apictl.run("login", "-p", "dz", "--with-token", "--no-verify", input="not-a-real-key").code == 0
    assert json.loads(lookup(bus, "dz").stdout)["token"] == "not-a-real-key"
    apictl.run("logout", "-p", "dz")


def test_login_input_errors(apictl, ref, bus, dz):
    apictl.env.update(bus.env)
    started = time.time()
    assert_one_line_error(apictl.run("login", "--with-token", input=""), 2, "no key was given")
    assert time.time() - started < 2
    assert_one_line_error(apictl.run("login", input=""), 2, "no key on stdin and no terminal to prompt on")
    piped = apictl.run("login", "--no-verify", input="piped-key-without-the-flag\n")   # read as with --with-token
    assert piped.code == 0 and "key stored" in piped.err, piped
    assert_one_line_error(apictl.run("login", "--with-token", input="Bearer abc"), 2, "without 'Bearer'")
    # What no request may send is refused before whoami is asked, and nothing is stored.
    def asked_whoami():
        return [e for e in ref.log() if e["path"] == "/dzdesk/v1/me"]
    stored, asked = lookup(bus, "dz").stdout, asked_whoami()
    assert_one_line_error(apictl.run("login", "-p", "dz", "--with-token", input="k" * 70_000), 2, "more than the 64 KiB")
    assert_one_line_error(apictl.run("login", "-p", "dz", "--with-token", input="abc\x01def"), 2, "control character U+0001")
    assert_one_line_error(apictl.run("login", "-p", "dz", "--with-token", input=b"abc\x85def"), 2, "not UTF-8")
    assert_one_line_error(apictl.run("login", "-p", "dz", "--with-token", input="abc\u200bdef"), 2, "invisible character U+200B")
    # Reading stops a little past 64 KiB: a mistaken 100 MB file (or /dev/zero) is refused at once.
    with open("/dev/zero", "rb") as zeros:
        started = time.monotonic()
        endless = subprocess.run([APICTL, "login", "-p", "dz", "--with-token"], stdin=zeros, capture_output=True,
                                 env=apictl.env, timeout=20)
    assert endless.returncode == 2 and b"more than the 64 KiB" in endless.stderr and time.monotonic() - started < 5
    assert lookup(bus, "dz").stdout == stored and asked_whoami() == asked


def test_prompt_reads_without_echo(apictl, ref, bus, dz):
    """On a terminal, login prompts and the typed key is not echoed."""
    import pty
    full_env = dict(apictl.env, **bus.env)
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(os.environ.get("APICTL_BIN"), ["apictl", "login"], full_env)
    screen = b""
    while b"Paste the API key" not in screen:
        screen += os.read(fd, 1024)
    os.write(fd, dz.encode() + b"\n")
    try:
        while True:
            chunk = os.read(fd, 1024)
            if not chunk:
                break
            screen += chunk
    except OSError:
        pass
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert dz.encode() not in screen and b"key stored in the keyring" in screen
    apictl.run("logout")


def test_resolution_order(apictl, ref, bus, dz):
    apictl.env.update(bus.env)
    assert apictl.run("login", "--with-token", input=dz).code == 0
    assert apictl.run("token", "print").out.strip() == dz
    assert apictl.run("token", "print", env={"DZDESK_TOKEN": "from-token-env"}).out.strip() == "from-token-env"
    assert apictl.run("token", "print", env={"DZDESK_TOKEN": "from-token-env", "APICTL_TOKEN": "from-apictl"}).out.strip() == "from-apictl"
    who = apictl.run("whoami", "--json", env={"DZDESK_TOKEN": dz})
    assert json.loads(who.out)["credential_source"] == "environment variable DZDESK_TOKEN"
    apictl.run("logout")


def test_locked_keyring_is_reported_as_locked(apictl, ref, dz):
    session = SessionBus(with_keyring=True)
    try:
        apictl.env.update(session.env)
        assert apictl.run("login", "--with-token", "--no-verify", input="k" * 20).code == 0
        assert session.lock().returncode == 0
        assert_one_line_error(apictl.run("token", "print"), 9, "locked")
        assert_one_line_error(apictl.run("request", "GET", "/me"), 9, "locked")
        assert_one_line_error(apictl.run("login", "--with-token", "--no-verify", input="k" * 20), 9, "locked")
        assert "!! store" in apictl.run("doctor", "--offline").out
    finally:
        session.stop()


def test_hung_keyring_answers_within_a_second(apictl, ref, dz):
    session = SessionBus(with_keyring=True)
    try:
        apictl.env.update(session.env)
        pid = session.daemon_pid()
        assert pid
        os.kill(pid, signal.SIGSTOP)
        try:
            for store in ("auto", "keyring"):
                started = time.time()
                result = apictl.run("token", "print", env={"APICTL_CREDENTIAL_STORE": store})
                assert time.time() - started < 1.5   # process start-up included
                assert_one_line_error(result, 9, "not responding")
        finally:
            os.kill(pid, signal.SIGCONT)
    finally:
        session.stop()


def test_no_bus(apictl, ref, dz):
    started = time.time()
    result = apictl.run("token", "print", env={"APICTL_CREDENTIAL_STORE": "keyring"})
    assert time.time() - started < 1
    assert_one_line_error(result, 9, "no D-Bus session bus")
    # auto falls back to the encrypted file, and says so at login
    login = apictl.run("login", "--with-token", input=dz, env=PASS)
    assert login.code == 0, login
    assert "no keyring: no D-Bus session bus" in login.err and "encrypted file" in login.err
    assert apictl.run("token", "print", env=PASS).out.strip() == dz
    assert "credential:  encrypted file" in apictl.run("whoami", env=PASS).out


def test_bus_without_secret_service(apictl, ref, dz):
    session = SessionBus(with_keyring=False)
    try:
        apictl.env.update(session.env)
        assert_one_line_error(apictl.run("token", "print", env={"APICTL_CREDENTIAL_STORE": "keyring"}), 9, "no Secret Service")
        login = apictl.run("login", "--with-token", input=dz, env=PASS)
        assert login.code == 0 and "no keyring: the session bus has no Secret Service" in login.err
        doctor = apictl.run("doctor", "--offline", env=PASS)
        assert "no Secret Service" in doctor.out and "auto -> encrypted file" in doctor.out
    finally:
        session.stop()


# --- the encrypted file -----------------------------------------------------------

@pytest.fixture
def filestore(apictl, dz):
    apictl.env.update(PASS, APICTL_CREDENTIAL_STORE="file")
    assert apictl.run("login", "--with-token", input=dz).code == 0
    return apictl.home / "data/apictl/credentials.enc"


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_file_is_private_and_encrypted(apictl, filestore, dz):
    assert oct(filestore.stat().st_mode & 0o777) == "0o600"
    assert oct(filestore.parent.stat().st_mode & 0o777) == "0o700"
    data = filestore.read_bytes()
    assert data.startswith(b"APICTL\x00\x01")
    assert dz.encode() not in data and b"token" not in data
    assert apictl.run("token", "print").out.strip() == dz


def test_passphrase_file(apictl, filestore, dz, tmp_path):
    secret_file = tmp_path / "pass"
    secret_file.write_text(PASS["APICTL_PASSPHRASE"] + "\n")
    env = {"APICTL_PASSPHRASE": "", "APICTL_PASSPHRASE_FILE": str(secret_file)}
    assert apictl.run("token", "print", env=env).out.strip() == dz


def test_wrong_passphrase_leaves_file_intact(apictl, filestore):
    before = digest(filestore)
    assert_one_line_error(apictl.run("token", "print", env={"APICTL_PASSPHRASE": "wrong"}), 9, "wrong passphrase")
    assert_one_line_error(apictl.run("login", "--with-token", "--no-verify", input="x" * 10, env={"APICTL_PASSPHRASE": "wrong"}),
                          9, "wrong passphrase")
    assert digest(filestore) == before


def test_no_passphrase_and_no_terminal_fails_at_once(apictl, filestore):
    started = time.time()
    result = apictl.run("token", "print", env={"APICTL_PASSPHRASE": ""})
    assert time.time() - started < 1
    assert_one_line_error(result, 9, "needs a passphrase", "APICTL_PASSPHRASE")


def test_truncated_file(apictl, filestore):
    filestore.write_bytes(filestore.read_bytes()[:30])
    before = digest(filestore)
    assert_one_line_error(apictl.run("token", "print"), 9, "is damaged")
    assert digest(filestore) == before


def test_flipped_byte(apictl, filestore):
    data = bytearray(filestore.read_bytes())
    data[60] ^= 0x01
    filestore.write_bytes(bytes(data))
    before = digest(filestore)
    assert_one_line_error(apictl.run("token", "print"), 9, "failed its integrity check")
    assert_one_line_error(apictl.run("login", "--with-token", "--no-verify", input="y" * 10), 9, "integrity")
    assert digest(filestore) == before


def test_wrong_permissions(apictl, filestore):
    filestore.chmod(0o644)
    before = digest(filestore)
    assert_one_line_error(apictl.run("token", "print"), 9, "can be read by other users (mode 644)", "chmod 600")
    assert digest(filestore) == before


def test_an_openssl_configuration_that_limits_algorithms_leaves_the_file_working(apictl, filestore, dz, tmp_path):
    """openssl.cnf is TLS's business: a FIPS-style `default_properties = fips=yes`, under which
    libcrypto offers no scrypt, must not make the credential file unopenable or unwritable, nor
    crash the request's audit fingerprint."""
    conf = tmp_path / "openssl.cnf"
    conf.write_text("openssl_conf = openssl_init\n[openssl_init]\nalg_section = evp_properties\n"
                    "[evp_properties]\ndefault_properties = fips=yes\n")
    limited = {"OPENSSL_CONF": str(conf), "APICTL_PASSPHRASE_CACHE": "0"}
    assert apictl.run("token", "print", env=limited).out.strip() == dz
    request = apictl.run("request", "GET", "/me", env=limited)
    assert request.code == 0 and "user@company.com" in request.out, request
    assert apictl.run("profile", "add", "other", "--base-url", "https://other.example.com").code == 0
    assert apictl.run("login", "-p", "other", "--with-token", "--no-verify", input="second-key-123456", env=limited).code == 0
    assert apictl.run("token", "print", "-p", "other", env={"APICTL_PASSPHRASE_CACHE": "0"}).out.strip() == "second-key-123456"
    assert apictl.run("token", "print", env={"APICTL_PASSPHRASE_CACHE": "0"}).out.strip() == dz


def test_concurrent_logins_lose_nothing(apictl, ref):
    apictl.env.update(PASS, APICTL_CREDENTIAL_STORE="file")
    base = ref.url("dzdesk", "/v1")
    for i in range(20):
        assert apictl.run("profile", "add", f"p{i}", "--preset", "dzdesk", "--base-url", base).code == 0
    tokens = {f"p{i}": f"token-{i:02d}-{os.urandom(6).hex()}" for i in range(20)}
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda item: apictl.run("login", "-p", item[0], "--with-token", "--no-verify",
                                                         input=item[1], timeout=120), tokens.items()))
    assert all(r.code == 0 for r in results), [r for r in results if r.code]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        printed = dict(pool.map(lambda name: (name, apictl.run("token", "print", "-p", name, timeout=120).out.strip()), tokens))
    assert printed == tokens


# --- moving between stores, and doctor ----------------------------------------------

@pytest.fixture
def own_bus():
    session = SessionBus(with_keyring=True)
    yield session
    session.stop()


def test_migrate_between_keyring_and_file(apictl, ref, own_bus, dz):
    bus = own_bus
    apictl.env.update(bus.env, **PASS)
    assert apictl.run("login", "--with-token", input=dz).code == 0
    moved = apictl.run("credentials", "migrate", "--to", "file")
    assert moved.code == 0 and "moved 1 credential from the keyring" in moved.err
    assert lookup(bus, "dz").stdout == ""
    assert apictl.run("token", "print", env={"APICTL_CREDENTIAL_STORE": "file"}).out.strip() == dz
    back = apictl.run("credentials", "migrate", "--to", "keyring")
    assert back.code == 0 and "moved 1 credential" in back.err
    assert json.loads(lookup(bus, "dz").stdout)["token"] == dz
    apictl.run("logout")


def test_logout_without_a_file_asks_nothing_and_creates_nothing(apictl, dz):
    result = apictl.run("logout", env={"APICTL_CREDENTIAL_STORE": "file", "APICTL_PASSPHRASE": ""})
    assert result.code == 0 and "nothing to log out of" in result.err, result
    assert not (apictl.home / "data/apictl/credentials.enc").exists()


# --- a keyring that was there and is gone -----------------------------------------

def test_a_key_in_a_keyring_that_cannot_be_reached_is_named_not_missing(apictl, ref, dz):
    """Stored in the keyring; then no session bus. Lookups say where the key is (exit 9), and
    a login to the file says the first copy stays in the keyring."""
    session = SessionBus(with_keyring=True)
    try:
        assert apictl.run("login", "--with-token", input=dz, env=session.env).code == 0
    finally:
        session.stop()
    for args in (["token", "print"], ["request", "GET", "/me"], ["whoami"]):
        assert_one_line_error(apictl.run(*args, env=PASS), 9, "is in the Secret Service keyring, which cannot be reached",
                              "no D-Bus session bus")
    doctor = apictl.run("doctor", "--offline", env=PASS)
    assert "!! dz:" in doctor.out and "keyring, which cannot be reached" in doctor.out and doctor.code == 9
    login = apictl.run("login", "--with-token", input=dz, env=PASS)
    assert login.code == 0, login
    assert "stays there" in login.err and "encrypted file" in login.err


def test_removing_a_key_from_a_keyring_that_cannot_be_reached_removes_nothing_and_says_so(apictl, ref, dz):
    """With the keyring gone, auto falls back to the file, where the key is not: logout, account
    remove and profile remove used to say "nothing to log out of" or drop the profile while the key
    stayed in the keyring. Each now fails with exit 9 and leaves everything as it was."""
    session = SessionBus(with_keyring=True)
    try:
        assert apictl.run("login", "--with-token", input=dz, env=session.env).code == 0
        assert apictl.run("login", "--with-token", "-a", "work", input=dz, env=session.env).code == 0
    finally:
        session.stop()
    for args in (["logout"], ["account", "remove", "work"], ["profile", "remove", "dz"]):
        assert_one_line_error(apictl.run(*args, env=PASS), 9, "is in the Secret Service keyring, which cannot be reached",
                              "nothing was removed")
    assert "dz" in apictl.run("profile", "list").out
    ledger = (apictl.home / "data/apictl/keyring-items").read_text().splitlines()
    assert sorted(ledger) == ["dz\tdefault", "dz\tdefault\twork"], ledger
    assert apictl.run("profile", "remove", "dz", "--keep-credentials", env=PASS).code == 0


def test_doctor_marks_what_it_could_not_check(apictl, ref, dz):
    apictl.env["APICTL_CREDENTIAL_STORE"] = "file"
    assert apictl.run("login", "--with-token", input=dz, env=PASS).code == 0
    unchecked = apictl.run("doctor", "--offline")   # no passphrase at hand
    assert "!! file:" in unchecked.out and "not checked" in unchecked.out and unchecked.code == 9, unchecked
    assert "ok keyring:" in unchecked.out and "not used" in unchecked.out
    apictl.run("profile", "add", "empty", "--base-url", ref.url("dzdesk", "/v1"))
    checked = apictl.run("doctor", "--offline", env=PASS)
    assert "ok dz:" in checked.out and "!! empty:" in checked.out and "no credential" in checked.out, checked
    assert checked.code == 4


# --- prompts on a terminal --------------------------------------------------------

def test_a_new_files_passphrase_is_typed_twice(apictl, ref, dz):
    apictl.env["APICTL_CREDENTIAL_STORE"] = "file"
    result = apictl.converse("login", "--no-verify", steps=[
        ("Paste the API key", dz.encode() + b"\n"),
        ("New passphrase", b"first-try\n"), ("same passphrase again", b"typo-try\n"),
        ("differ", b""),
        ("New passphrase", b"pass-word\n"), ("same passphrase again", b"pass-word\n")])
    assert result.code == 0 and "key stored in the encrypted file" in result.out, result
    assert dz not in result.out and "pass-word" not in result.out
    assert apictl.run("whoami", env={"APICTL_PASSPHRASE": "pass-word"}).code == 0
    assert_one_line_error(apictl.run("whoami", env={"APICTL_PASSPHRASE": "first-try"}), 9, "wrong passphrase")


def test_a_wrong_passphrase_at_the_prompt_may_be_typed_again_three_times(apictl, ref, dz):
    apictl.env["APICTL_CREDENTIAL_STORE"] = "file"
    assert apictl.run("login", "--with-token", input=dz, env=PASS).code == 0
    right = PASS["APICTL_PASSPHRASE"].encode() + b"\n"
    second = apictl.converse("whoami", steps=[("Passphrase for", b"wrong\n"), ("Wrong passphrase; try again", right)])
    assert second.code == 0 and "credential:  encrypted file" in second.out, second
    third = apictl.converse("whoami", steps=[("Passphrase for", b"wrong\n"), ("try again", b"wrong\n"),
                                                     ("try again", right)])
    assert third.code == 0 and "credential:  encrypted file" in third.out, third
    never = apictl.converse("whoami", steps=[("Passphrase for", b"a\n"), ("try again", b"b\n"), ("try again", b"c\n")])
    assert never.code == 9 and "wrong passphrase" in never.out and never.out.count("try again") == 2, never
