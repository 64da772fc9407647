"""Every seed's error shape decoded into one actionable line, exit codes, and bad input."""
import socket

import pytest

from conftest import assert_one_line_error


def profile(apictl, ref, name, api, path, preset=None, auth=None, host="127.0.0.1"):
    args = ["profile", "add", name, "--base-url", ref.url(api, path, host=host)]
    args += ["--preset", preset] if preset else ["--auth", auth or "bearer"]
    assert apictl.run(*args).code == 0


@pytest.mark.parametrize("api, path, preset, target, expected", [
    # seed 001: {"error":{"code","message","status"}}
    ("techdocs", "/v1", "techdocs", "/users/me", "401 INVALID_TOKEN: The provided authentication token is invalid"),
    # seed 002: {"type","errors":[{"code","detail","attr","extra"}]}
    ("datasets", "/api/v1", "datasets", "/companies/1/datasets/", "401 invalid_token: The provided token is expired or invalid."),
    # seed 003: {"error":"Invalid API key"}
    ("pocketdns", "", "pocketdns", "/api/v1/users/me", "401: Invalid API key"),
    # seed 004: {"success":false,"error":{"code","message"}}
    ("dzdesk", "/v1", "dzdesk", "/me", "401 UNAUTHORIZED: Invalid or missing token"),
])
def test_seed_error_shapes(apictl, ref, api, path, preset, target, expected):
    args = ["profile", "add", "p", "--preset", preset, "--base-url", ref.url(api, path)]
    if preset == "datasets":
        args += ["--var", "company_id=1"]
    assert apictl.run(*args).code == 0
    result = apictl.run("request", "GET", target, env={"APICTL_TOKEN": "not-a-valid-token"})
    assert_one_line_error(result, 4, expected, "was rejected")
    assert "not-a-valid-token" not in result.err


def test_datadocks_shape_and_403(apictl, ref):
    apictl.run("profile", "add", "dd", "--preset", "datadocks",
               "--base-url", f"http://{{subdomain}}.localhost:{ref.port}/datadocks/api/v1", "--var", "subdomain=acme")
    readonly = ref.key("datadocks", location="acme", scopes=[])
    result = apictl.run("request", "POST", "/appointments", "-d", "{}", env={"DATADOCKS_API_TOKEN": readonly})
    assert_one_line_error(result, 5, "403 Forbidden: Token doesn't have permission", "check its scopes")


def test_problem_json(apictl, ref):
    profile(apictl, ref, "t", "_test", "")
    result = apictl.run("request", "GET", "/problem", env={"APICTL_TOKEN": "x" * 8})
    assert_one_line_error(result, 5, "403 out-of-credit: You do not have enough credit.: Your current balance is 30")


def test_missing_credential_hint(apictl, ref):
    profile(apictl, ref, "dz", "dzdesk", "/v1", preset="dzdesk")
    assert_one_line_error(apictl.run("request", "GET", "/me"), 4, "no credential was sent", "apictl login -p dz")


def test_scope_missing_is_permission_error(apictl, ref):
    profile(apictl, ref, "dz", "dzdesk", "/v1", preset="dzdesk")
    key = ref.key("dzdesk", scopes=["requests:read"])
    result = apictl.run("request", "POST", "/requests", "-f", "title=x", env={"DZDESK_TOKEN": key})
    assert_one_line_error(result, 5, "403 FORBIDDEN: Insufficient permissions: needs requests:write")


@pytest.mark.parametrize("status, code, exit_code", [
    (404, "NOT_FOUND", 1), (409, "CONFLICT", 1), (429, "RATE_LIMITED", 6), (500, "SERVER_ERROR", 7), (503, "UNAVAILABLE", 7),
])
def test_status_to_exit_code(apictl, ref, status, code, exit_code):
    profile(apictl, ref, "dz", "dzdesk", "/v1", preset="dzdesk")
    key = ref.key("dzdesk")
    ref.fault(api="dzdesk", path="/v1/me", status=status, code=code, message="injected", headers={"Retry-After": "7"})
    result = apictl.run("request", "GET", "/me", "--no-retry", env={"DZDESK_TOKEN": key})
    assert_one_line_error(result, exit_code, f"{status} {code}: injected")
    if status == 429:
        assert "try again in 7s" in result.err


def test_rate_limit_runs_out_with_x_ratelimit_headers(apictl, ref):
    profile(apictl, ref, "dz", "dzdesk", "/v1", preset="dzdesk")
    ref.admin("/ratelimit", {"api": "dzdesk", "limit": 2, "window": 60})
    env = {"DZDESK_TOKEN": ref.key("dzdesk")}
    assert apictl.run("request", "GET", "/me", env=env).code == 0
    assert apictl.run("request", "GET", "/me", env=env).code == 0
    assert_one_line_error(apictl.run("request", "GET", "/me", "--no-retry", env=env), 6, "429 RATE_LIMITED", "try again in")


def test_html_instead_of_json(apictl, ref):
    profile(apictl, ref, "t", "_test", "")
    result = apictl.run("request", "GET", "/html?status=502", "--no-retry", env={"APICTL_TOKEN": "tok12345"})
    assert_one_line_error(result, 7, "502 Bad Gateway: the server sent text/html, not JSON (the server failed; try again later)")
    assert ") (" not in result.err, "no doubled parentheses"
    ok = apictl.run("request", "GET", "/html", env={"APICTL_TOKEN": "tok12345"})
    assert ok.code == 0 and ok.out.startswith("<html>")


