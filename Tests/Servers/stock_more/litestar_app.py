"""A Litestar app made of Litestar's own parts, configured as its docs show: JWT bearer auth
(`OAuth2PasswordBearerAuth`: the login answers the OAuth 2.0 token shape
`{"access_token","token_type","expires_in"}` with no refresh token, so a token lives until
it expires), the rate-limit middleware (`RateLimitConfig`: the IETF draft's separate
`RateLimit-Limit`, `-Remaining`, `-Reset` and `RateLimit-Policy` headers, and no Retry-After
on its 429), and request-body validation (`{"status_code","detail","extra":[{"message","key",
"source"}]}`). `problem_app` is the same app with the problem-details plugin on for every
HTTP error (RFC 9457 `application/problem+json`, the field list under `extra`).

Only the user table and the password check are ours: Litestar leaves both to the app.
Run: uvicorn litestar_app:app (or litestar_app:problem_app); LITESTAR_TOKEN_SECONDS sets
the tokens' lifetime (default 5)."""
import hmac
import os
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, Optional

from litestar import Litestar, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsPlugin
from litestar.security.jwt import OAuth2Login, OAuth2PasswordBearerAuth, Token

USERS = {"alice": {"username": "alice", "email": "alice@example.test", "password": "alice-password-1"}}


async def retrieve_user_handler(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> Optional[dict]:
    return USERS.get(token.sub)


oauth2_auth = OAuth2PasswordBearerAuth[dict](
    retrieve_user_handler=retrieve_user_handler,
    token_secret="stock-more-test-only-not-a-secret-0123456789",
    token_url="/login",
    default_token_expiration=timedelta(seconds=int(os.environ.get("LITESTAR_TOKEN_SECONDS", "5"))),
    exclude=["/login", "/schema"],
)


@dataclass
class LoginForm:
    username: str
    password: str


@post("/login")
async def login(data: LoginForm) -> Response[OAuth2Login]:
    user = USERS.get(data.username)
    if user is None or not hmac.compare_digest(user["password"], data.password):
        raise NotAuthorizedException("Invalid username or password")
    return oauth2_auth.login(identifier=data.username, token_unique_jwt_id=uuid.uuid4().hex)


@get("/me")
async def me(request: Request[dict, Token, Any]) -> dict:
    return {"username": request.user["username"], "email": request.user["email"]}


@dataclass
class Ticket:
    title: str
    priority: Literal["low", "high"] = "low"
    estimate: Optional[int] = None


@post("/tickets")
async def create_ticket(data: Ticket) -> Ticket:
    return data


@get("/limited")
async def limited() -> dict:
    return {"ok": True}


async def only_limited(request: Request) -> bool:
    return request.url.path == "/limited"


# Two requests a minute on /limited, counted per credential so each caller has its own window.
rate_limit = RateLimitConfig(rate_limit=("minute", 2), check_throttle_handler=only_limited,
                             identifier_for_request=lambda request: request.headers.get("authorization", "anonymous"))

HANDLERS = [login, me, create_ticket, limited]
app = Litestar(route_handlers=HANDLERS, on_app_init=[oauth2_auth.on_app_init], middleware=[rate_limit.middleware])
problem_app = Litestar(route_handlers=HANDLERS, on_app_init=[oauth2_auth.on_app_init], middleware=[rate_limit.middleware],
                       plugins=[ProblemDetailsPlugin(ProblemDetailsConfig(enable_for_all_http_exceptions=True))])
