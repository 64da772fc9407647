"""OAuth 2.0 authorization servers for the seeds that offer OAuth (001 TechDocs,
004 DZDESK): authorize with PKCE (S256) verification, token (code, refresh with
rotation, client credentials, device code), device authorization with a
headless approval step, RFC 7009 revocation and RFC 8414 discovery.

DZDESK takes form-encoded token requests (RFC 6749); TechDocs takes JSON. Each
provider counts its grants so tests can assert "exactly one refresh".
"""
import base64
import hashlib
import json
import secrets
import threading
import time
from urllib.parse import parse_qs, urlencode, urlsplit

from .core import Response

# client_id -> secret (None: a public client, PKCE only)
CLIENTS = {"cli-app": None, "conf-app": "s3cret-client"}
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class Provider:
    def __init__(self, api, state, issue_access, json_requests):
        self.api, self.state, self.issue_access, self.json_requests = api, state, issue_access, json_requests
        # (accepts(params), handler(request)): grants another module serves at this token endpoint
        self.extra_grants = []
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.codes, self.refresh_tokens, self.devices = {}, {}, {}
            self.counts = {"authorization_code": 0, "refresh_token": 0, "client_credentials": 0, DEVICE_GRANT: 0,
                           "revoke": 0}
            # Knobs tests turn through /_admin/oauth
            self.settings = {"lifetime": 3600, "expires_in_string": False, "reuse_refresh": False, "deny": False,
                             "interval": 1, "slow_down": 0, "verification_url": False, "refresh_delay": 0,
                             "omit_refresh": False, "body": None}

    # --- helpers -------------------------------------------------------------

    def error(self, status, code, description):
        return Response.json(status, {"error": code, "error_description": description})

    def params(self, request):
        if self.json_requests and "json" in request.headers.get("Content-Type", ""):
            body = request.json()
            return {k: str(v) if not isinstance(v, list) else " ".join(v) for k, v in (body or {}).items()} if isinstance(body, dict) else {}
        return {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True).items()}

    def client(self, request, params):
        """(client_id, None) when the client authenticated as its registration asks, else (None, error)."""
        client_id, secret = params.get("client_id"), params.get("client_secret")
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return None, self.error(401, "invalid_client", "Malformed Basic credentials")
        if client_id not in CLIENTS:
            return None, self.error(401, "invalid_client", "Unknown client")
        if CLIENTS[client_id] is not None and secret != CLIENTS[client_id]:
            return None, self.error(401, "invalid_client", "Client authentication failed")
        return client_id, None

    def tokens(self, sub, scopes, client_id, refresh=True):
        lifetime = self.settings["lifetime"]
        body = {"access_token": self.issue_access(sub, scopes, lifetime), "token_type": "Bearer",
                "expires_in": str(lifetime) if self.settings["expires_in_string"] else lifetime,
                "scope": " ".join(scopes)}
        if refresh and not self.settings["omit_refresh"]:
            token = "rt_" + secrets.token_urlsafe(24)
            with self.lock:
                self.refresh_tokens[token] = {"sub": sub, "scopes": scopes, "client": client_id}
            with self.state.lock:
                self.state.issued.append(token)
            body["refresh_token"] = token
        if self.settings["body"] is not None:
            return Response(200, self.settings["body"].encode())
        return Response.json(200, body, headers=[("Cache-Control", "no-store")])

    def count(self, grant):
        with self.lock:
            self.counts[grant] += 1

    # --- grants ----------------------------------------------------------------

    def refresh_grant(self, token, client_id=None):
        self.count("refresh_token")
        if self.settings["refresh_delay"]:
            time.sleep(self.settings["refresh_delay"])
        with self.lock:
            entry = self.refresh_tokens.get(token or "")
            if entry and not self.settings["reuse_refresh"]:
                del self.refresh_tokens[token]
        if entry is None or (client_id and entry["client"] != client_id):
            return self.error(400, "invalid_grant", "The refresh token is invalid, expired or revoked")
        return self.tokens(entry["sub"], entry["scopes"], entry["client"])

    def token(self, request):
        params = self.params(request)
        for accepts, handler in self.extra_grants:
            if accepts(params):
                return handler(request)
        client_id, failure = self.client(request, params)
        if failure:
            return failure
        grant = params.get("grant_type")
        if grant == "authorization_code":
            self.count(grant)
            with self.lock:
                entry = self.codes.pop(params.get("code", ""), None)
            if entry is None or entry["client"] != client_id or entry["redirect_uri"] != params.get("redirect_uri"):
                return self.error(400, "invalid_grant", "The code is invalid, used, or for another client")
            verifier = params.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge != entry["challenge"]:
                return self.error(400, "invalid_grant", "PKCE verification failed")
            return self.tokens(entry["sub"], entry["scopes"], client_id)
        if grant == "refresh_token":
            return self.refresh_grant(params.get("refresh_token"), client_id)
        if grant == "client_credentials":
            self.count(grant)
            if CLIENTS[client_id] is None:
                return self.error(401, "invalid_client", "A public client cannot use client_credentials")
            return self.tokens("client:" + client_id, params.get("scope", "").split(), client_id, refresh=False)
        if grant == DEVICE_GRANT:
            self.count(grant)
            with self.lock:
                device = self.devices.get(params.get("device_code", ""))
                if device is None or device["client"] != client_id:
                    return self.error(400, "invalid_grant", "Unknown device code")
                if time.time() > device["expires"]:
                    return self.error(400, "expired_token", "The device code expired")
                if device["status"] == "denied":
                    return self.error(400, "access_denied", "The user denied the request")
                if device["slow_down"] > 0:
                    device["slow_down"] -= 1
                    return self.error(400, "slow_down", "Polling too fast")
                if device["status"] == "pending":
                    return self.error(400, "authorization_pending", "Waiting for the user")
                del self.devices[params["device_code"]]
            return self.tokens(device["sub"], device["scopes"], client_id)
        return self.error(400, "unsupported_grant_type", f"grant_type {grant!r} is not supported")

    def authorize(self, request):
        a = request.arg
        if a("client_id") not in CLIENTS:
            return self.error(400, "invalid_request", "Unknown client")
        redirect_uri = a("redirect_uri", "")
        target = urlsplit(redirect_uri)
        if target.scheme != "http" or target.hostname not in ("127.0.0.1", "localhost"):
            return self.error(400, "invalid_request", "redirect_uri must be a loopback http URI (RFC 8252)")
        if a("response_type") != "code" or a("code_challenge_method") != "S256" or not a("code_challenge"):
            return self.error(400, "invalid_request", "response_type=code with an S256 code_challenge is required")
        query = {"state": a("state", "")}
        if self.settings["deny"]:
            query.update(error="access_denied", error_description="The user denied access")
        else:
            code = "code_" + secrets.token_urlsafe(16)
            with self.lock:
                self.codes[code] = {"client": a("client_id"), "redirect_uri": redirect_uri, "challenge": a("code_challenge"),
                                    "scopes": a("scope", "").split(), "sub": a("login_hint") or "user_123"}
            query["code"] = code
        return Response(302, b"", [("Location", redirect_uri + "?" + urlencode(query))])

    def device_authorization(self, request):
        params = self.params(request)
        client_id, failure = self.client(request, params)
        if failure:
            return failure
        device_code, user_code = "dc_" + secrets.token_urlsafe(16), secrets.token_hex(2).upper() + "-" + secrets.token_hex(2).upper()
        with self.lock:
            self.devices[device_code] = {"client": client_id, "user_code": user_code, "status": "pending",
                                         "scopes": params.get("scope", "").split(), "sub": "user_123",
                                         "expires": time.time() + 600, "slow_down": self.settings["slow_down"]}
        base = f"http://{request.headers.get('Host')}/{self.api}/oauth/device/verify"
        body = {"device_code": device_code, "user_code": user_code, "expires_in": 600,
                "verification_uri_complete": base + "?user_code=" + user_code}
        body["verification_url" if self.settings["verification_url"] else "verification_uri"] = base
        if self.settings["interval"] is not None:
            body["interval"] = self.settings["interval"]
        return Response.json(200, body)

    def approve(self, user_code, deny=False, expire=False):
        with self.lock:
            for device in self.devices.values():
                if device["user_code"] == user_code:
                    device["status"] = "denied" if deny else "approved"
                    if expire:
                        device["expires"] = 0
                    return True
        return False

    def revoke(self, request):
        params = self.params(request)
        client_id, failure = self.client(request, params)
        if failure:
            return failure
        self.count("revoke")
        token = params.get("token", "")
        with self.lock:
            self.refresh_tokens.pop(token, None)
        key = self.state.key(self.api, token)
        if key:
            key.revoked = True
        return Response(200, b"")  # RFC 7009 2.2: 200 whether or not the token was known

    def discovery(self, request):
        base = f"http://{request.headers.get('Host')}/{self.api}/oauth"
        return Response.json(200, {"issuer": base, "authorization_endpoint": base + "/authorize",
                                   "token_endpoint": base + "/token",
                                   "device_authorization_endpoint": base + "/device",
                                   "revocation_endpoint": base + "/revoke",
                                   "code_challenge_methods_supported": ["S256"],
                                   "grant_types_supported": ["authorization_code", "refresh_token",
                                                             "client_credentials", DEVICE_GRANT]})


