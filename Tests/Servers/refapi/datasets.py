"""Datasets API (seed 002): JWT Bearer with a chosen expiry, company-scoped
paths, {"type":"client_error","errors":[{"code","detail","attr","extra"}]}."""
import datetime
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

    # --- private tokens: a short-living token buys a long-living one (seed 002) ---

    def company_claims(request, company):
        claims = claims_for(request)
        if claims is None:
            return None, invalid()
        if str(claims.get("company_id")) != company:
            return None, error(403, "permission_denied", "You do not have permission to perform this action.")
        return claims, None

    @router.route(API, "POST", "/api/v1/companies/(?P<company>[^/]+)/api-keys/")
    def create_key(request, company):
        claims, failure = company_claims(request, company)
        if failure:
            return failure
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
            return error(400, "required", "name: This field is required.")
        lifetime = 3600
        if body.get("expires_at") is not None:
            try:
                lifetime = datetime.datetime.fromisoformat(str(body["expires_at"]).replace("Z", "+00:00")).timestamp() - time.time()
            except ValueError:
                return error(400, "invalid", "expires_at: Datetime has wrong format.")
            if lifetime <= 0:
                return error(400, "invalid", "expires_at: must be in the future.")
        token = mint(company, int(lifetime), claims.get("sub", "user_123"))
        key = state.add_key(API, token, name=body["name"], company=company, user=claims.get("sub"),
                            scopes=["datasets:read"], expires_at=time.time() + int(lifetime))
        return Response.json(201, dict(key.public(), token=token,
                                       expires_at=datetime.datetime.fromtimestamp(int(key.expires_at), datetime.timezone.utc)
                                       .isoformat().replace("+00:00", "Z")))

    @router.route(API, "GET", "/api/v1/companies/(?P<company>[^/]+)/api-keys/")
    def list_keys(request, company):
        claims, failure = company_claims(request, company)
        if failure:
            return failure
        with state.lock:
            keys = [k.public() for k in state.keys.values() if k.api == API and k.company == company and not k.revoked]
        return Response.json(200, {"count": len(keys), "next": None, "previous": None, "results": keys})

    @router.route(API, "DELETE", "/api/v1/companies/(?P<company>[^/]+)/api-keys/(?P<key_id>[^/]+)/")
    def revoke_key(request, company, key_id):
        claims, failure = company_claims(request, company)
        if failure:
            return failure
        with state.lock:
            target = next((k for k in state.keys.values() if k.api == API and k.id == key_id and k.company == company), None)
        if target is None or target.revoked:
            return error(404, "not_found", "Not found.")
        target.revoked = True
        return Response(204, b"")
