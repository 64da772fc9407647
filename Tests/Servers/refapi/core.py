"""HTTP plumbing, shared state and routing for the reference server.

Every response is written in one buffer on a TCP_NODELAY socket: reused
connections otherwise stall ~40 ms on Nagle + delayed ACK (PLATFORM-NOTES).
"""
import base64
import collections
import hashlib
import hmac
import json
import re
import secrets
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

REASONS = {200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently", 302: "Found",
           303: "See Other", 307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           409: "Conflict", 415: "Unsupported Media Type", 422: "Unprocessable Entity",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}

JWT_SECRET = b"apictl-reference-server"


class Response:
    def __init__(self, status, body=b"", headers=None, content_type="application/json", stream=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode()
        self.headers = list(headers or [])
        self.content_type = content_type
        # (length, iterator of chunks): a large body written piece by piece
        self.stream = stream

    @classmethod
    def json(cls, status, obj, headers=None, content_type="application/json"):
        return cls(status, json.dumps(obj).encode(), headers, content_type)

    def header(self, name, value):
        self.headers.append((name, str(value)))
        return self


class Request:
    def __init__(self, method, target, headers, body):
        parts = urlsplit(target)
        self.method = method
        self.target = target
        self.path = parts.path
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.headers = headers
        self.body = body
        host = headers.get("Host", "")
        self.host = host.rsplit(":", 1)[0] if not host.startswith("[") else host
        self.api = None
        self.subpath = self.path
        self.key = None

    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[-1] if values else default

    def bearer(self, scheme="Bearer"):
        value = self.headers.get("Authorization", "")
        prefix = scheme + " "
        return value[len(prefix):].strip() if value.startswith(prefix) else None


class Key:
    def __init__(self, api, token, **kw):
        self.api = api
        self.token = token
        self.id = kw.get("id") or "key_" + secrets.token_hex(4)
        self.name = kw.get("name") or "key"
        self.scopes = list(kw.get("scopes") or [])
        self.expires_at = kw.get("expires_at")
        self.env = kw.get("env")
        self.location = kw.get("location")
        self.company = kw.get("company")
        self.user = kw.get("user") or "user_123"
        self.email = kw.get("email") or "user@company.com"
        self.created_at = time.time()
        self.revoked = False

    def expired(self):
        return self.expires_at is not None and time.time() >= self.expires_at

    def public(self):
        return {"id": self.id, "name": self.name, "scopes": self.scopes, "created_at": int(self.created_at),
                "expires_at": int(self.expires_at) if self.expires_at else None}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(claims):
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    signature = hmac.new(JWT_SECRET, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def verify_jwt(token):
    """The claims when the signature is ours, else None. Expiry is the caller's call."""
    try:
        header, payload, signature = token.split(".")
        expected = hmac.new(JWT_SECRET, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(b64url(expected), signature):
            return None
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, TypeError):
        return None


class State:
    """Everything the server remembers; one lock guards it all."""

    def __init__(self):
        self.lock = threading.Lock()
        # Every secret handed out, kept across resets: the test suite checks at the end
        # that none of them ever appeared in apictl's output.
        self.issued = []
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.keys = {}
            self.faults = []
            self.limits = {}        # api -> (limit, window seconds)
            self.windows = {}       # (api, token) -> [window start, count]
            self.log = collections.deque(maxlen=500)
            self.seq = 0
            self.data = collections.defaultdict(list)
            # (api, key) -> (method, path, response): a POST or PATCH replayed with the same
            # Idempotency-Key gets the first answer again and changes nothing (as Stripe does).
            self.idempotent = {}

    def add_key(self, api, token=None, **kw):
        key = Key(api, token or f"{api[:3]}_{secrets.token_urlsafe(18)}", **kw)
        with self.lock:
            self.keys[key.token] = key
            self.issued.append(key.token)
        return key

    def key(self, api, token):
        with self.lock:
            key = self.keys.get(token or "")
        return key if key and key.api == api else None

    def take_fault(self, api, method, subpath):
        with self.lock:
            for fault in self.faults:
                if fault["count"] <= 0:
                    continue
                if fault.get("api") not in (None, api):
                    continue
                if fault.get("method") not in (None, method):
                    continue
                if fault.get("path") and not subpath.startswith(fault["path"]):
                    continue
                fault["count"] -= 1
                return dict(fault)
        return None

    def rate(self, api, token):
        """(limit, remaining, reset epoch, exceeded) for this key, counting this call."""
        with self.lock:
            limit, window = self.limits.get(api, (None, 60))
            if limit is None:
                return None
            now = time.time()
            slot = self.windows.setdefault((api, token), [now, 0])
            if now >= slot[0] + window:
                slot[0], slot[1] = now, 0
            reset = int(slot[0] + window) + 1
            if slot[1] >= limit:
                return limit, 0, reset, True
            slot[1] += 1
            return limit, limit - slot[1], reset, False

    def next_id(self, prefix):
        with self.lock:
            self.seq += 1
            return f"{prefix}_{self.seq}"


class Router:
    def __init__(self):
        self.routes = []
        self.error_shapes = {}

    def route(self, api, method, pattern):
        compiled = re.compile("^" + pattern + "$")

        def register(fn):
            self.routes.append((api, method, compiled, fn))
            return fn
        return register

    def error_shape(self, api):
        def register(fn):
            self.error_shapes[api] = fn
            return fn
        return register

    def error(self, api, status, code, message):
        shape = self.error_shapes.get(api)
        if shape:
            return shape(status, code, message)
        return Response.json(status, {"error": {"code": code, "message": message, "status": status}})

    def dispatch(self, request):
        allowed = False
        for api, method, pattern, fn in self.routes:
            if api != request.api:
                continue
            match = pattern.match(request.subpath)
            if not match:
                continue
            if method != request.method and not (method == "GET" and request.method == "HEAD"):
                allowed = True
                continue
            return fn(request, **match.groupdict())
        if allowed:
            return self.error(request.api, 405, "METHOD_NOT_ALLOWED", f"{request.method} is not allowed here")
        return self.error(request.api, 404, "NOT_FOUND", "Resource not found")


def make_handler(router, state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "apictl-refserver/1"

        def setup(self):
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args):
            pass

        def count_body(self):
            """Reads a request body (Content-Length or chunked) without keeping it: its size and SHA-256."""
            import hashlib
            digest, total = hashlib.sha256(), 0

            def take(n):
                nonlocal total
                while n > 0:
                    block = self.rfile.read(min(n, 1 << 20))
                    if not block:
                        raise ConnectionError("body cut short")
                    digest.update(block)
                    total += len(block)
                    n -= len(block)
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        break
                    take(size)
                    self.rfile.readline()
            else:
                take(int(self.headers.get("Content-Length") or 0))
            return total, digest.hexdigest()

        def handle_one(self):
            if self.path.startswith("/_test/upload-size"):
                # A large upload is counted, never held or logged.
                total, sha = self.count_body()
                payload = json.dumps({"bytes": total, "sha256": sha, "method": self.command,
                                      "chunked": "chunked" in (self.headers.get("Transfer-Encoding") or "")}).encode()
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                 + str(len(payload)).encode() + b"\r\n\r\n" + payload)
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(self.command, self.path, self.headers, body)
            segments = request.path.split("/", 2)
            request.api = segments[1] if len(segments) > 1 else ""
            request.subpath = "/" + segments[2] if len(segments) > 2 else "/"
            with state.lock:
                state.log.append({"method": request.method, "host": request.host, "path": request.path,
                                  "peer": self.client_address[1],
                                  "query": request.target.partition("?")[2],
                                  "headers": {k: v for k, v in self.headers.items()},
                                  "body": body.decode("utf-8", "replace")})
            fault = state.take_fault(request.api, request.method, request.subpath) if not request.api.startswith("_") else None
            if fault:
                if fault.get("delay"):
                    time.sleep(float(fault["delay"]))
                if fault.get("drop") == "before":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault.get("drop") == "mid-body":
                    head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                            f"Content-Length: 100000\r\n\r\n").encode()
                    self.wfile.write(head + b"x" * 1000)
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault.get("status"):
                    if "body" in fault:  # a raw answer, such as an empty 200
                        response = Response(int(fault["status"]), fault["body"])
                    else:
                        response = router.error(request.api, int(fault["status"]), fault.get("code", "INJECTED"),
                                                fault.get("message", "Injected failure"))
                    for name, value in (fault.get("headers") or {}).items():
                        response.header(name, value)
                    self.send(response)
                    return
            key = self.headers.get("Idempotency-Key") if request.method in ("POST", "PATCH") else None
            replayed = None
            if key:
                with state.lock:
                    replayed = state.idempotent.get((request.api, key))
            if replayed:
                method, path, first = replayed
                if (method, path) != (request.method, request.path):
                    response = router.error(request.api, 422, "IDEMPOTENCY_MISMATCH",
                                            "This Idempotency-Key was used with another request")
                else:
                    headers = [(n, v) for n, v in first.headers if n != "Idempotent-Replayed"]
                    response = Response(first.status, first.body, headers + [("Idempotent-Replayed", "true")],
                                        first.content_type)
                self.send(response)
                return
            try:
                response = router.dispatch(request)
            except Exception as error:  # a bug in the reference server must show, not hang the client
                response = router.error(request.api, 500, "SERVER_ERROR", f"reference server bug: {error!r}")
            if key and response.status < 500:
                with state.lock:
                    state.idempotent[(request.api, key)] = (request.method, request.path, response)
                response.header("Idempotent-Replayed", "false")
            if fault and fault.get("drop") == "after":
                # The server acted; the client never hears of it.
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.send(response, head_only=request.method == "HEAD")

        def send(self, response, head_only=False):
            lines = [f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'Status')}"]
            names = {name.lower() for name, _ in response.headers}
            if (response.body or response.stream) and "content-type" not in names:
                lines.append(f"Content-Type: {response.content_type}")
            length = response.stream[0] if response.stream else len(response.body)
            lines.append(f"Content-Length: {length}")
            lines.extend(f"{name}: {value}" for name, value in response.headers)
            head = ("\r\n".join(lines) + "\r\n\r\n").encode()
            if response.stream and not head_only:
                self.wfile.write(head)
                for chunk in response.stream[1]:
                    self.wfile.write(chunk)
                return
            self.wfile.write(head + (b"" if head_only else response.body))

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_one

    return Handler


def serve(router, state, host, port):
    server = ThreadingHTTPServer((host, port), make_handler(router, state))
    server.daemon_threads = True
    return server