def test_garbage_instead_of_json(apictl, ref):
    profile(apictl, ref, "t", "_test", "")
    result = apictl.run("request", "GET", "/garbage?status=500", "--no-retry", env={"APICTL_TOKEN": "tok12345"})
    assert_one_line_error(result, 7, "500 Internal Server Error")
    tty = apictl.run_tty("request", "GET", "/garbage", env={"APICTL_TOKEN": "tok12345"})
    assert tty.code == 0 and "{not json at all" in tty.out and "not valid JSON; printed as received" in tty.out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_port(apictl):
    apictl.run("profile", "add", "gone", "--base-url", f"http://127.0.0.1:{free_port()}/v1")
    assert_one_line_error(apictl.run("request", "GET", "/me", "--no-retry", env={"APICTL_TOKEN": "tok12345"}), 8, "could not connect")


def test_connection_dropped(apictl, ref):
    profile(apictl, ref, "dz", "dzdesk", "/v1", preset="dzdesk")
    ref.fault(api="dzdesk", path="/v1/me", drop="before")
    assert_one_line_error(apictl.run("request", "GET", "/me", "--no-retry", env={"DZDESK_TOKEN": "tok12345"}), 8, "connection to")


@pytest.mark.parametrize("args, code, fragment", [
    (["request", "GET", "http://"], 2, "invalid URL"),
    (["request", "GET", "https://exa mple.com/x"], 2, "invalid URL"),
    (["request", "GET", "/x", "-H", "NoColonHere"], 2, "has no colon"),
    (["request", "POST", "/x", "-d", "@/nonexistent/body.json"], 2, "'/nonexistent/body.json' does not exist"),
    (["request", "POST", "/x", "-F", "count=lots"], 2, "-F count=lots: not a number"),
    (["request", "POST", "/x", "-F", "noequals"], 2, "is not key=value"),
    (["request", "POST", "/x", "-d", "{}", "-f", "a=b"], 2, "cannot be combined"),
    (["request", "GET", "/x", "--timeout", "-1"], 2, "--timeout takes a number"),
    (["request", "GET", "/x", "=novalue"], 2, "cannot read item"),
])
def test_bad_input(apictl, ref, args, code, fragment):
    profile(apictl, ref, "dz", "dzdesk", "/v1", preset="dzdesk")
    assert_one_line_error(apictl.run(*args, env={"DZDESK_TOKEN": "tok12345"}), code, fragment)


def test_no_profile_relative_path(apictl):
    assert_one_line_error(apictl.run("request", "GET", "/me"), 3, "no profile selected")


def jwt(claims):
    import base64
    import json as _json
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    return f"{b64(b'{}')}.{b64(_json.dumps(claims).encode())}.sig"


@pytest.mark.parametrize("headers", [
    {"Retry-After": "1e300"}, {"Retry-After": "inf"}, {"Retry-After": "nan"}, {"Retry-After": "-5"},
    {"X-RateLimit-Reset": "1e300", "X-RateLimit-Remaining": "0"}, {"X-RateLimit-Reset": "-inf"},
    {"RateLimit": "r=0;t=1e400"}, {"Retry-After": "Mon, 99 Foo 1900 99:99:99 GMT"},
])
def test_hostile_rate_limit_headers_never_trap(apictl, ref, headers):
    profile(apictl, ref, "dz", "dzdesk", "/v1", preset="dzdesk")
    ref.fault(api="dzdesk", path="/v1/me", status=429, code="RATE_LIMITED", message="x", headers=headers, count=10)
    result = apictl.run("request", "GET", "/me", "--max-wait", "1", "--retry", "1", env={"DZDESK_TOKEN": "tok12345"})
    assert result.code == 6, result
    assert "Fatal error" not in result.err and last_err_line(result).startswith("apictl: 429")


def last_err_line(result):
    return [line for line in result.err.splitlines() if line.strip()][-1]


@pytest.mark.parametrize("claims", [{"exp": 1e300}, {"exp": -1e300}, {"exp": "soon"}, {"exp": 2 ** 70}, {"scope": 7}])
def test_hostile_jwt_claims_never_trap(apictl, ref, claims):
    profile(apictl, ref, "dz", "dzdesk", "/v1", preset="dzdesk")
    result = apictl.run("request", "GET", "/me", env={"DZDESK_TOKEN": jwt(claims)})
    assert_one_line_error(result, 4, "401 UNAUTHORIZED")
    who = apictl.run("whoami", env={"DZDESK_TOKEN": jwt(claims)})
    assert who.code == 4 and "Fatal error" not in who.err


@pytest.mark.parametrize("args", [
    ["--timeout", "1e300"], ["--timeout", "inf"], ["--max-wait", "1e308"], ["--retry", "99999999999999999999"],
    ["--retry", "-1"], ["-H", "X-Ünïcode: ✓"], ["--query", "k=%00&x=\u202e"], ["-f", "=v"],
])
def test_odd_arguments_never_trap(apictl, ref, args):
    profile(apictl, ref, "dz", "dzdesk", "/v1", preset="dzdesk")
    result = apictl.run("request", "GET", "/me", *args, env={"DZDESK_TOKEN": ref.key("dzdesk")})
    assert result.code in (0, 2), result
    assert "Fatal error" not in result.err and "Illegal instruction" not in result.err
    if result.code == 2:
        assert_one_line_error(result, 2)


def test_a_401_for_a_header_given_with_h_blames_that_header(apictl, ref):
    """-H Authorization replaces the profile's credential: a 401 is about it, not the stored one."""
    apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"))
    env = {"DZDESK_TOKEN": ref.key("dzdesk", scopes=["requests:read"])}
    result = apictl.run("request", "GET", "/me", "-H", "Authorization: Bearer nope", env=env)
    assert_one_line_error(result, 4, "the Authorization header given with -H was rejected")
    assert "DZDESK_TOKEN" not in result.err
