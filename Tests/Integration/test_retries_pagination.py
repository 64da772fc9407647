"""Rate limits, retries, pagination and downloads, against the reference server and httpbin."""
import email.utils
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import APICTL, assert_one_line_error


@pytest.fixture
def dz(apictl, ref):
    apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"))
    return {"DZDESK_TOKEN": ref.key("dzdesk", scopes=["requests:read", "requests:write"])}


def timed(apictl, *args, **kw):
    started = time.time()
    result = apictl.run(*args, **kw)
    return result, time.time() - started


def last_line(result):
    return [line for line in result.err.splitlines() if line.strip()][-1]


@pytest.mark.parametrize("headers, basis", [
    ({"Retry-After": "1"}, "Retry-After"),
    ({"Retry-After": "HTTP-DATE"}, "Retry-After"),
    ({"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "EPOCH"}, "rate-limit reset"),
    ({"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1"}, "rate-limit reset"),
    ({"RateLimit": '"default";r=0;t=1', "RateLimit-Policy": '"default";q=60;w=60'}, "rate-limit reset"),
])
def test_429_waits_as_told_then_succeeds(apictl, ref, dz, headers, basis):
    headers = {k: v.replace("EPOCH", str(int(time.time()) + 2)) for k, v in headers.items()}
    if headers.get("Retry-After") == "HTTP-DATE":
        headers["Retry-After"] = email.utils.formatdate(time.time() + 2, usegmt=True)
    ref.fault(api="dzdesk", path="/v1/me", status=429, code="RATE_LIMITED", message="slow down", headers=headers)
    result, elapsed = timed(apictl, "request", "GET", "/me", env=dz)
    assert result.code == 0, result
    assert f"rate limited (429); waiting" in result.err and f"({basis}), then retry 1 of 3" in result.err
    assert 0.5 <= elapsed < 5
    assert json.loads(result.out)["success"] is True


def test_429_without_advice_backs_off(apictl, ref, dz):
    ref.fault(api="dzdesk", path="/v1/me", status=429, count=2)
    result = apictl.run("request", "GET", "/me", env=dz)
    assert result.code == 0 and result.err.count("(backoff)") == 2


def test_429_gives_up_with_exit_6(apictl, ref, dz):
    ref.fault(api="dzdesk", path="/v1/me", status=429, code="RATE_LIMITED", message="slow down", count=10,
              headers={"Retry-After": "0"})
    result = apictl.run("request", "GET", "/me", "--retry", "2", env=dz)
    assert result.code == 6
    assert "retry 2 of 2" in result.err and "retry 3" not in result.err
    assert last_line(result).startswith("apictl: 429 RATE_LIMITED: slow down")


def test_max_wait_and_no_retry(apictl, ref, dz):
    ref.fault(api="dzdesk", path="/v1/me", status=429, headers={"Retry-After": "30"}, count=5)
    result, elapsed = timed(apictl, "request", "GET", "/me", "--max-wait", "2", env=dz)
    assert result.code == 6 and elapsed < 2
    assert "the server asks for 30s, more than --max-wait allows" in result.err
    result, elapsed = timed(apictl, "request", "GET", "/me", "--no-retry", env=dz)
    assert result.code == 6 and "waiting" not in result.err and elapsed < 1
    assert "retries are off: try again in 30s" in result.err and "--max-wait" not in result.err, result


def test_a_429_given_up_is_one_line_with_the_servers_message_and_the_body(apictl, ref, dz):
    ref.fault(api="dzdesk", path="/v1/me", status=429, code="RATE_LIMITED", message="quota used up for today", count=5,
              headers={"Retry-After": "3600"})
    result = apictl.run("request", "GET", "/me", env=dz)
    assert_one_line_error(result, 6, "429 RATE_LIMITED: quota used up for today", "the server asks for 3600s")
    assert json.loads(result.out)["error"]["message"] == "quota used up for today"


def test_503_retried_for_get_only(apictl, ref, dz):
    ref.fault(api="dzdesk", path="/v1/me", status=503, headers={"Retry-After": "0"})
    result = apictl.run("request", "GET", "/me", env=dz)
    assert result.code == 0 and "server error (503)" in result.err
    ref.fault(api="dzdesk", method="POST", path="/v1/requests", status=503, headers={"Retry-After": "0"})
    result = apictl.run("request", "POST", "/requests", "-f", "title=x", env=dz)
    assert result.code == 7 and "waiting" not in result.err
    ref.fault(api="dzdesk", method="POST", path="/v1/requests", status=503, headers={"Retry-After": "0"})
    result = apictl.run("request", "POST", "/requests", "-f", "title=x", "--retry-all", env=dz)
    assert result.code == 0 and "server error (503)" in result.err


def test_5xx_exhausted_exits_7(apictl, ref, dz):
    ref.fault(api="dzdesk", path="/v1/me", status=502, count=10, headers={"Retry-After": "0"})
    result = apictl.run("request", "GET", "/me", "--retry", "1", env=dz)
    assert result.code == 7 and "retry 1 of 1" in result.err


def test_dropped_connection_retried_for_get_not_post(apictl, ref, dz):
    ref.fault(api="dzdesk", path="/v1/me", drop="before")
    result = apictl.run("request", "GET", "/me", env=dz)
    assert result.code == 0 and "network failure" in result.err
    ref.fault(api="dzdesk", method="POST", path="/v1/requests", drop="before")
    result = apictl.run("request", "POST", "/requests", "-f", "title=x", env=dz)
    assert result.code == 8 and "waiting" not in result.err


def test_me_dropped_mid_body_then_retried(apictl, ref, dz, tmp_path):
    ref.fault(api="dzdesk", path="/v1/me", drop="mid-body")
    target = tmp_path / "me.json"
    result = apictl.run("request", "GET", "/me", "-o", str(target), env=dz)
    assert result.code == 0, result
    assert "network failure" in result.err
    assert json.loads(target.read_text())["success"] is True
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".part")]


