"""Session fixtures for test_stock_servers_more.py: the stock stacks of Tests/Servers/stock_more
(Flask with Flask-JWT-Extended and Flask-Limiter, Litestar, dj-rest-auth with simplejwt), each
on a free loopback port, started once per session and stopped at its end. Each server keeps
the tokens the tests saw it issue, and its teardown checks that none of them ever showed in
apictl's output (conftest.leaked_secrets)."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from conftest import SERVERS, leaked_secrets

MORE = SERVERS / "stock_more"


def serve(argv, probe, what, env=None, cwd=None):
    """`argv` (each "{port}" a free loopback port) started, once it answers `probe` with any
    HTTP status (these apps have no public 200 page): (process, origin). One that exits or does
    not answer within 20 s is killed and the session fails naming `what`."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([arg.replace("{port}", str(port)) for arg in argv], cwd=cwd,
                               env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1", **(env or {})),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    origin = f"http://127.0.0.1:{port}"
    deadline = time.time() + 20
    while True:
        try:
            urllib.request.urlopen(origin + probe, timeout=1).read()
            return process, origin
        except urllib.error.HTTPError:
            return process, origin
        except OSError:
            if process.poll() is not None or time.time() > deadline:
                process.kill()
                process.wait(5)
                raise RuntimeError(f"{what} did not start")
            time.sleep(0.1)


class Stack:
    """One running stock server: its origin, a JSON client for what a test does "elsewhere"
    (in a browser, another machine), and the tokens it was seen to issue."""

    def __init__(self, process, origin, folder=None):
        self.process, self.origin, self.folder = process, origin, folder
        self.issued = set()

    def url(self, path=""):
        return self.origin + path

    def call(self, method, path, payload=None, bearer=None):
        """(status, JSON answer or None) of one request; tokens in the answer are remembered."""
        headers = {"Content-Type": "application/json"}
        if bearer:
            headers["Authorization"] = "Bearer " + bearer
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.origin + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        if isinstance(answer, dict):
            self.issued |= {value for key, value in answer.items()
                            if isinstance(value, str) and key in ("access_token", "refresh_token", "access", "refresh")}
        return status, answer

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
        leaks = leaked_secrets(self.issued)
        assert not leaks, f"tokens a stock server issued appeared in apictl's output: {leaks[:5]}"


def uvicorn(app, env=None):
    return serve([sys.executable, "-m", "uvicorn", app, "--port", "{port}", "--app-dir", str(MORE),
                  "--log-level", "warning"], "/schema/openapi.json", app, env=env)


@pytest.fixture(scope="session")
def flask_jwt():
    """Flask + Flask-JWT-Extended + Flask-Limiter under gunicorn, one worker (its blocklist and
    rate-limit counters are in memory); access tokens live 300 s."""
    process, origin = serve([sys.executable, "-m", "gunicorn", "-w", "1", "--threads", "4", "-b", "127.0.0.1:{port}",
                             "--chdir", str(MORE), "--log-level", "warning", "flask_jwt_app:app"],
                            "/me", "the Flask-JWT-Extended app", env={"FLASK_JWT_ACCESS_SECONDS": "300"})
    server = Stack(process, origin)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def litestar():
    """Litestar with its own error shape and IETF RateLimit-* headers; tokens live 300 s."""
    server = Stack(*uvicorn("litestar_app:app", env={"LITESTAR_TOKEN_SECONDS": "300"}))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def litestar_problem():
    """The same Litestar app with the problem-details plugin on for every HTTP error; its
    tokens live 5 s (and it has no refresh token), for the short-lived token checks."""
    server = Stack(*uvicorn("litestar_app:problem_app", env={"LITESTAR_TOKEN_SECONDS": "5"}))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def djrestauth():
    """dj-rest-auth (JWT mode) and simplejwt's views, with a fresh SQLite database (`.db`,
    where the tests read simplejwt's blacklist) and the user alice."""
    folder = tempfile.mkdtemp(prefix="stock-more-")
    db = os.path.join(folder, "db.sqlite3")
    env = {"STOCK_DB": db, "STOCK_JWT_ACCESS_SECONDS": "300"}
    manage = [sys.executable, str(MORE / "djrestauth/manage.py")]
    full_env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", **env)
    subprocess.run(manage + ["migrate", "-v", "0"], env=full_env, check=True, capture_output=True, timeout=60)
    with open(MORE / "djrestauth/setup_data.py") as setup:
        subprocess.run(manage + ["shell"], env=full_env, stdin=setup, check=True, capture_output=True, timeout=60)
    process, origin = serve(manage + ["runserver", "--noreload", "127.0.0.1:{port}"], "/auth/user/",
                            "the dj-rest-auth project", env=env)
    server = Stack(process, origin, folder)
    server.db = db
    yield server
    server.stop()
