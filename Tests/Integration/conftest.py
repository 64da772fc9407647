"""Fixtures that run the built apictl binary against real servers.

Every test gets its own HOME / XDG folders and an environment stripped of the
caller's APICTL_* variables, so nothing leaks between tests or from the developer.
"""
import json
import os
import pty
import select
import shutil
import socket
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import mtls_fixtures

ROOT = Path(__file__).resolve().parents[2]
APICTL = os.environ.get("APICTL_BIN") or str(ROOT / ".build/debug/apictl")
SERVERS = ROOT / "Tests/Servers"


class Result:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    def __repr__(self):
        return f"Result(code={self.code}, out={self.out[:500]!r}, err={self.err[:500]!r})"


# Every stdout and stderr the suite captured from apictl, with the arguments, so the
# session can check at the end that no secret it used ever showed (issue 14).
CAPTURED = []
SECRET_VARIABLES = ("APICTL_TOKEN", "APICTL_PASSPHRASE", "APICTL_NEW_PASSPHRASE", "DZDESK_TOKEN", "TECHDOCS_API_KEY",
                    "POCKETDNS_API_KEY", "DATADOCKS_API_TOKEN", "DATASETS_API_TOKEN", "DZDESK_CLIENT_SECRET",
                    "MOCK_CLIENT_SECRET", "TECHDOCS_CLIENT_SECRET", "DZDESK_ID_TOKEN",
                    "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
KNOWN_SECRETS = {"s3cret-client"}
# Output that is meant to hold a secret: the commands that print one, and response
# bodies of the test endpoints that echo what they were sent.
MAY_PRINT = ({"token", "print"}, {"token", "create"})


def record(args, env, out, err):
    secrets = {env[name] for name in SECRET_VARIABLES if env.get(name)}
    allowed_stdout = any(words <= set(args) for words in MAY_PRINT) and "--store" not in args
    allowed_stdout = allowed_stdout or any("/echo" in a or "/redirect" in a or "/chain/" in a or a.endswith("/requests")
                                           or a == "/pages"
                                           for a in args)
    CAPTURED.append((list(args), secrets, "" if allowed_stdout else out, err))


def leaked_secrets(issued):
    found = []
    for args, secrets, out, err in CAPTURED:
        for secret in (secrets | issued | KNOWN_SECRETS):
            if len(secret) >= 8 and (secret in out or secret in err):
                found.append((" ".join(args), secret[:6] + "..."))
    return found


class RefServer:
    """The reference API server, started once per test session."""

    def __init__(self, *extra, scheme="http"):
        self.dir = tempfile.mkdtemp(prefix="refserver-")
        port_file = os.path.join(self.dir, "port")
        self.process = subprocess.Popen([sys.executable, str(SERVERS / "refserver.py"), "--port-file", port_file, *extra],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while not os.path.exists(port_file):
            if self.process.poll() is not None or time.time() > deadline:
                raise RuntimeError("reference server did not start: " + self.process.stderr.read().decode())
            time.sleep(0.02)
        self.port = int(Path(port_file).read_text())
        self.scheme = scheme
        self.origin = f"{scheme}://127.0.0.1:{self.port}"

    def url(self, api, path="", host="127.0.0.1"):
        return f"{self.scheme}://{host}:{self.port}/{api}{path}"

    def admin(self, path, payload=None, method=None):
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.origin + "/_admin" + path, data=data, method=method or ("POST" if data else "GET"),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    def key(self, api, **kw):
        return self.admin("/keys", dict(kw, api=api))["token"]

    def fault(self, **kw):
        self.admin("/faults", kw)

    def log(self):
        return self.admin("/log")

    def stop(self):
        self.process.terminate()
        self.process.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def bus():
    """A real gnome-keyring on a private session bus, shared by a module's tests (a module that
    needs one per test defines its own)."""
    from keyring import SessionBus
    session = SessionBus(with_keyring=True)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def refserver():
    server = RefServer()
    yield server
    issued = set(server.admin("/issued"))
    server.stop()
    leaks = leaked_secrets(issued)
    assert not leaks, f"secrets appeared in apictl's output: {leaks[:5]}"


@pytest.fixture
def ref(refserver):
    refserver.admin("/reset", {})
    return refserver


class Apictl:
    """Runs the binary with an isolated environment."""

    def __init__(self, home):
        self.home = Path(home)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_DATA_HOME": str(self.home / "data"),
            "XDG_RUNTIME_DIR": str(self.home / "run"),
            "LANG": "C.UTF-8",
            # Kernel keys outlive the process: only the cache's own tests (which lock it after) turn it on.
            "APICTL_PASSPHRASE_CACHE": "0",
            "APICTL_KEYRING_CACHE": "0",
        }
        (self.home / "run").mkdir(mode=0o700)

    @property
    def config_path(self):
        return self.home / "config/apictl/config.toml"

    def run(self, *args, env=None, input=None, timeout=30, cwd=None):
        full_env = dict(self.env, **(env or {}))
        proc = subprocess.run([APICTL, *args], env=full_env, input=input if isinstance(input, (bytes, type(None))) else input.encode(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, cwd=cwd)
        result = Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))
        record(args, full_env, result.out, result.err)
        return result

    def run_tty(self, *args, env=None, timeout=30):
        """Runs with stdout, stderr and stdin on a pseudo-terminal; returns what the terminal showed."""
        # No pager unless a test asks for one (APICTL_PAGER=None: apictl's default, less -FRX).
        full_env = {**self.env, "TERM": "xterm-256color", "APICTL_PAGER": "cat", **(env or {})}
        full_env = {name: value for name, value in full_env.items() if value is not None}
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(APICTL, [APICTL, *args], full_env)
        chunks, deadline = [], time.time() + timeout
        while True:
            if time.time() > deadline:
                os.kill(pid, signal.SIGKILL)
                break
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
        record(args, full_env, "", text)   # a terminal mixes both streams: all of it counts as stderr
        return Result(os.waitstatus_to_exitcode(status), text, "")


    def converse(self, *args, steps=(), env=None, columns=None, timeout=30):
        """Runs on a pseudo-terminal, answering each prompt: `steps` are (text awaited, bytes typed).
        Returns the exit code and everything the terminal showed."""
        import fcntl
        import struct
        import termios
        full_env = {**self.env, "TERM": "xterm-256color", "APICTL_PAGER": "cat", **(env or {})}
        full_env = {name: value for name, value in full_env.items() if value is not None}
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(APICTL, [APICTL, *args], full_env)
        if columns:
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        screen, deadline = b"", time.time() + timeout
        pending = list(steps)

        def read_some():
            nonlocal screen
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                return True
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            screen += data
            return bool(data)

        searched_from = 0   # the next prompt must come after what was typed, not match an earlier one
        while time.time() < deadline:
            found = screen.find(pending[0][0].encode(), searched_from) if pending else -1
            if found >= 0:
                searched_from = found + len(pending[0][0].encode())
                os.write(fd, pending.pop(0)[1])
                continue
            if not read_some():
                break
        else:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        text = screen.decode("utf-8", "replace").replace("\r\n", "\n")
        record(args, full_env, "", text)
        return Result(os.waitstatus_to_exitcode(status), text, "")


