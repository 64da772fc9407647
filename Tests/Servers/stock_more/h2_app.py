"""A tiny ASGI app for hypercorn (HTTP/2 over TLS from PyPI): each answer says which HTTP
version carried it and from which client port, so a test can count connections."""
import json


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
    body = json.dumps({"http_version": scope["http_version"], "client_port": scope["client"][1],
                       "authorized": headers.get("authorization") == "Bearer h2-token-0123456789"}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
