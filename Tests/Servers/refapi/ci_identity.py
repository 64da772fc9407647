"""A CI identity provider and the exchanges that trust it (issue #16).

/_ci/token?audience=A   GitHub-Actions-style ID-token endpoint: the job's request
                        token as Bearer, answers {"value": JWT}, RS256-signed with
                        a key made at start; /_ci/.well-known/jwks has that key.
/dzdesk/oauth/ci/token  (and /dzdesk/oauth/token) verifies an ID token (signature, issuer, audience, expiry)
                        for RFC 8693 token exchange, RFC 7523 JWT bearer and RFC
                        7523 client assertion, and issues DZDESK access tokens.
/dzdesk/oidc/mint-token the PyPI-style mint: JSON {"token": JWT} in, a token out.

Tests read the request token and mint ID tokens directly through /_admin/ci.
"""
import base64
import json
import secrets
import threading
import time
from datetime import datetime, timezone
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .core import Response, b64url
from .oauth import CLIENTS

ISSUER = "https://token.actions.refapi.test"
AUDIENCE = "https://api.dzdesk.test"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SUBJECT_TYPES = ("urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:id_token")
ACCESS_TYPE = "urn:ietf:params:oauth:token-type:access_token"
CI_CLIENT = "ci-client"


def b64decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Identity:
    """The provider's signing key, request token and knobs."""

    def __init__(self, state):
        self.state = state
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.request_token = "ghreq_" + secrets.token_urlsafe(24)
            self.counts = {"id_token": 0, "token-exchange": 0, "jwt-bearer": 0, "client-assertion": 0, "mint": 0}
            self.exchanges = []   # what each exchange request carried, secrets left out
            self.settings = {"lifetime": 3600, "expires_in_string": False, "deny": False, "fail": 0, "omit_expiry": False}
        with self.state.lock:
            self.state.issued.append(self.request_token)

    def sign(self, claims):
        header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": self.kid}).encode())
        payload = b64url(json.dumps(claims).encode())
        signature = self.key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
        token = f"{header}.{payload}.{b64url(signature)}"
        with self.state.lock:
            self.state.issued.append(token)
        return token

    def id_token(self, audience, sub="repo:apictl/demo:ref:refs/heads/main", expires_in=300, issuer=ISSUER):
        now = int(time.time())
        return self.sign({"iss": issuer, "sub": sub, "aud": audience, "iat": now, "nbf": now - 5,
                          "exp": now + int(expires_in), "repository": "apictl/demo", "jti": secrets.token_hex(8)})

    def verify(self, token, audience=AUDIENCE):
        """The claims of a valid ID token, else (None, why)."""
        try:
            header, payload, signature = token.split(".")
            meta, claims = json.loads(b64decode(header)), json.loads(b64decode(payload))
        except (ValueError, TypeError):
            return None, "the token is not a JWT"
        if meta.get("alg") != "RS256" or meta.get("kid") != self.kid:
            return None, "the token is not signed by the CI identity provider's key"
        try:
            self.key.public_key().verify(b64decode(signature), f"{header}.{payload}".encode(), padding.PKCS1v15(),
                                         hashes.SHA256())
        except (InvalidSignature, ValueError):
            return None, "the token's signature does not verify"
        if claims.get("iss") != ISSUER:
            return None, f"untrusted issuer {claims.get('iss')!r}"
        audiences = claims.get("aud") if isinstance(claims.get("aud"), list) else [claims.get("aud")]
        if audience not in audiences:
            return None, f"the token's audience {claims.get('aud')!r} is not {audience!r}"
        if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= time.time():
            return None, "the token has expired"
        return claims, None

    def jwks(self):
        numbers = self.key.public_key().public_numbers()

        def encode(n):
            return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))
        return {"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid,
                          "n": encode(numbers.n), "e": encode(numbers.e)}]}