@pytest.fixture
def apictl(tmp_path):
    return Apictl(tmp_path)


def assert_one_line_error(result, code, *fragments):
    """A failure is one stderr line starting 'apictl:' with the documented exit code."""
    assert result.code == code, result
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result
    assert lines[0].startswith("apictl: "), result
    for fragment in fragments:
        assert fragment in lines[0], (fragment, result)
    assert "Fatal error" not in result.err and "Swift runtime" not in result.err


def start_on_free_port(argv, probe, what, host="127.0.0.1", scheme_probe=None):
    """A stock server started as `argv` (each "{port}" in it a free loopback port), once a GET
    of `probe` on http://HOST:PORT succeeds: (process, port). One that exits, or does not
    answer within 20 s, is killed and the test fails saying `what` did not start. With
    `scheme_probe` (a CA file), the probe is made over https, trusting that CA."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([arg.replace("{port}", str(port)) for arg in argv],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    while True:
        try:
            if scheme_probe:
                import ssl
                urllib.request.urlopen(f"https://{host}:{port}{probe}", timeout=1,
                                       context=ssl.create_default_context(cafile=scheme_probe)).read()
            else:
                urllib.request.urlopen(f"http://{host}:{port}{probe}", timeout=1).read()
            return process, port
        except OSError:
            if process.poll() is not None or time.time() > deadline:
                process.kill()
                raise RuntimeError(f"{what} did not start")
            time.sleep(0.1)


class Httpbin:
    """httpbin served by gunicorn on a free loopback port."""

    def __init__(self):
        self.process, self.port = start_on_free_port(
            [sys.executable, "-m", "gunicorn", "-b", "127.0.0.1:{port}", "-w", "2", "--log-level", "warning", "httpbin:app"],
            "/get", "httpbin")
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.process.terminate()
        self.process.wait(5)


@pytest.fixture(scope="session")
def httpbin():
    server = Httpbin()
    yield server
    server.stop()


class StockServers:
    """The Django project of stock packages in Tests/Servers/stock (DRF tokens, knox,
    simplejwt, django-oauth-toolkit) on a free loopback port, with a fresh database."""

    def __init__(self, jwt_access_seconds=300):
        import socket
        self.dir = tempfile.mkdtemp(prefix="stock-")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.env = dict(os.environ, STOCK_DB=os.path.join(self.dir, "db.sqlite3"),
                        STOCK_JWT_ACCESS_SECONDS=str(jwt_access_seconds), PYTHONDONTWRITEBYTECODE="1")
        manage = [sys.executable, str(SERVERS / "stock/manage.py")]
        subprocess.run(manage + ["migrate", "-v", "0"], env=self.env, check=True, capture_output=True)
        with open(SERVERS / "stock/setup_data.py") as setup:
            subprocess.run(manage + ["shell"], env=self.env, stdin=setup, check=True, capture_output=True)
        self.process = subprocess.Popen(manage + ["runserver", "--noreload", f"127.0.0.1:{self.port}"], env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.origin = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 20
        while True:
            try:
                urllib.request.urlopen(self.origin + "/drf/me/", timeout=1)
            except urllib.error.HTTPError:
                break                                  # 401: it answers
            except OSError:
                if self.process.poll() is not None or time.time() > deadline:
                    raise RuntimeError("the stock Django servers did not start")
                time.sleep(0.1)

    def url(self, path):
        return self.origin + path

    def post(self, path, data, headers=None):
        request = urllib.request.Request(self.origin + path, data=json.dumps(data).encode(),
                                         headers=dict({"Content-Type": "application/json"}, **(headers or {})))
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    def status(self, path, token, scheme="Token"):
        request = urllib.request.Request(self.origin + path, headers={"Authorization": f"{scheme} {token}"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def stop(self):
        self.process.terminate()
        self.process.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def stock():
    server = StockServers()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def short_jwt():
    """simplejwt with 2-second access tokens, so renewal is seen."""
    server = StockServers(jwt_access_seconds=2)
    yield server
    server.stop()


# A simplejwt pair profile as docs/configuration.md writes one; format with base=.
JWT = """[profiles.jwt]
auth = "bearer"
base_url = "{base}"
whoami = "/me/"
[profiles.jwt.pair]
obtain = "POST /token/"
refresh = "POST /token/refresh/"
"""

STOCK_PASS = {"APICTL_PASSPHRASE": "correct horse battery staple", "APICTL_CREDENTIAL_STORE": "file"}


def configure(apictl, text):
    """Appends `text` to the test's config, and stores credentials in the encrypted file."""
    apictl.config_path.parent.mkdir(parents=True, exist_ok=True)
    with open(apictl.config_path, "a") as config:
        config.write(text)
    apictl.env.update(STOCK_PASS)


