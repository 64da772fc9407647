"""Datasets API (seed 002): JWT Bearer with a chosen expiry, company-scoped
paths, {"type":"client_error","errors":[{"code","detail","attr","extra"}]}."""
import time

from .core import Response, make_jwt, verify_jwt

API = "datasets"


def register(router, state):
    @router.error_shape(API)
    def error(status, code, message):
        kind = "server_error" if status >= 500 else "client_error"
        return Response.json(status, {"type": kind, "errors": [{"code": code.lower(), "detail": message,
                                                                  "attr": None, "extra": None}]})

    def invalid():
        return error(401, "invalid_token", "The provided token is expired or invalid.")

    def claims_for(request):
        token = request.bearer()
        claims = verify_jwt(token or "")
        if not claims or claims.get("aud") != API or claims.get("exp", 0) <= time.time():
            return None
        key = state.key(API, token)
        if key and key.revoked:
            return None
        return claims

    def mint(company, lifetime, user="user_123"):
        now = int(time.time())
        return make_jwt({"sub": user, "company_id": company, "iat": now, "exp": now + lifetime, "aud": API,
                         "scope": ["datasets:read"]})

    router.datasets_mint = mint

    @router.route(API, "GET", "/api/v1/companies/(?P<company>[^/]+)/datasets/")
    def datasets(request, company):
        claims = claims_for(request)
        if claims is None:
            return invalid()
        if str(claims.get("company_id")) != company:
            return error(403, "permission_denied", "You do not have permission to perform this action.")
        items = state.data[(API, company)] or [{"id": 1, "name": "sales-2026", "company_id": company},
                                               {"id": 2, "name": "inventory", "company_id": company}]
        offset, limit = int(request.arg("offset", "0")), int(request.arg("limit", "100"))
        base = f"http://{request.headers.get('Host')}{request.path}"
        next_url = f"{base}?offset={offset + limit}&limit={limit}" if offset + limit < len(items) else None
        return Response.json(200, {"count": len(items), "next": next_url, "previous": None,
                                   "results": items[offset:offset + limit]})