def register_provider(router, state, api, issue_access, json_requests=False):
    provider = Provider(api, state, issue_access, json_requests)
    router.on_reset.append(provider.reset)
    router.providers = getattr(router, "providers", {})
    router.providers[api] = provider
    router.route(api, "GET", "/oauth/authorize")(provider.authorize)
    router.route(api, "POST", "/oauth/token")(provider.token)
    router.route(api, "POST", "/oauth/device")(provider.device_authorization)
    router.route(api, "POST", "/oauth/revoke")(provider.revoke)
    router.route(api, "GET", "/oauth/.well-known/openid-configuration")(provider.discovery)
    router.route(api, "GET", "/oauth/.well-known/oauth-authorization-server")(provider.discovery)
    return provider


def register_admin(router):
    @router.route("_admin", "POST", "/oauth")
    def settings(request):
        body = request.json() or {}
        provider = router.providers[body.pop("api")]
        provider.settings.update(body)
        return Response.json(200, provider.settings)

    @router.route("_admin", "GET", "/oauth/stats")
    def stats(request):
        return Response.json(200, router.providers[request.arg("api")].counts)

    @router.route("_admin", "POST", "/oauth/approve")
    def approve(request):
        body = request.json() or {}
        found = router.providers[body["api"]].approve(body["user_code"], bool(body.get("deny")), bool(body.get("expire")))
        return Response.json(200 if found else 404, {"found": found})

    @router.route("_admin", "POST", "/oauth/session")
    def session(request):
        """Issues tokens as a finished login would, for tests that start from a stored session."""
        body = request.json() or {}
        provider = router.providers[body["api"]]
        if "lifetime" in body:
            provider.settings["lifetime"] = body["lifetime"]
        return provider.tokens(body.get("sub", "user_123"), body.get("scopes", []), body.get("client", "cli-app"))
