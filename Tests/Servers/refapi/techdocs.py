"""TechDocs (seed 001): Bearer API keys and JWTs, refresh endpoint,
{"error":{"code","message","status"}}."""
import secrets
import time

from .core import Response, make_jwt, verify_jwt
from .oauth import register_provider

API = "techdocs"


def register(router, state):
    @router.error_shape(API)
    def error(status, code, message):
        return Response.json(status, {"error": {"code": code, "message": message, "status": status}})

    def caller(request):
        token = request.bearer()
        if not token:
            return None, error(401, "INVALID_TOKEN", "The provided authentication token is invalid")
        key = state.key(API, token)
        if key and not key.revoked and not key.expired():
            return {"sub": key.user, "name": "John Doe", "email": key.email, "scope": key.scopes}, None
        claims = verify_jwt(token)
        if claims and claims.get("aud") == API:
            if claims.get("exp", 0) <= time.time():
                return None, error(401, "INVALID_TOKEN", "The provided authentication token has expired")
            return claims, None
        return None, error(401, "INVALID_TOKEN", "The provided authentication token is invalid")

    def issue_access(sub, scopes, lifetime):
        now = int(time.time())
        token = make_jwt({"sub": sub, "name": "John Doe", "email": "john@example.com", "iat": now,
                         "exp": now + lifetime, "scope": scopes, "aud": API, "jti": secrets.token_hex(8)})
        with state.lock:
            state.issued.append(token)
        return token

    # TechDocs takes JSON token requests, and has its own refresh endpoint besides.
    provider = register_provider(router, state, API, issue_access, json_requests=True)

    def issue(sub, scopes, lifetime=3600):
        return {"access_token": issue_access(sub, scopes, lifetime)}

    router.techdocs_issue = issue  # admin uses it to mint JWT sessions

    @router.route(API, "GET", "/v1/users/me")
    def me(request):
        claims, failure = caller(request)
        if failure:
            return failure
        return Response.json(200, {"id": claims["sub"], "name": claims.get("name"), "email": claims.get("email"),
                                   "scopes": claims.get("scope", [])})

    @router.route(API, "GET", "/v1/users")
    def users(request):
        claims, failure = caller(request)
        if failure:
            return failure
        if "read_profile" not in claims.get("scope", []) and "read:users" not in claims.get("scope", []):
            return error(403, "INSUFFICIENT_SCOPE", "The token lacks the read:users scope")
        items = state.data[(API, claims["sub"])] or [{"id": claims["sub"], "name": claims.get("name")}]
        start = int(request.arg("cursor", "0") or 0)
        limit = int(request.arg("limit", "10"))
        page = items[start:start + limit]
        next_cursor = str(start + limit) if start + limit < len(items) else None
        return Response.json(200, {"users": page, "meta": {"next_cursor": next_cursor}})

    @router.route(API, "POST", "/v1/auth/refresh")
    def refresh(request):
        body = request.json()
        token = body.get("refresh_token") if isinstance(body, dict) else None
        response = provider.refresh_grant(token if isinstance(token, str) else None)
        if response.status != 200:
            return error(401, "INVALID_TOKEN", "The refresh token is invalid or was already used")
        return response
