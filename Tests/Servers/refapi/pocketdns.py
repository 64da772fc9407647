"""PocketDNS (seed 003): Bearer keys that belong to one environment, sandbox
and production on separate origins ("never mix environments"), {"error": "..."}."""
from .core import Response

API = "pocketdns"


def register(router, state):
    @router.error_shape(API)
    def error(status, code, message):
        return Response.json(status, {"error": message})

    def environment(request):
        return "sandbox" if request.host.startswith("sandbox.") else "production"

    def authorized(request):
        key = state.key(API, request.bearer())
        # A production key on the sandbox origin (or the reverse) is simply invalid there.
        if key is None or key.revoked or key.expired() or key.env != environment(request):
            return None, error(401, "UNAUTHORIZED", "Invalid API key")
        if "suspended" in key.scopes:
            return None, error(403, "FORBIDDEN", "Forbidden: account suspended")
        return key, None

    @router.route(API, "GET", "/api/v1/users/me")
    def me(request):
        key, failure = authorized(request)
        if failure:
            return failure
        return Response.json(200, {"id": key.user, "name": key.name, "environment": key.env})

    @router.route(API, "POST", "/api/v1/users")
    def create_user(request):
        key, failure = authorized(request)
        if failure:
            return failure
        body = request.json()
        if not isinstance(body, dict) or not body.get("user_identifier") or not body.get("email"):
            return error(422, "INVALID", "user_identifier and email are required")
        return Response.json(201, {"id": state.next_id("usr"), "user_identifier": body["user_identifier"],
                                   "email": body["email"], "environment": key.env})