# A real forward proxy (Debian's tinyproxy) on a free port, for the rules about proxies; with no user it asks for nothing.
Tinyproxy = mtls_fixtures.AuthTinyproxy


@pytest.fixture(scope="session")
def proxy():
    server = Tinyproxy()
    yield server
    server.stop()


# --- client certificates, RFC 8705 bound tokens, authenticated proxies (mtls_fixtures.py) ---
# Servers run in the test process (threads), one set per xdist worker; the function-scoped
# fixtures hand the same server over with its logs emptied, as `ref` does.

@pytest.fixture(scope="session")
def client_certs(tmp_path_factory):
    """A Path holding mtls_fixtures.make_certs' files: ca.pem, client.pem/.key (alice),
    client2 (bob), client-rsa, expired, soon, client-enc.key, client.p12, chain.pem..."""
    import mtls_fixtures
    return mtls_fixtures.make_certs(tmp_path_factory.mktemp("client-certs"))


@pytest.fixture(scope="session")
def oauth_mtls_server(client_certs):
    import mtls_fixtures
    server = mtls_fixtures.AuthorizationServer(client_certs)
    yield server
    server.stop()


@pytest.fixture
def oauth_mtls(oauth_mtls_server):
    """The RFC 8705 authorization server: .issuer (plain listener), .mtls.origin, .token_requests,
    .requests, .issued, .lifetime (seconds, back to 300 for each test)."""
    oauth_mtls_server.clear()
    return oauth_mtls_server


@pytest.fixture(scope="session")
def mtls_server(client_certs, oauth_mtls_server):
    import mtls_fixtures
    server = mtls_fixtures.ResourceServer(client_certs, "required", jwt_secret=oauth_mtls_server.secret)
    yield server
    server.stop()


@pytest.fixture
def mtls(mtls_server):
    """An HTTPS API that requires a client certificate (TLS 1.3): .origin, .url(path),
    .requests, .connections; it takes oauth_mtls's tokens and checks their binding."""
    mtls_server.clear()
    return mtls_server


@pytest.fixture(scope="session")
def plain_tls_server(client_certs):
    import mtls_fixtures
    server = mtls_fixtures.ResourceServer(client_certs, "none")
    yield server
    server.stop()


@pytest.fixture
def plain_tls(plain_tls_server):
    """The same API over plain TLS (no client certificate asked for)."""
    plain_tls_server.clear()
    return plain_tls_server


@pytest.fixture(scope="session")
def auth_proxy():
    """tinyproxy with `BasicAuth alice <password>`: .url, .hostport, .user, .password,
    .mark() / .log_since(mark) / .connects(mark)."""
    import mtls_fixtures
    server = mtls_fixtures.AuthTinyproxy("alice", "proxy-pw-5d1e8c")
    KNOWN_SECRETS.add(server.password)            # it may never show in any output
    yield server
    server.stop()
