"""Each seed API's OpenAPI 3.0 description, built from the routes the reference server
serves, in JSON and in YAML, with an ETag. The base URL's answer names it with
`Link: <...>; rel="service-desc"` (RFC 8631); `openapi.json` and `openapi.yaml` beside
the base URL serve it too. Paths are relative to the server URL, which is the base URL. DZDESK's operations are described in full (query parameters,
body fields with types and enums, scopes), so apictl's completion and checks have
something to work on; the others list their routes."""
import hashlib
import json
import re

from .core import Response

BASES = {"dzdesk": "/v1", "techdocs": "/v1", "datadocks": "/api/v1", "pocketdns": "/api/v1", "datasets": "/api/v1"}

DZDESK_OAUTH = {"type": "oauth2", "flows": {"authorizationCode": {
    "authorizationUrl": "/dzdesk/oauth/authorize", "tokenUrl": "/dzdesk/oauth/token",
    "scopes": {"requests:read": "read requests", "requests:write": "create requests", "keys:manage": "manage API keys"}}}}

REQUEST_BODY = {
    "type": "object", "required": ["title"], "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "description": "What is wrong"},
        "priority": {"type": "integer", "enum": [1, 2, 3, 4], "description": "1 is the most urgent"},
        "status": {"type": "string", "enum": ["open", "pending", "closed"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "requester": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"},
                                                                              "name": {"type": "string", "nullable": True}}},
    },
}

# (api, METHOD, path template) -> what the description says beyond the route itself.
DETAILS = {
    ("dzdesk", "GET", "/v1/me"): {"summary": "Who the key belongs to", "security": [{"dzdesk_oauth": []}]},
    ("dzdesk", "GET", "/v1/requests"): {
        "summary": "List support requests",
        "parameters": [
            {"name": "page", "in": "query", "schema": {"type": "integer"}},
            {"name": "per_page", "in": "query", "schema": {"type": "integer"}},
            {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "pending", "closed"]}},
        ],
        "security": [{"dzdesk_oauth": ["requests:read"]}],
    },
    ("dzdesk", "POST", "/v1/requests"): {
        "summary": "Open a support request",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewRequest"}}}},
        "security": [{"dzdesk_oauth": ["requests:write"]}],
    },
    ("dzdesk", "GET", "/v1/requests/{item_id}"): {"summary": "One support request",
                                                  "security": [{"dzdesk_oauth": ["requests:read"]}]},
    ("dzdesk", "POST", "/v1/api-keys"): {
        "summary": "Create an API key",
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"}, "scopes": {"type": "array", "items": {"type": "string"}},
            "expires_in": {"type": "integer"}}}}}},
        "security": [{"dzdesk_oauth": ["keys:manage"]}],
    },
    ("dzdesk", "GET", "/v1/api-keys"): {"summary": "List API keys", "security": [{"dzdesk_oauth": ["keys:manage"]}]},
    ("dzdesk", "DELETE", "/v1/api-keys/{key_id}"): {"summary": "Revoke an API key", "security": [{"dzdesk_oauth": ["keys:manage"]}]},
}


def template(pattern):
    """A route's regular expression as an OpenAPI path: (?P<id>[^/]+) becomes {id}."""
    path = re.sub(r"\(\?P<([a-z_]+)>[^)]*\)", r"{\1}", pattern)
    return path.replace("\\", "")


def describe(router, api):
    paths = {}
    for route_api, method, compiled, _ in router.routes:
        if route_api != api:
            continue
        path = template(compiled.pattern.strip("^$"))
        base = BASES[api]
        if not path.startswith(base + "/") or "openapi" in path or "(" in path or path.endswith("?"):
            continue   # the API's own routes: OAuth and the description itself are beside it
        full = path
        path = path[len(base):]
        operation = {"summary": f"{method} {path}", "responses": {"200": {"description": "OK"}, "401": {"description": "no key"}}}
        operation.update(DETAILS.get((api, method, full), {}))
        for name in re.findall(r"{([a-z_]+)}", path):
            operation.setdefault("parameters", []).append({"name": name, "in": "path", "required": True,
                                                            "schema": {"type": "string"}})
        paths.setdefault(path, {})[method.lower()] = operation
    document = {"openapi": "3.0.3", "info": {"title": f"{api} (apictl reference server)", "version": "1"},
                "servers": [{"url": f"/{api}{BASES[api]}"}], "paths": paths,
                "components": {"schemas": {"NewRequest": REQUEST_BODY}, "securitySchemes": {}}}
    if api == "dzdesk":
        document["components"]["securitySchemes"]["dzdesk_oauth"] = DZDESK_OAUTH
    else:
        document["components"]["securitySchemes"]["key"] = {"type": "http", "scheme": "bearer"}
    return document


def yaml(value, indent=""):
    """Block-style YAML of JSON-like data (strings always quoted, as JSON strings are YAML)."""
    if isinstance(value, dict):
        if not value:
            return " {}\n"
        out = "\n"
        for key, item in value.items():
            out += f"{indent}{json.dumps(key)}:{yaml(item, indent + '  ')}"
        return out
    if isinstance(value, list):
        if not value:
            return " []\n"
        out = "\n"
        for item in value:
            text = yaml(item, indent + "  ")
            out += f"{indent}-" + (" " + text.lstrip("\n").lstrip() if isinstance(item, (dict, list)) and item else text)
        return out
    return " " + json.dumps(value) + "\n"


def register(router, state):
    def answer(request, document, content_type):
        body = (json.dumps(document, indent=1) if content_type == "application/json" else yaml(document).lstrip("\n")).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        state.description_fetches = getattr(state, "description_fetches", 0) + 1
        if request.headers.get("If-None-Match") == etag:
            return Response(304, b"", [("ETag", etag)])
        return Response(200, body, [("ETag", etag)], content_type=content_type)

    for api, base in BASES.items():
        def serve(request, api=api, ext="json"):
            return answer(request, describe(router, api), "application/json" if ext == "json" else "application/yaml")

        def home(request, api=api):
            response = Response.json(200, {"description": f"/{api}/description.yaml"})
            response.header("Link", f'</{api}/description.yaml>; rel="service-desc"; type="application/yaml"')
            return response

        router.route(api, "GET", base + "/openapi\\.(?P<ext>json|yaml)")(serve)
        router.route(api, "GET", "/description\\.yaml")(lambda request, api=api: answer(request, describe(router, api),
                                                                                      "application/yaml"))
        router.route(api, "GET", base + "/?")(home)