def test_paginate_30_pages_waits_for_rate_limit_over_one_connection(apictl, ref, dz):
    ref.admin("/seed", {"api": "dzdesk", "count": 30})
    ref.admin("/ratelimit", {"api": "dzdesk", "limit": 12, "window": 2})
    start = len(ref.log())
    result = apictl.run("request", "GET", "/requests", "--query", "per_page=1", "--paginate", env=dz)
    assert result.code == 0, result
    items = json.loads(result.out)
    assert [item["n"] for item in items] == list(range(1, 31))
    assert "rate limit used up (12 requests); waiting" in result.err
    pages = [e for e in ref.log()[start:] if e["path"].endswith("/requests")]
    assert len(pages) == 30
    assert len({e["peer"] for e in pages}) == 1, "all pages over one connection"


def test_paginate_ndjson(apictl, ref, dz):
    ref.admin("/seed", {"api": "dzdesk", "count": 7})
    result = apictl.run("request", "GET", "/requests", "--query", "per_page=3", "--paginate", "--ndjson", env=dz)
    lines = result.out.splitlines()
    assert result.code == 0 and len(lines) == 7
    assert [json.loads(line)["id"] for line in lines] == [f"item_{i}" for i in range(1, 8)]
    assert lines[0] == '{"id":"item_1","title":"Item 1","n":1}'


def test_paginate_cursor_style(apictl, ref):
    apictl.run("profile", "add", "td", "--preset", "techdocs", "--base-url", ref.url("techdocs", "/v1"))
    token = ref.key("techdocs", jwt=True, scopes=["read_profile"], user="user_9")
    ref.admin("/seed", {"api": "techdocs", "owner": "user_9", "count": 25})
    result = apictl.run("request", "GET", "/users", "--paginate", env={"TECHDOCS_API_KEY": token})
    assert result.code == 0, result
    assert [u["n"] for u in json.loads(result.out)] == list(range(1, 26))


def test_paginate_page_number_style(apictl, ref):
    base = f"http://{{subdomain}}.localhost:{ref.port}/datadocks/api/v1"
    apictl.run("profile", "add", "dd", "--preset", "datadocks", "--base-url", base, "--var", "subdomain=acme")
    token = ref.key("datadocks", location="acme")
    ref.admin("/seed", {"api": "datadocks", "owner": "acme", "count": 60})
    result = apictl.run("request", "GET", "/appointments", "--paginate", env={"DATADOCKS_API_TOKEN": token})
    assert result.code == 0, result
    assert len(json.loads(result.out)) == 60


