"""`apictl batch` (issue 36): many requests from JSON lines in one process, against the
reference server, a paced loopback server (a delay, a rate limit, idempotency keys) and
simplejwt / FastAPI from PyPI."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import APICTL, JWT, SERVERS, assert_one_line_error, configure, start_on_free_port


def lines(result):
    return [json.loads(line) for line in result.out.splitlines() if line.strip()]


def jsonl(*requests):
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in requests)


@pytest.fixture
def dz(apictl, ref):
    apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"))
    ref.admin("/ratelimit", {"api": "dzdesk", "limit": None})
    return {"DZDESK_TOKEN": ref.key("dzdesk", scopes=["requests:read", "requests:write"])}


class Paced:
    def __init__(self, *options):
        self.process, self.port = start_on_free_port(
            [sys.executable, str(SERVERS / "paced_server.py"), "--port", "{port}", *options], "/_stats", "the paced server")
        self.url = f"http://127.0.0.1:{self.port}"
        self.stats()   # the probe's own connection is not the batch's
        self.reset()

    def stats(self):
        import urllib.request
        with urllib.request.urlopen(self.url + "/_stats", timeout=5) as answer:
            return json.loads(answer.read())

    def reset(self):
        import urllib.request
        urllib.request.urlopen(self.url + "/_stats/reset", timeout=5).read()

    def stop(self):
        self.process.terminate()
        self.process.wait(5)


@pytest.fixture
def paced(apictl):
    servers = []

    def start(*options, profile="paced"):
        server = Paced(*options)
        servers.append(server)
        apictl.run("profile", "add", profile, "--base-url", server.url, "--token-env", "PACED_TOKEN")
        return server
    yield start
    for server in servers:
        server.stop()


PACED = {"PACED_TOKEN": "paced-token-0123456789"}


def test_each_line_answers_in_input_order_and_bad_lines_are_reported(apictl, ref, dz):
    given = jsonl({"method": "POST", "path": "/requests", "body": {"title": "first"}, "id": "a"},
                  "",
                  "not json",
                  {"method": "GET", "path": "/requests/nope", "id": 7},
                  {"method": "GET", "path": "/requests", "query": {"status": "open"}},
                  {"method": "FETCH", "path": "/me"},
                  {"method": "GET", "path": "/me", "heders": {}})
    # One at a time: line 5 lists what line 1 created.
    result = apictl.run("batch", "-p", "dz", "--concurrency", "1", input=given, env=dz)
    assert result.code == 1, result
    out = lines(result)
    assert [o["line"] for o in out] == [1, 3, 4, 5, 6, 7]
    assert out[0]["id"] == "a" and out[0]["status"] == 201 and out[0]["attempts"] == 1
    assert out[0]["body"]["data"]["title"] == "first" and "error" not in out[0]
    assert out[1]["exit"] == 2 and "not JSON" in out[1]["error"] and out[1]["status"] is None
    assert out[2]["id"] == 7 and out[2]["status"] == 404 and out[2]["exit"] == 1 and "NOT_FOUND" in out[2]["error"]
    assert out[3]["status"] == 200 and [r["title"] for r in out[3]["body"]["data"]] == ["first"]
    assert out[4]["exit"] == 2 and "unknown HTTP method" in out[4]["error"]
    assert out[5]["exit"] == 2 and 'unknown key "heders"' in out[5]["error"]
    assert result.err.strip().splitlines()[-1] == "batch: 2 ok, 4 failed (3 × invalid line, 1 × 404)"


def test_a_batch_that_all_succeeds_exits_0_and_sends_what_each_line_says(apictl, ref, dz, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(jsonl(*({"method": "POST", "path": "/requests", "body": {"title": f"t{n}", "priority": n % 3 + 1},
                             "headers": {"X-Note": f"n{n}"}, "id": n} for n in range(20))))
    result = apictl.run("batch", str(path), "-p", "dz", "--concurrency", "6", env=dz)
    assert result.code == 0, result
    out = lines(result)
    assert [o["id"] for o in out] == list(range(20)) and all(o["status"] == 201 for o in out)
    posted = [e for e in ref.log() if e["method"] == "POST" and e["path"] == "/dzdesk/v1/requests"]
    assert sorted(json.loads(e["body"])["title"] for e in posted) == sorted(f"t{n}" for n in range(20))
    assert {e["headers"]["X-Note"] for e in posted} == {f"n{n}" for n in range(20)}
    assert all(e["headers"]["Authorization"] == "Bearer " + dz["DZDESK_TOKEN"] for e in posted)
    assert result.err.strip() == "batch: 20 ok"


def test_a_full_url_on_another_origin_gets_no_credential(apictl, ref, dz):
    other = ref.url("_test", "/echo", host="localhost")
    result = apictl.run("batch", "-p", "dz", input=jsonl({"method": "GET", "path": other},
                                                         {"method": "GET", "path": "/me"}), env=dz)
    assert result.code == 0, result
    out = lines(result)
    assert "authorization" not in {k.lower() for k in out[0]["body"]["headers"]}
    echoed = [e for e in ref.log() if e["path"] == "/_test/echo"]
    assert echoed and "Authorization" not in echoed[-1]["headers"]


def test_jq_filters_each_body(apictl, ref, dz):
    given = jsonl({"method": "POST", "path": "/requests", "body": {"title": "x"}},
                  {"method": "GET", "path": "/requests"},
                  {"method": "GET", "path": "/requests/none"})
    result = apictl.run("batch", "-p", "dz", "--concurrency", "1",
                        "--jq", ".data | if type == \"array\" then .[].title else .title end", input=given, env=dz)
    out = lines(result)
    assert out[0]["body"] == "x" and out[1]["body"] == "x"
    assert out[2]["status"] == 404 and out[2]["body"]["error"]["code"] == "NOT_FOUND"   # a failed body is shown as received
    bad = apictl.run("batch", "-p", "dz", "--jq", ".[", input=given, env=dz)
    assert_one_line_error(bad, 2, "--jq filter does not compile")
    assert bad.out == ""


def test_fail_fast_stops_at_the_first_failure(apictl, ref, dz):
    given = jsonl({"method": "GET", "path": "/me"}, {"method": "GET", "path": "/requests/missing"},
                  *({"method": "GET", "path": "/me"} for _ in range(30)))
    result = apictl.run("batch", "-p", "dz", "--fail-fast", "--concurrency", "1", input=given, env=dz)
    assert result.code == 1, result
    out = lines(result)
    assert [o["line"] for o in out][:2] == [1, 2] and len(out) <= 3
    assert "batch: stopped at line 2 (--fail-fast)" in result.err
    assert len([e for e in ref.log() if e["path"] == "/dzdesk/v1/me"]) <= 2


def test_a_refused_credential_stops_the_batch_with_exit_4(apictl, ref, dz):
    given = jsonl(*({"method": "GET", "path": "/me", "id": n} for n in range(200)))
    result = apictl.run("batch", "-p", "dz", input=given, env={"DZDESK_TOKEN": "dz_not_a_real_key_0000000000"})
    assert result.code == 4, result
    out = lines(result)
    assert 1 <= len(out) <= 4 and all(o["status"] == 401 and o["exit"] == 4 for o in out)
    assert "batch: stopped at line" in result.err and "refused the credential" in result.err
    assert len([e for e in ref.log() if e["path"] == "/dzdesk/v1/me"]) <= 4


def test_dry_run_prints_each_request_and_sends_nothing(apictl, ref, dz):
    sent = lambda: [e for e in ref.log() if e["path"].startswith("/dzdesk")]
    before = len(sent())
    given = jsonl({"method": "POST", "path": "/requests", "body": {"title": "x"}, "query": {"notify": True}},
                  {"method": "GET", "path": "/requests/{missing}"})
    result = apictl.run("batch", "-p", "dz", "--dry-run", input=given, env=dz)
    assert result.code == 1, result
    assert "# line 1\nPOST " + ref.url("dzdesk", "/v1/requests?notify=true") in result.out
    assert "Authorization: Bearer [REDACTED]" in result.out and '{"title":"x"}' in result.out
    assert "{missing}" in result.err and "nothing was sent" in result.err
    assert len(sent()) == before


def test_options_are_checked_before_anything_is_sent(apictl, ref, dz, tmp_path):
    assert_one_line_error(apictl.run("batch", "--concurrency", "65", input="", env=dz), 2, "--concurrency", "1 to 64")
    assert_one_line_error(apictl.run("batch", "--rate", "fast", input="", env=dz), 2, "--rate", "10/s")
    assert_one_line_error(apictl.run("batch", str(tmp_path / "none.jsonl"), env=dz), 2, "does not exist")
    assert_one_line_error(apictl.run("batch", str(tmp_path), env=dz), 2, "is a folder")
    help_text = apictl.run("batch", "--help").out
    for flag in ("--concurrency", "--rate", "--journal", "--jq", "--retry", "--retry-all", "--fail-fast", "--dry-run"):
        assert flag in help_text


def test_requests_run_side_by_side_on_reused_connections(apictl, paced, tmp_path):
    server = paced("--delay-ms", "100")
    path = tmp_path / "get.jsonl"
    path.write_text(jsonl(*({"method": "GET", "path": f"/items/{n}"} for n in range(40))))
    started = time.time()
    result = apictl.run("batch", str(path), "-p", "paced", "--concurrency", "8", env=PACED)
    elapsed = time.time() - started
    assert result.code == 0, result
    assert [o["body"]["path"] for o in lines(result)] == [f"/items/{n}" for n in range(40)]
    assert elapsed < 2.5, elapsed                      # one at a time would take 4 s
    assert server.stats()["connections"] <= 8 + 1      # the stats request's own


def test_one_rate_limit_budget_holds_every_worker_back(apictl, paced, tmp_path):
    server = paced("--delay-ms", "5", "--limit", "50", "--window", "1")
    path = tmp_path / "get.jsonl"
    path.write_text(jsonl(*({"method": "GET", "path": f"/items/{n}"} for n in range(150))))
    started = time.time()
    result = apictl.run("batch", str(path), "-p", "paced", "--concurrency", "8", env=PACED)
    elapsed = time.time() - started
    assert result.code == 0, result
    stats = server.stats()
    assert stats["429"] <= 1, stats
    assert stats["requests"] - stats["429"] == 150
    assert elapsed < 3.6, elapsed                      # three windows at most, however they fall


def test_rate_paces_from_the_client_side(apictl, paced):
    paced("--delay-ms", "1")
    started = time.time()
    result = apictl.run("batch", "-p", "paced", "--rate", "20/s",
                        input=jsonl(*({"method": "GET", "path": "/x"} for _ in range(21))), env=PACED)
    assert result.code == 0, result
    assert 0.9 <= time.time() - started < 2.5


def test_a_killed_batch_resumes_from_its_journal_without_duplicates(apictl, paced, tmp_path):
    server = paced("--delay-ms", "150", "--idempotency-header", "Idempotency-Key")
    apictl.run("profile", "set", "paced", "--idempotency-header", "Idempotency-Key")
    path, journal = tmp_path / "post.jsonl", tmp_path / "post.journal"
    path.write_text(jsonl(*({"method": "POST", "path": "/things", "body": {"n": n}, "id": n} for n in range(30))))
    env = dict(apictl.env, **PACED)
    process = subprocess.Popen([APICTL, "batch", str(path), "-p", "paced", "--journal", str(journal), "--concurrency", "4"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.8)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    time.sleep(0.4)   # the requests in flight at the kill finish on the server (until then it answers their keys 409)
    first = server.stats()["created"]
    assert 0 < first < 30, first
    assert os.stat(journal).st_mode & 0o777 == 0o600
    again = apictl.run("batch", str(path), "-p", "paced", "--journal", str(journal), env=PACED)
    assert again.code == 0, again
    out = lines(again)
    assert [o["id"] for o in out] == list(range(30))
    assert server.stats()["created"] == 30            # the keys recorded before the kill were sent again
    assert sum(1 for o in out if o.get("skipped")) >= 1
    assert "done in an earlier run" in again.err
    third = apictl.run("batch", str(path), "-p", "paced", "--journal", str(journal), env=PACED)
    assert third.code == 0 and all(o.get("skipped") for o in lines(third)) and server.stats()["created"] == 30


def test_a_journal_in_use_or_for_another_origin_is_refused(apictl, paced, tmp_path):
    paced("--delay-ms", "1")
    paced("--delay-ms", "1", profile="other")
    journal = tmp_path / "j"
    assert apictl.run("batch", "-p", "paced", "--journal", str(journal), input=jsonl({"method": "GET", "path": "/"}),
                      env=PACED).code == 0
    result = apictl.run("batch", "-p", "other", "--journal", str(journal), input=jsonl({"method": "GET", "path": "/"}), env=PACED)
    assert_one_line_error(result, 2, "was written for http://127.0.0.1:")


def test_progress_shows_on_a_terminal_only(apictl, paced, tmp_path):
    paced("--delay-ms", "30")
    path = tmp_path / "get.jsonl"
    path.write_text(jsonl(*({"method": "GET", "path": f"/p/{n}"} for n in range(30))))
    shown = apictl.run_tty("batch", str(path), "-p", "paced", "--concurrency", "2", env=PACED)
    assert shown.code == 0 and "/30 done" in shown.out and "batch: 30 ok" in shown.out
    piped = apictl.run("batch", str(path), "-p", "paced", "--concurrency", "2", env=PACED)
    assert "done," not in piped.err and "\r" not in piped.err and piped.err.strip() == "batch: 30 ok"


# --- stock servers: simplejwt renews once for the whole batch; FastAPI takes its requests ---------

def test_an_expiring_jwt_is_renewed_once_for_all_workers(apictl, short_jwt):
    configure(apictl, JWT.format(base=short_jwt.url("/jwt")))
    login = apictl.run("login", "-p", "jwt", "--username", "alice", "--password-stdin", input="alice-password-1\n")
    assert login.code == 0, login
    started = time.monotonic()
    result = apictl.run("-v", "batch", "-p", "jwt", "--concurrency", "4", "--rate", "10/s",
                        input=jsonl(*({"method": "GET", "path": "/me/"} for _ in range(30))), timeout=60)
    elapsed = time.monotonic() - started
    assert result.code == 0, result
    assert all(o["status"] == 200 and o["body"]["username"] == "alice" for o in lines(result))
    renewals = result.err.count("/token/refresh/")
    # 3 s of requests (more on a loaded machine) with 2 s tokens: one renewal each time the
    # token dies, not one per worker (four workers would make about four times as many).
    assert 1 <= renewals <= int(elapsed / 2) + 2, (renewals, elapsed)
    assert all(o["attempts"] <= 2 for o in lines(result))


def test_fastapi_takes_a_batch_of_creates_and_reads(apictl):
    server, port = start_on_free_port([sys.executable, "-m", "uvicorn", "fastapi_tickets:app", "--port", "{port}",
                                       "--app-dir", str(SERVERS / "stock"), "--log-level", "warning"],
                                      "/openapi.json", "the FastAPI app")
    try:
        apictl.run("profile", "add", "tickets", "--base-url", f"http://127.0.0.1:{port}", "--token-env", "TICKETS_TOKEN")
        given = jsonl(*({"method": "POST", "path": "/tickets", "body": {"title": f"t{n}", "priority": "high"}, "id": n} for n in range(10)),
                      {"method": "GET", "path": "/tickets/1", "query": {"verbose": True}},
                      {"method": "POST", "path": "/tickets", "body": {"title": 5}})
        result = apictl.run("batch", "-p", "tickets", input=given, env={"TICKETS_TOKEN": "tok-tickets-0123456789"})
        out = lines(result)
        assert result.code == 1, result
        assert all(o["status"] in (200, 201) for o in out[:11]), out
        assert out[11]["status"] == 422 and out[11]["exit"] == 1
        assert "1 × 422" in result.err
    finally:
        server.terminate()
        server.wait(5)


def test_over_http2_every_request_shares_one_connection(apictl, tmp_path):
    from tls_certs import make
    make(tmp_path)
    server, port = start_on_free_port([sys.executable, "-m", "hypercorn", str(SERVERS / "stock_more/h2_app:app"), "--bind", "127.0.0.1:{port}",
                                       "--certfile", str(tmp_path / "valid.pem"), "--keyfile", str(tmp_path / "valid.key"),
                                       "--log-level", "warning"],
                                      "/", "hypercorn", scheme_probe=str(tmp_path / "ca.pem"))
    try:
        apictl.run("profile", "add", "h2", "--base-url", f"https://127.0.0.1:{port}", "--token-env", "H2_TOKEN",
                   "--ca-cert", str(tmp_path / "ca.pem"))
        result = apictl.run("batch", "-p", "h2", "--concurrency", "8", env={"H2_TOKEN": "h2-token-0123456789"},
                            input=jsonl(*({"method": "GET", "path": f"/n/{n}"} for n in range(40))))
        assert result.code == 0, result
        out = lines(result)
        assert all(o["body"]["http_version"] == "2" and o["body"]["authorized"] for o in out), out[:2]
        assert len({o["body"]["client_port"] for o in out}) == 1
    finally:
        server.terminate()
        server.wait(5)


def test_a_small_limit_with_many_workers_costs_at_most_one_429(apictl, paced):
    server = paced("--delay-ms", "5", "--limit", "10", "--window", "1")
    started = time.time()
    result = apictl.run("batch", "-p", "paced", "--concurrency", "32",
                        input=jsonl(*({"method": "GET", "path": f"/s/{n}"} for n in range(40))), env=PACED)
    assert result.code == 0, result
    stats = server.stats()
    assert stats["429"] <= 1 and stats["requests"] - stats["429"] == 40, stats
    assert time.time() - started < 5.5


def test_a_wait_longer_than_max_wait_fails_every_line_it_holds_the_same_way(apictl, paced):
    paced("--delay-ms", "1", "--limit", "2", "--window", "600")
    started = time.time()
    result = apictl.run("batch", "-p", "paced", "--max-wait", "3",
                        input=jsonl(*({"method": "GET", "path": f"/w/{n}"} for n in range(6))), env=PACED)
    assert time.time() - started < 10
    assert result.code == 1, result
    out = lines(result)
    held = [o for o in out if o["status"] != 200]
    assert len(out) == 6 and len(held) == 4, out
    assert all(o["exit"] == 6 and "more than --max-wait" in o["error"] for o in held), held


def test_the_journal_knows_lines_by_their_text_when_lines_are_added(apictl, paced, tmp_path):
    server = paced("--delay-ms", "1", "--idempotency-header", "Idempotency-Key")
    apictl.run("profile", "set", "paced", "--idempotency-header", "Idempotency-Key")
    posts = [{"method": "POST", "path": "/things", "body": {"n": n}} for n in range(3)]
    path, journal = tmp_path / "in.jsonl", tmp_path / "j"
    path.write_text(jsonl(*posts))
    assert apictl.run("batch", str(path), "-p", "paced", "--journal", str(journal), env=PACED).code == 0
    path.write_text(jsonl({"method": "GET", "path": "/first"}, *posts, posts[0]))
    again = apictl.run("batch", str(path), "-p", "paced", "--journal", str(journal), env=PACED)
    assert again.code == 0, again
    out = lines(again)
    assert [o.get("skipped", False) for o in out] == [False, True, True, True, False]
    assert server.stats()["created"] == 4      # the repeated line is a request of its own


def test_a_line_the_server_refused_is_sent_again_with_a_new_key(apictl, ref, tmp_path):
    apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"),
               "--idempotency-header", "Idempotency-Key")
    ref.admin("/ratelimit", {"api": "dzdesk", "limit": None})
    journal = tmp_path / "j"
    given = jsonl({"method": "POST", "path": "/requests", "body": {"title": "needs write"}})
    first = apictl.run("batch", "-p", "dz", "--journal", str(journal), input=given,
                       env={"DZDESK_TOKEN": ref.key("dzdesk", scopes=["requests:read"])})
    assert first.code == 1 and lines(first)[0]["status"] == 403, first
    fixed = apictl.run("batch", "-p", "dz", "--journal", str(journal), input=given,
                       env={"DZDESK_TOKEN": ref.key("dzdesk", scopes=["requests:read", "requests:write"])})
    assert fixed.code == 0 and lines(fixed)[0]["status"] == 201, fixed
    keys = [e["headers"]["Idempotency-Key"] for e in ref.log() if e["method"] == "POST" and e["path"] == "/dzdesk/v1/requests"]
    assert len(keys) == 2 and keys[0] != keys[1]


def test_a_post_resent_without_an_idempotency_key_is_warned_about(apictl, paced, tmp_path):
    paced("--delay-ms", "400")
    path, journal = tmp_path / "in.jsonl", tmp_path / "j"
    path.write_text(jsonl(*({"method": "POST", "path": "/things", "body": {"n": n}} for n in range(4))))
    process = subprocess.Popen([APICTL, "batch", str(path), "-p", "paced", "--journal", str(journal)],
                               env=dict(apictl.env, **PACED), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    again = apictl.run("batch", str(path), "-p", "paced", "--journal", str(journal), env=PACED)
    assert again.code == 0, again
    assert "sent again without an idempotency key" in again.err and "acted on them twice" in again.err
    assert "'apictl profile set paced --idempotency-header HEADER'" in again.err


def test_a_server_asking_for_an_hour_fails_the_lines_it_holds_at_once(apictl, ref, dz):
    ref.fault(api="dzdesk", path="/v1/me", status=429, count=1, headers={"Retry-After": "3600"})
    started = time.time()
    result = apictl.run("batch", "-p", "dz", "--concurrency", "1",
                        input=jsonl({"method": "GET", "path": "/me"}, {"method": "GET", "path": "/requests"}), env=dz)
    assert time.time() - started < 10
    assert result.code == 1, result
    assert [o["exit"] for o in lines(result)] == [6, 6] and "more than --max-wait" in lines(result)[1]["error"]
    assert "asks every request to wait 3600s (Retry-After); more than --max-wait" in result.err


def test_a_line_with_its_own_refused_credential_fails_alone(apictl, ref, dz):
    given = jsonl({"method": "GET", "path": "/me", "headers": {"Authorization": "Bearer dzd_revoked_000000000000"}},
                  {"method": "GET", "path": "/me"})
    result = apictl.run("batch", "-p", "dz", "--concurrency", "1", input=given, env=dz)
    assert result.code == 1, result
    assert [o["status"] for o in lines(result)] == [401, 200]


def test_jq_on_a_body_that_is_not_json_fails_its_line(apictl, ref, dz):
    result = apictl.run("batch", "-p", "dz", "--jq", ".", env=dz, input=jsonl({"method": "GET", "path": ref.url("_test", "/html")}))
    out = lines(result)
    assert result.code == 1 and out[0]["status"] == 200 and out[0]["exit"] == 11, out
    assert "--jq: the body is not JSON (text/html" in out[0]["error"] and out[0]["body"].startswith("<")


def test_a_file_that_is_no_journal_is_refused_and_left_alone(apictl, paced, tmp_path):
    paced("--delay-ms", "1")
    notes = tmp_path / "notes.txt"
    notes.write_text("important user data\n")
    result = apictl.run("batch", "-p", "paced", "--journal", str(notes), input=jsonl({"method": "GET", "path": "/"}), env=PACED)
    assert_one_line_error(result, 2, "is not an apictl batch journal")
    assert notes.read_text() == "important user data\n"
    assert_one_line_error(apictl.run("batch", "-p", "paced", "--journal", "/dev/full", input=jsonl({"method": "GET", "path": "/"}),
                                     env=PACED), 2, "not a regular file")
    journal = tmp_path / "j"
    assert apictl.run("batch", "-p", "paced", "--journal", str(journal), input=jsonl({"method": "GET", "path": "/"}), env=PACED).code == 0
    apictl.run("profile", "add", "deeper", "--base-url", paced_url(apictl) + "/v2", "--token-env", "PACED_TOKEN")
    other = apictl.run("batch", "-p", "deeper", "--journal", str(journal), input=jsonl({"method": "GET", "path": "/"}), env=PACED)
    assert_one_line_error(other, 2, "was written for http://127.0.0.1:", "not http://127.0.0.1:")


def paced_url(apictl):
    shown = apictl.run("profile", "show", "paced").out
    return next(word for word in shown.split() if word.startswith("http://127.0.0.1:")).rstrip("/")


def test_a_retry_after_beyond_any_clock_fails_its_lines_without_a_crash(apictl, ref, dz):
    ref.fault(api="dzdesk", path="/v1/me", status=503, count=1, headers={"Retry-After": "1e19"})
    result = apictl.run("batch", "-p", "dz", "--concurrency", "1",
                        input=jsonl({"method": "GET", "path": "/me"}, {"method": "GET", "path": "/me"}), env=dz)
    assert result.code == 1, result
    out = lines(result)
    assert out[0]["status"] == 503 and out[0]["attempts"] == 1 and out[1]["exit"] == 6 and out[1]["attempts"] == 0, out


def test_a_post_is_never_sent_twice_by_a_dropped_connection(apictl, ref, dz):
    ref.fault(api="dzdesk", method="POST", path="/v1/requests", drop="before", count=1)
    given = jsonl({"method": "GET", "path": "/me"}, {"method": "POST", "path": "/requests", "body": {"title": "once"}})
    result = apictl.run("batch", "-p", "dz", "--concurrency", "1", "--no-retry", input=given, env=dz)
    assert result.code == 1 and lines(result)[1]["exit"] == 8, result
    assert len([e for e in ref.log() if e["method"] == "POST" and e["path"] == "/dzdesk/v1/requests"]) == 1


def test_fail_fast_sends_every_line_before_the_first_failure(apictl, paced, tmp_path):
    server = paced("--delay-ms", "20")
    given = [{"method": "GET", "path": f"/g/{n}"} for n in range(1, 20)] + ["{bad"] + \
            [{"method": "GET", "path": f"/g/{n}"} for n in range(21, 40)]
    result = apictl.run("batch", "-p", "paced", "--fail-fast", "--concurrency", "4", input=jsonl(*given), env=PACED)
    assert result.code == 1, result
    out = lines(result)
    assert [o["line"] for o in out] == list(range(1, 21)) and out[19]["exit"] == 2
    assert "stopped at line 20 (--fail-fast)" in result.err
    assert server.stats()["requests"] == 19


def test_a_redirect_from_another_origin_into_the_api_gets_no_credential(apictl, ref, dz):
    target = ref.url("dzdesk", "/v1/me")
    bounce = ref.url("_test", "/redirect", host="localhost")
    result = apictl.run("batch", "-p", "dz", "--concurrency", "1",
                        input=jsonl({"method": "GET", "path": bounce, "query": {"status": "307", "to": target}},
                                                         {"method": "GET", "path": "/me"}), env=dz)
    out = lines(result)
    assert out[0]["status"] == 401 and out[1]["status"] == 200, result   # one line's 401, and the batch goes on
    me = [e for e in ref.log() if e["path"] == "/dzdesk/v1/me"]
    assert "Authorization" not in me[0]["headers"] and me[1]["headers"]["Authorization"].startswith("Bearer ")


def test_a_post_answered_409_while_its_key_is_in_flight_keeps_its_key(apictl, paced, tmp_path):
    """409 says the key's first request is still being handled: a new key on the next run would
    have the server act twice."""
    server = paced("--delay-ms", "1", "--idempotency-header", "Idempotency-Key")
    apictl.run("profile", "set", "paced", "--idempotency-header", "Idempotency-Key")
    path, journal = tmp_path / "order.jsonl", tmp_path / "order.journal"
    path.write_text(jsonl({"method": "POST", "path": "/sleep/2500", "body": {"item": "x"}}))
    args = ["batch", str(path), "-p", "paced", "--journal", str(journal)]
    process = subprocess.Popen([APICTL, *args], env=dict(apictl.env, **PACED), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.8)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    busy = apictl.run(*args, env=PACED)
    assert busy.code == 1 and lines(busy)[0]["status"] == 409, busy
    time.sleep(2.5)
    done = apictl.run(*args, env=PACED)
    assert done.code == 0 and lines(done)[0]["status"] == 201, done
    assert server.stats()["created"] == 1


def test_a_journal_someone_else_could_have_written_is_refused(apictl, paced, tmp_path):
    """Its keys go into headers and its records decide what is skipped."""
    server = paced("--delay-ms", "1", "--idempotency-header", "Idempotency-Key")
    apictl.run("profile", "set", "paced", "--idempotency-header", "Idempotency-Key")
    given = jsonl({"method": "POST", "path": "/p1", "body": {"a": 1}})
    journal = tmp_path / "team.journal"
    assert apictl.run("batch", "-p", "paced", "--journal", str(journal), input=given, env=PACED).code == 0
    text = journal.read_text()
    journal.chmod(0o666)
    assert_one_line_error(apictl.run("batch", "-p", "paced", "--journal", str(journal), input=given, env=PACED),
                          2, "can be changed by other users", f"chmod go-w {journal}")
    journal.chmod(0o600)
    header, record = text.splitlines()[0], json.loads(text.splitlines()[1])
    forged = dict(record, key="k\r\nX-Injected: yes")
    journal.write_text(header + "\n" + json.dumps(forged) + "\n")
    assert_one_line_error(apictl.run("batch", "-p", "paced", "--journal", str(journal), input=given, env=PACED),
                          2, "holds a key that is not one apictl wrote")
    journal.write_text('{"apictl_batch_journal":1}\n')
    assert_one_line_error(apictl.run("batch", "-p", "paced", "--journal", str(journal), input=given, env=PACED),
                          2, "names no base URL")
    if os.geteuid() == 0:
        journal.write_text(text)
        os.chown(journal, 65534, 65534)
        assert_one_line_error(apictl.run("batch", "-p", "paced", "--journal", str(journal), input=given, env=PACED),
                              2, "belongs to another user (uid 65534)")
    assert server.stats()["created"] == 1


def test_the_journal_tells_a_line_apart_by_where_its_vars_lead(apictl, paced, tmp_path):
    server = paced("--delay-ms", "1")
    path, journal = tmp_path / "pv.jsonl", tmp_path / "pv.journal"
    path.write_text(jsonl({"method": "DELETE", "path": "/projects/{project}/cache"}))
    apictl.run("profile", "set", "paced", "--var", "project=alpha")
    assert apictl.run("batch", str(path), "-p", "paced", "--journal", str(journal), env=PACED).code == 0
    apictl.run("profile", "set", "paced", "--var", "project=beta")
    beta = apictl.run("batch", str(path), "-p", "paced", "--journal", str(journal), env=PACED)
    assert beta.code == 0 and not lines(beta)[0].get("skipped"), beta
    again = apictl.run("batch", str(path), "-p", "paced", "--journal", str(journal), env=PACED)
    assert again.code == 0 and lines(again)[0].get("skipped"), again
    assert server.stats()["DELETE"] == 2


def test_a_line_answered_behind_a_slow_one_is_on_record_before_its_output(apictl, paced, tmp_path):
    """Output waits for input order; the journal does not: a kill while a slow line holds the
    output back must not send the answered lines again."""
    server = paced("--delay-ms", "1")
    path, journal = tmp_path / "kill.jsonl", tmp_path / "kill.journal"
    path.write_text(jsonl({"method": "GET", "path": "/sleep/30000"}, *({"method": "DELETE", "path": f"/del{n}"} for n in range(3))))
    process = subprocess.Popen([APICTL, "batch", str(path), "-p", "paced", "--journal", str(journal), "--concurrency", "4"],
                               env=dict(apictl.env, **PACED), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while server.stats().get("DELETE", 0) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    resumed = apictl.run("batch", str(path), "-p", "paced", "--journal", str(journal), "--timeout", "1", "--no-retry", env=PACED)
    assert [o.get("skipped", False) for o in lines(resumed)] == [False, True, True, True], resumed
    assert server.stats()["DELETE"] == 3


def test_a_journal_is_one_accounts(apictl, ref, tmp_path):
    """A line done as one account is not done as another: the journal says whose it is."""
    env = {"APICTL_CREDENTIAL_STORE": "file", "APICTL_PASSPHRASE": "pass-word"}
    apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"))
    ref.admin("/ratelimit", {"api": "dzdesk", "limit": None})
    for account in ("default", "work"):
        key = ref.key("dzdesk", scopes=["requests:read", "requests:write"])
        assert apictl.run("login", "-a", account, "--with-token", input=key, env=env).code == 0
    journal, given = tmp_path / "j", jsonl({"method": "POST", "path": "/requests", "body": {"title": "once each"}})
    assert apictl.run("batch", "-p", "dz", "--journal", str(journal), input=given, env=env).code == 0
    other = apictl.run("batch", "-p", "dz", "-a", "work", "--journal", str(journal), input=given, env=env)
    assert_one_line_error(other, 2, "was written for profile dz, account default, not profile dz, account work")
