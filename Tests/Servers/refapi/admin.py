"""Endpoints for tests: mint keys, inject faults, set rate limits, read the
request log; and a few misbehaving endpoints (redirects, HTML, garbage)."""
import secrets
import time
from urllib.parse import quote

from .core import Response
from .oauth import register_admin


# Every header apictl counts as carrying a credential (HTTPHeaders.credentialNames).
CREDENTIAL_HEADERS = ("authorization", "cookie", "proxy-authorization", "x-api-key", "api-key", "x-auth-token",
                      "private-token", "x-amz-security-token")


def register(router, state):
    register_admin(router)

    @router.route("_admin", "POST", "/keys")
    def create_key(request):
        body = request.json() or {}
        api = body.get("api")
        if api == "datasets" or body.get("jwt"):
            lifetime = int(body.get("expires_in", 3600))
            if api == "datasets":
                token = router.datasets_mint(body.get("company", "42"), lifetime, body.get("user", "user_123"))
            else:
                token = router.techdocs_issue(body.get("user", "user_123"), body.get("scopes", []), lifetime)["access_token"]
            key = state.add_key(api, token, **{k: v for k, v in body.items() if k in ("name", "scopes", "user", "company")},
                                expires_at=time.time() + lifetime)
        else:
            expires_in = body.get("expires_in")
            token = body.get("token")
            if token is None and api == "pocketdns":   # PocketDNS keys say their environment
                token = ("sk_test_" if body.get("env") == "sandbox" else "sk_live_") + secrets.token_urlsafe(18)
            key = state.add_key(api, token, expires_at=(time.time() + float(expires_in)) if expires_in is not None else None,
                                **{k: v for k, v in body.items() if k in ("name", "scopes", "env", "location", "company", "user", "email")})
        return Response.json(201, {"token": key.token, "id": key.id})

    @router.route("_admin", "GET", "/issued")
    def issued(request):
        with state.lock:
            return Response.json(200, list(state.issued))

    @router.route("_admin", "POST", "/keys/revoke")
    def revoke_key(request):
        """Makes a token invalid at once, as an admin revoking it in a dashboard would."""
        body = request.json() or {}
        with state.lock:
            key = state.keys.get(body.get("token", ""))
        if key is None:
            return Response.json(404, {"found": False})
        key.revoked = True
        return Response.json(200, {"found": True, "id": key.id})

    @router.route("_admin", "GET", "/keys/state")
    def key_state(request):
        """Whether a key id is still valid: for tests that check a revoke happened."""
        with state.lock:
            key = next((k for k in state.keys.values() if k.id == request.arg("id")), None)
        if key is None:
            return Response.json(404, {"found": False})
        return Response.json(200, {"found": True, "revoked": key.revoked, "name": key.name})

    @router.route("_admin", "GET", "/keys/live")
    def live_keys(request):
        """Every key of an API that still works (not revoked, not expired): id, name and token, for crash tests."""
        now = time.time()
        with state.lock:
            keys = [k for k in state.keys.values() if k.api == request.arg("api") and not k.revoked
                    and (k.expires_at is None or k.expires_at > now)]
        return Response.json(200, [{"id": k.id, "name": k.name, "token": k.token} for k in keys])

    @router.route("_admin", "POST", "/faults")
    def add_fault(request):
        fault = request.json() or {}
        fault.setdefault("count", 1)
        with state.lock:
            state.faults.append(fault)
        return Response.json(201, {"ok": True})

    @router.route("_admin", "POST", "/ratelimit")
    def set_limit(request):
        body = request.json() or {}
        with state.lock:
            state.limits[body["api"]] = (body.get("limit"), body.get("window", 60))
            state.windows = {k: v for k, v in state.windows.items() if k[0] != body["api"]}
        return Response.json(200, {"ok": True})

    @router.route("_admin", "POST", "/reset")
    def reset(request):
        state.reset()
        for module_register in router.on_reset:
            module_register()
        return Response.json(200, {"ok": True})

    @router.route("_admin", "GET", "/log")
    def log(request):
        with state.lock:
            entries = list(state.log)
        return Response.json(200, entries[int(request.arg("since", "0")):])

    @router.route("_test", "GET", "/redirect")
    def redirect(request):
        status = int(request.arg("status", "302"))
        return Response(status, b"", [("Location", request.arg("to", "/"))])

    @router.route("_test", "POST", "/redirect")
    def redirect_post(request):
        return redirect(request)

    @router.route("_test", "GET", "/mirror/.*")
    def mirror(request):
        """Any path answers a small JSON object: a stand-in for an API whose description is
        synced (make bench times the check before sending against authentik's paths)."""
        return Response.json(200, {"ok": True, "path": request.subpath})

    @router.route("_test", "GET", "/echo")
    def echo(request):
        return Response.json(200, {"headers": dict(request.headers.items()), "query": request.target.partition("?")[2]})

    @router.route("_test", "GET", "/pages")
    def pages(request):
        """One page listing what it was sent, and a Link to `next` (any URL) when given."""
        seen = {name.lower(): value for name, value in request.headers.items()
                if name.lower() in CREDENTIAL_HEADERS}
        response = Response.json(200, [dict(seen, host=request.headers.get("Host"), query=request.target.partition("?")[2])])
        if request.arg("next"):
            response.header("Link", f'<{request.arg("next")}>; rel="next"')
        return response

    @router.route("_test", "GET", "/endless/(?P<n>[0-9]+)")
    def endless(request, n):
        """Page N of a list that goes on for ever (or up to ?stop=M); its Link holds a comma
        inside the <>, as `fields=id,name` queries do."""
        n, stop = int(n), int(request.arg("stop", "0")) or None
        response = Response.json(200, [{"n": n}])
        if stop is None or n + 1 < stop:
            response.header("Link", f'</_test/endless/{n + 1}?stop={stop or 0}&fields=id,name>; rel="next"')
        return response

    @router.route("_test", "GET", "/padded-escapes/(?P<count>[0-9]+)")
    def padded_escapes(request, count):
        """COUNT bytes of text, then a title-setting OSC, a C1 CSI and a raw 0x9B: past the 16 MiB
        apictl holds for the terminal, padding must not carry escapes through."""
        return Response(200, b"a" * int(count) + b"\x1b]0;BIGTITLE\x07 \xc2\x9b2J \x9b3J end\n", content_type="text/plain")

    @router.route("_test", "GET", "/c1-json")
    def c1_json(request):
        """JSON whose strings hold a C1 CSI, a right-to-left override and a zero-width space."""
        return Response(200, '{"name": "a\u009b2Jb", "file": "bidi\u202egnp.exe", "zw": "x\u200by"}'.encode(),
                        content_type="application/json")

    @router.route("_test", "GET", "/html")
    def html(request):
        status = int(request.arg("status", "200"))
        return Response(status, b"<html><body><h1>Bad Gateway</h1></body></html>", content_type="text/html")

    @router.route("_test", "GET", "/garbage")
    def garbage(request):
        status = int(request.arg("status", "200"))
        return Response(status, b"{not json at all", content_type="application/json")

    @router.route("_test", "GET", "/problem")
    def problem(request):
        return Response.json(403, {"type": "https://example.com/probs/out-of-credit", "title": "You do not have enough credit.",
                                   "detail": "Your current balance is 30, but that costs 50.", "status": 403},
                             content_type="application/problem+json")

    @router.route("_test", "GET", "/bytes/(?P<count>[0-9]+)")
    def blob(request, count):
        count = int(count)
        if count <= 1 << 20:
            return Response(200, b"a" * count, content_type="application/octet-stream")
        chunk = b"a" * (256 << 10)

        def chunks():
            left = count
            while left > 0:
                yield chunk[:min(left, len(chunk))]
                left -= len(chunk)
        return Response(200, content_type="application/octet-stream", stream=(count, chunks()))

    @router.route("_test", "GET", "/hang")
    def hang(request):
        """Accepts the request and never answers (for SECONDS, default 60): for time limits."""
        time.sleep(float(request.arg("seconds", "60")))
        return Response.json(200, {"late": True})

    @router.route("_test", "GET", "/big-json/(?P<count>[0-9]+)")
    def big_json(request, count):
        """A JSON array of COUNT small objects, streamed: a body larger than apictl holds for pretty-printing."""
        count = int(count)
        item = b'{"id":12345678,"name":"an item with a name long enough"}'

        def chunks():
            yield b"["
            left, first = count, True
            while left > 0:
                n = min(left, 4096)
                yield (b"" if first else b",") + b",".join([item] * n)
                left, first = left - n, False
            yield b"]"
        length = 2 + count * len(item) + max(0, count - 1)
        return Response(200, content_type="application/json", stream=(length, chunks()))

    @router.route("_test", "GET", "/slow-bytes/(?P<count>[0-9]+)")
    def slow_blob(request, count):
        """COUNT bytes in 64 KiB chunks, DELAY seconds apart: a download to interrupt."""
        count, delay = int(count), float(request.arg("delay", "0.1"))

        def chunks():
            left = count
            while left > 0:
                yield b"s" * min(left, 65536)
                left -= 65536
                time.sleep(delay)
        return Response(200, content_type="application/octet-stream", stream=(count, chunks()))

    @router.route("_admin", "POST", "/seed")
    def seed(request):
        """Puts N generated items in an API's list: {"api", "owner", "count"}."""
        body = request.json() or {}
        items = [{"id": f"item_{i}", "title": f"Item {i}", "n": i} for i in range(1, int(body.get("count", 10)) + 1)]
        state.data[(body["api"], body.get("owner", "user_123"))] = items
        return Response.json(200, {"count": len(items)})

    @router.route("_test", "GET", "/chain/(?P<left>[0-9]+)")
    def chain(request, left):
        """A chain of distinct redirects, LEFT hops long, ending at /_test/echo."""
        left = int(left)
        return Response(302, b"", [("Location", f"/_test/chain/{left - 1}" if left > 0 else "/_test/echo")])

    @router.route("_test", "GET", "/self-redirect")
    def self_redirect(request):
        return Response(302, b"", [("Location", "/_test/self-redirect?" + quote(request.arg("n", "")))])