def test_paginate_next_url_style(apictl, ref):
    apictl.run("profile", "add", "ds", "--preset", "datasets", "--base-url", ref.url("datasets", "/api/v1"),
               "--var", "company_id=42")
    token = ref.key("datasets", company="42")
    ref.admin("/seed", {"api": "datasets", "owner": "42", "count": 250})
    result = apictl.run("request", "GET", "/companies/{company_id}/datasets/", "--paginate", env={"DATASETS_API_TOKEN": token})
    assert result.code == 0, result
    assert len(json.loads(result.out)) == 250


def test_paginate_on_a_terminal_is_one_pretty_array(apictl, ref, dz):
    ref.admin("/seed", {"api": "dzdesk", "count": 3})
    result = apictl.run_tty("request", "GET", "/requests", "--query", "per_page=2", "--paginate", "--no-color", env=dz)
    assert result.code == 0 and result.out.startswith('[\n  {\n    "id": "item_1"')


def test_progress_bar_only_on_a_terminal(apictl, ref, dz, tmp_path):
    target = tmp_path / "big.bin"
    tty = apictl.run_tty("request", "GET", ref.url("_test", "/slow-bytes/1000000?delay=0.02"), "-o", str(target), env=dz)
    assert tty.code == 0 and target.stat().st_size == 1000000
    assert "100% " in tty.out and "976.6 KiB / 976.6 KiB" in tty.out and ("KiB/s" in tty.out or "MiB/s" in tty.out)
    piped = apictl.run("request", "GET", ref.url("_test", "/bytes/1000000"), "-o", str(target), env=dz)
    assert piped.code == 0 and piped.err == ""


def test_interrupted_download_leaves_no_file(apictl, ref, dz, tmp_path):
    target = tmp_path / "partial.bin"
    env = dict(apictl.env, **dz)
    process = subprocess.Popen([APICTL, "request", "GET", ref.url("_test", "/slow-bytes/10000000?delay=0.05"), "-o", str(target)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 10
    while not [n for n in os.listdir(tmp_path) if n.endswith(".part")] and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    assert process.wait(10) == 130
    assert not target.exists()
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".part")]


def test_verbose_and_whoami_show_rate_limit(apictl, ref, dz):
    result = apictl.run("request", "GET", "/me", "-v", env=dz)
    assert "* rate limit: 59/60 remaining, resets in" in result.err
    who = json.loads(apictl.run("whoami", "--json", env=dz).out)
    assert who["rate_limit"]["limit"] == 60 and who["rate_limit"]["remaining"] == 58


# --- httpbin ----------------------------------------------------------------------------

def test_httpbin_429_and_503(apictl, httpbin):
    result = apictl.run("request", "GET", f"{httpbin.url}/status/429", "--retry", "1")
    assert result.code == 6 and "(backoff), then retry 1 of 1" in result.err
    result = apictl.run("request", "GET", f"{httpbin.url}/status/503", "--retry", "2")
    assert result.code == 7 and "retry 2 of 2" in result.err


def test_httpbin_stream_bytes(apictl, httpbin, tmp_path):
    target = tmp_path / "stream.bin"
    url = f"{httpbin.url}/stream-bytes/102400?seed=7&chunk_size=4096"
    result = apictl.run("request", "GET", url, "-o", str(target))
    assert result.code == 0
    import urllib.request
    assert target.read_bytes() == urllib.request.urlopen(url).read()   # same seed, same bytes


# --- idempotent retries of POST and PATCH -------------------------------------------

def posts(ref, since):
    return [entry for entry in ref.log()[since:] if entry["method"] == "POST" and entry["path"] == "/dzdesk/v1/requests"]


def titles(apictl, dz):
    return [item["title"] for item in json.loads(apictl.run("request", "GET", "/requests", "--paginate", env=dz).out)]