def register(router, state):
    identity = Identity(state)
    router.ci_identity = identity
    router.on_reset.append(identity.reset)

    def oauth_error(status, code, description):
        return Response.json(status, {"error": code, "error_description": description})

    def count(style):
        with identity.lock:
            identity.counts[style] += 1

    def issue(sub, scopes):
        lifetime = identity.settings["lifetime"]
        key = state.add_key("dzdesk", None, scopes=scopes, user="ci:" + sub, name="ci", expires_at=time.time() + lifetime)
        return key, lifetime

    # --- the CI provider -------------------------------------------------------

    @router.route("_ci", "GET", "/token")
    def ci_token(request):
        if request.bearer() != identity.request_token:
            return Response.json(401, {"message": "Bad credentials"})
        if identity.settings["deny"]:
            return Response.json(403, {"message": "Resource not accessible by integration"})
        count("id_token")
        return Response.json(200, {"count": 1, "value": identity.id_token(request.arg("audience", ISSUER))})

    @router.route("_ci", "GET", "/.well-known/jwks")
    def jwks(request):
        return Response.json(200, identity.jwks())

    @router.route("_ci", "GET", "/.well-known/openid-configuration")
    def discovery(request):
        return Response.json(200, {"issuer": ISSUER, "jwks_uri": f"http://{request.headers.get('Host')}/_ci/.well-known/jwks",
                                   "id_token_signing_alg_values_supported": ["RS256"]})

    # --- the API's side: exchanges ----------------------------------------------

    @router.route("dzdesk", "POST", "/oauth/ci/token")
    def exchange(request):
        if identity.settings["fail"]:
            identity.settings["fail"] -= 1
            return oauth_error(503, "temporarily_unavailable", "Try again later")
        params = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        grant = params.get("grant_type")
        client = params.get("client_id")
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            client, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            if client not in CLIENTS or CLIENTS[client] != secret:
                return oauth_error(401, "invalid_client", "Client authentication failed")
        record = {k: v for k, v in params.items() if k not in ("subject_token", "assertion", "client_assertion", "client_secret")}
        record.update(content_type=request.headers.get("Content-Type", ""), accept=request.headers.get("Accept", ""),
                      client=client, basic=header.startswith("Basic "))
        if grant == TOKEN_EXCHANGE:
            style, token = "token-exchange", params.get("subject_token", "")
            if params.get("subject_token_type") not in SUBJECT_TYPES:
                return oauth_error(400, "invalid_request", "subject_token_type must be a JWT or an ID token")
            if params.get("audience") != AUDIENCE:
                return oauth_error(400, "invalid_target", f"audience {params.get('audience')!r} is not this API")
            if params.get("requested_token_type", ACCESS_TYPE) != ACCESS_TYPE:
                return oauth_error(400, "invalid_request", "only access tokens are issued")
        elif grant == JWT_BEARER:
            style, token = "jwt-bearer", params.get("assertion", "")
        elif grant == "client_credentials" and params.get("client_assertion_type") == ASSERTION_TYPE:
            style, token = "client-assertion", params.get("client_assertion", "")
            if client != CI_CLIENT:
                return oauth_error(401, "invalid_client", f"client {client!r} has no federated credential")
        else:
            return oauth_error(400, "unsupported_grant_type", f"grant_type {grant!r} is not supported here")
        count(style)
        with identity.lock:
            identity.exchanges.append(dict(record, style=style))
        claims, why = identity.verify(token)
        if claims is None:
            return oauth_error(401 if style == "client-assertion" else 400,
                               "invalid_client" if style == "client-assertion" else "invalid_grant", why)
        key, lifetime = issue(claims["sub"], params.get("scope", "").split())
        body = {"access_token": key.token, "token_type": "Bearer", "issued_token_type": ACCESS_TYPE,
                "expires_in": str(lifetime) if identity.settings["expires_in_string"] else lifetime}
        if identity.settings["omit_expiry"]:
            del body["expires_in"]
        return Response.json(200, body, headers=[("Cache-Control", "no-store")])

    # The same grants at DZDESK's own token endpoint, as a real API would serve them.
    router.providers["dzdesk"].extra_grants.append(
        (lambda params: params.get("grant_type") in (TOKEN_EXCHANGE, JWT_BEARER) or "client_assertion_type" in params, exchange))

    @router.route("dzdesk", "POST", "/oidc/mint-token")
    def mint(request):
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("token"), str):
            return Response.json(422, {"message": "Token request failed",
                                       "errors": [{"code": "invalid-payload", "description": "missing token"}]})
        count("mint")
        with identity.lock:
            identity.exchanges.append({"style": "mint", "content_type": request.headers.get("Content-Type", ""),
                                       "fields": sorted(body)})
        claims, why = identity.verify(body["token"])
        if claims is None:
            return Response.json(422, {"message": "Token request failed",
                                       "errors": [{"code": "invalid-token", "description": why}]})
        key, lifetime = issue(claims["sub"], ["tickets:read"])
        expires = datetime.fromtimestamp(time.time() + lifetime, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return Response.json(200, {"success": True, "token": key.token, "expires": expires})

    # --- for tests ----------------------------------------------------------------

    @router.route("_admin", "GET", "/ci")
    def ci_admin(request):
        with identity.lock:
            return Response.json(200, {"request_token": identity.request_token, "issuer": ISSUER, "audience": AUDIENCE,
                                       "counts": identity.counts, "exchanges": identity.exchanges})

    @router.route("_admin", "POST", "/ci")
    def ci_settings(request):
        identity.settings.update(request.json() or {})
        return Response.json(200, identity.settings)

    @router.route("_admin", "POST", "/ci/id-token")
    def ci_id_token(request):
        """An ID token as a CI system would put it in a variable or file (GitLab, Kubernetes)."""
        body = request.json() or {}
        return Response.json(200, {"value": identity.id_token(body.get("audience", AUDIENCE), body.get("sub", "ci-job"),
                                                              body.get("expires_in", 300), body.get("issuer", ISSUER))})
