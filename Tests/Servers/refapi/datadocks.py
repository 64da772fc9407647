"""DataDocks (seed 000): `Authorization: Token X`, one location per
subdomain, 401/403/429 as in its troubleshooting table."""
from .core import Response

API = "datadocks"


def register(router, state):
    @router.error_shape(API)
    def error(status, code, message):
        return Response.json(status, {"error": code, "message": message})

    def authorized(request, write=False):
        location = request.host.split(".", 1)[0] if request.host.endswith(".localhost") else None
        key = state.key(API, request.bearer("Token"))
        if key is None or key.revoked or key.location != location:
            return None, error(401, "Unauthorized", "Invalid or missing token")
        rate = state.rate(API, key.token)
        if rate and rate[3]:
            return None, error(429, "Too Many Requests", "Rate limit exceeded")
        if write and "write" not in key.scopes:
            return None, error(403, "Forbidden", "Token doesn't have permission")
        return key, None

    @router.route(API, "GET", "/api/v1/appointments")
    def appointments(request):
        key, failure = authorized(request)
        if failure:
            return failure
        items = state.data[(API, key.location)]
        try:
            page, per_page = max(1, int(request.arg("page", "1"))), max(1, int(request.arg("per_page", "25")))
        except ValueError:
            return error(400, "Bad Request", "page and per_page must be numbers")
        return Response.json(200, {"appointments": items[(page - 1) * per_page: page * per_page], "location": key.location})

    @router.route(API, "POST", "/api/v1/appointments")
    def create(request):
        key, failure = authorized(request, write=True)
        if failure:
            return failure
        if "application/json" not in request.headers.get("Content-Type", ""):
            return error(415, "Unsupported Media Type", "Content-Type must be application/json")
        body = request.json()
        appointment = body.get("appointment") if isinstance(body, dict) else None
        if not isinstance(appointment, dict) or "scheduled_at" not in appointment:
            return error(422, "Unprocessable Entity", "appointment.scheduled_at is required")
        item = dict(appointment, id=state.next_id("apt"))
        state.data[(API, key.location)].append(item)
        return Response.json(201, {"appointment": item})