def test_a_keyed_post_cut_off_after_the_server_acted_is_retried_and_creates_one(apictl, ref, dz):
    apictl.run("profile", "set", "dz", "--idempotency-header", "Idempotency-Key")
    ref.fault(api="dzdesk", method="POST", path="/v1/requests", drop="after", count=1)
    since = len(ref.log())
    result = apictl.run("request", "POST", "/requests", "-f", "title=Exactly once", "-F", "priority=1", env=dz)
    assert result.code == 0 and "network failure" in result.err, result
    sent = posts(ref, since)
    assert len(sent) == 2, sent
    keys = {entry["headers"]["Idempotency-Key"] for entry in sent}
    assert len(keys) == 1 and len(keys.pop()) >= 32    # one fresh key, reused on the retry
    assert titles(apictl, dz).count("Exactly once") == 1
    # A key the user gives wins, and each new request gets a new key of its own.
    since = len(ref.log())
    assert apictl.run("request", "POST", "/requests", "-f", "title=Mine", "-H", "Idempotency-Key: my-key-1", env=dz).code == 0
    assert apictl.run("request", "POST", "/requests", "-f", "title=Mine", "-H", "Idempotency-Key: my-key-1", env=dz).code == 0
    assert apictl.run("request", "POST", "/requests", "-f", "title=Other", env=dz).code == 0
    sent = posts(ref, since)
    assert [entry["headers"]["Idempotency-Key"] for entry in sent][:2] == ["my-key-1", "my-key-1"]
    assert sent[2]["headers"]["Idempotency-Key"] not in ("my-key-1", sent[0]["headers"]["Idempotency-Key"])
    assert titles(apictl, dz).count("Mine") == 1


def test_a_keyed_post_is_retried_on_a_5xx(apictl, ref, dz):
    apictl.run("profile", "set", "dz", "--idempotency-header", "Idempotency-Key")
    ref.fault(api="dzdesk", method="POST", path="/v1/requests", status=503, count=1)
    result = apictl.run("request", "POST", "/requests", "-f", "title=After a 503", env=dz)
    assert result.code == 0 and "server error (503)" in result.err, result
    assert titles(apictl, dz).count("After a 503") == 1


def test_without_the_setting_a_post_is_never_retried(apictl, ref, dz):
    ref.fault(api="dzdesk", method="POST", path="/v1/requests", drop="after", count=1)
    since = len(ref.log())
    result = apictl.run("request", "POST", "/requests", "-f", "title=Sent once", env=dz)
    assert result.code == 8, result
    sent = posts(ref, since)
    assert len(sent) == 1 and "Idempotency-Key" not in sent[0]["headers"]


def test_offset_pagination_is_not_silently_taken_for_one_page(apictl, ref):
    """Litestar's OffsetPagination names no next page: the first page is printed, with a line saying
    the body counts more items than apictl could follow."""
    token = ref.key("dzdesk", scopes=["requests:read"])
    assert apictl.run("profile", "add", "o", "--base-url", ref.url("dzdesk", "/v1"), "--token-env", "DZDESK_TOKEN").code == 0
    ref.fault(api="dzdesk", method="GET", path="/v1/things", status=200, count=1, headers={"Content-Type": "application/json"},
              body=json.dumps({"items": [{"id": 1}, {"id": 2}], "offset": 0, "limit": 2, "total": 5}))
    result = apictl.run("-p", "o", "request", "GET", "/things", "--paginate", env={"DZDESK_TOKEN": token})
    assert result.code == 0 and json.loads(result.out) == [{"id": 1}, {"id": 2}], result
    assert "says 5 items in all" in result.err and "after 2" in result.err and result.err.count("\n") == 1, result


def test_an_offset_query_that_reaches_the_end_is_not_warned_about(apictl, ref):
    token = ref.key("dzdesk", scopes=["requests:read"])
    assert apictl.run("profile", "add", "o", "--base-url", ref.url("dzdesk", "/v1"), "--token-env", "DZDESK_TOKEN").code == 0
    ref.fault(api="dzdesk", method="GET", path="/v1/things", status=200, count=1, headers={"Content-Type": "application/json"},
              body=json.dumps({"items": [{"id": 11}, {"id": 12}, {"id": 13}], "offset": 10, "limit": 5, "total": 13}))
    result = apictl.run("-p", "o", "request", "GET", "/things", "--paginate", "--query", "offset=10", env={"DZDESK_TOKEN": token})
    assert result.code == 0 and len(json.loads(result.out)) == 3 and result.err == "", result
