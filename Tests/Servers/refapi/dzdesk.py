"""DZDESK (seed 004): scoped, expiring Bearer keys; success/data envelope;
X-RateLimit-* on every authenticated response and 429 until the reset."""
import time

from .core import Response
from .oauth import register_provider

API = "dzdesk"
DEFAULT_LIMIT = (60, 60)


def register(router, state):
    state.limits.setdefault(API, DEFAULT_LIMIT)

    def issue_access(sub, scopes, lifetime):
        return state.add_key(API, None, scopes=scopes, user=sub, name="oauth", expires_at=time.time() + lifetime).token

    register_provider(router, state, API, issue_access)

    @router.error_shape(API)
    def error(status, code, message):
        return Response.json(status, {"success": False, "error": {"code": code, "message": message}})

    def ok(data, status=200):
        return Response.json(status, {"success": True, "data": data})

    def authorized(request, scope=None):
        """(key, None) when the call may proceed, else (None, error response)."""
        token = request.bearer()
        key = state.key(API, token)
        if key is None or key.revoked:
            return None, error(401, "UNAUTHORIZED", "Invalid or missing token")
        if key.expired():
            return None, error(401, "UNAUTHORIZED", "Invalid or expired token")
        rate = state.rate(API, key.token)
        if rate and rate[3]:
            response = error(429, "RATE_LIMITED", "Too many requests")
            add_rate_headers(response, rate)
            response.header("Retry-After", max(1, rate[2] - int(time.time())))
            return None, response
        request.rate = rate
        if scope and scope not in key.scopes and "admin" not in key.scopes:
            return None, with_rate(request, error(403, "FORBIDDEN", f"Insufficient permissions: needs {scope}"))
        return key, None

    def add_rate_headers(response, rate):
        limit, remaining, reset, _ = rate
        response.header("X-RateLimit-Limit", limit).header("X-RateLimit-Remaining", remaining)
        response.header("X-RateLimit-Reset", reset)

    def with_rate(request, response):
        if getattr(request, "rate", None):
            add_rate_headers(response, request.rate)
        return response

    @router.route(API, "GET", "/v1/me")
    def me(request):
        key, failure = authorized(request)
        if failure:
            return failure
        return with_rate(request, ok({"id": key.user, "email": key.email, "role": "agent", "scopes": key.scopes,
                                      "key_id": key.id}))

    @router.route(API, "GET", "/v1/requests")
    def list_requests(request):
        key, failure = authorized(request, "requests:read")
        if failure:
            return failure
        items = state.data[(API, key.user)]
        try:
            page = max(1, int(request.arg("page", "1")))
            per_page = max(1, min(100, int(request.arg("per_page", "20"))))
        except ValueError:
            return with_rate(request, error(400, "BAD_REQUEST", "page and per_page must be numbers"))
        chunk = items[(page - 1) * per_page: page * per_page]
        response = with_rate(request, ok(chunk))
        if page * per_page < len(items):
            base = f"http://{request.headers.get('Host')}/{API}/v1/requests"
            response.header("Link", f'<{base}?page={page + 1}&per_page={per_page}>; rel="next"')
        return response

    @router.route(API, "POST", "/v1/requests")
    def create_request(request):
        key, failure = authorized(request, "requests:write")
        if failure:
            return failure
        if "application/json" not in request.headers.get("Content-Type", ""):
            return with_rate(request, error(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json"))
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("title"), str) or not body["title"]:
            return with_rate(request, error(422, "VALIDATION_ERROR", "title is required"))
        priority = body.get("priority", 3)
        if not isinstance(priority, int) or isinstance(priority, bool):
            return with_rate(request, error(422, "VALIDATION_ERROR", "priority must be an integer"))
        item = {"id": state.next_id("req"), "title": body["title"], "priority": priority, "status": "open"}
        state.data[(API, key.user)].append(item)
        return with_rate(request, ok(item, 201))

    @router.route(API, "GET", "/v1/requests/(?P<item_id>[^/]+)")
    def get_request(request, item_id):
        key, failure = authorized(request, "requests:read")
        if failure:
            return failure
        for item in state.data[(API, key.user)]:
            if item["id"] == item_id:
                return with_rate(request, ok(item))
        return with_rate(request, error(404, "NOT_FOUND", f"Request {item_id} not found"))

    # --- API keys (create / list / revoke): named, scoped, expiring keys -------

    @router.route(API, "POST", "/v1/api-keys")
    def create_key(request):
        key, failure = authorized(request)
        if failure:
            return failure
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
            return with_rate(request, error(422, "VALIDATION_ERROR", "name is required"))
        scopes = body.get("scopes", key.scopes)
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            return with_rate(request, error(422, "VALIDATION_ERROR", "scopes must be an array of strings"))
        if "admin" not in key.scopes and not set(scopes) <= set(key.scopes):
            return with_rate(request, error(403, "FORBIDDEN", "A key cannot grant scopes its creator lacks"))
        expires_in = body.get("expires_in")
        if expires_in is not None and (not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in <= 0):
            return with_rate(request, error(422, "VALIDATION_ERROR", "expires_in must be a positive integer"))
        new = state.add_key(API, None, name=body["name"], scopes=scopes, user=key.user, email=key.email,
                            expires_at=time.time() + expires_in if expires_in else None)
        return with_rate(request, ok(dict(new.public(), key=new.token), 201))

    @router.route(API, "GET", "/v1/api-keys")
    def list_keys(request):
        key, failure = authorized(request)
        if failure:
            return failure
        with state.lock:
            mine = [k.public() for k in state.keys.values()
                    if k.api == API and k.user == key.user and not k.revoked and k.name != "oauth"]
        return with_rate(request, ok(sorted(mine, key=lambda k: k["created_at"])))

    @router.route(API, "DELETE", "/v1/api-keys/(?P<key_id>[^/]+)")
    def revoke_key(request, key_id):
        key, failure = authorized(request)
        if failure:
            return failure
        with state.lock:
            target = next((k for k in state.keys.values() if k.api == API and k.id == key_id and k.user == key.user), None)
        if target is None or target.revoked:
            return with_rate(request, error(404, "NOT_FOUND", f"API key {key_id} not found"))
        target.revoked = True
        return with_rate(request, ok({"id": key_id, "revoked": True}))
