"""A loopback API that answers after a fixed delay and, optionally, allows only LIMIT
requests per WINDOW seconds (windows aligned to the clock, as X-RateLimit-Reset says),
for `apictl batch`'s tests and bench. It counts requests, 429s and connections.

Usage: paced_server.py --port-file PATH [--delay-ms 20] [--limit 50 --window 1]
       [--idempotency-header Idempotency-Key]
"""
import argparse
import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
stats = {"requests": 0, "429": 0, "connections": 0, "created": 0}
windows = {}
seen_keys = {}


def reset_stats():
    with lock:
        for name in stats:
            stats[name] = 0
        windows.clear()
        seen_keys.clear()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle and delayed ACKs add 40 ms to each answer.
    disable_nagle_algorithm = True
    options = None

    def setup(self):
        super().setup()
        with lock:
            stats["connections"] += 1

    def log_message(self, *args):
        pass

    def answer(self, status, payload, headers=()):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def rate_headers(self):
        """None when the request may go on, else the 429's headers; the X-RateLimit-* fields either way."""
        options = self.options
        if not options.limit:
            return [], False
        now = time.time()
        window = math.floor(now / options.window)
        reset = (window + 1) * options.window
        with lock:
            used = windows.get(window, 0)
            refused = used >= options.limit
            if not refused:
                windows[window] = used + 1
            else:
                stats["429"] += 1
        remaining = max(0, options.limit - used - (0 if refused else 1))
        headers = [("X-RateLimit-Limit", str(options.limit)), ("X-RateLimit-Remaining", str(remaining)),
                   ("X-RateLimit-Reset", str(int(reset)) if float(reset).is_integer() else f"{reset:.3f}")]
        if refused:
            headers.append(("Retry-After", str(max(1, math.ceil(reset - now)))))
        return headers, refused

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/_stats":
            with lock:
                return self.answer(200, dict(stats))
        if self.path == "/_stats/reset":
            reset_stats()
            return self.answer(200, {"ok": True})
        with lock:
            stats["requests"] += 1
        time.sleep(self.options.delay_ms / 1000)
        headers, refused = self.rate_headers()
        if refused:
            return self.answer(429, {"error": "rate limited"}, headers)
        if self.command == "POST":
            key = self.headers.get(self.options.idempotency_header) if self.options.idempotency_header else None
            with lock:
                if key and key in seen_keys:
                    return self.answer(201, seen_keys[key], headers + [("Idempotent-Replayed", "true")])
                stats["created"] += 1
                created = {"id": stats["created"], "received": json.loads(body or b"null")}
                if key:
                    seen_keys[key] = created
            return self.answer(201, created, headers)
        return self.answer(200, {"path": self.path, "ok": True}, headers)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--delay-ms", type=float, default=20)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--window", type=float, default=1)
    parser.add_argument("--idempotency-header")
    options = parser.parse_args()
    Handler.options = options
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    with open(options.port_file + ".tmp", "w") as out:
        out.write(str(server.server_address[1]))
    import os
    os.rename(options.port_file + ".tmp", options.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
