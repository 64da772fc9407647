"""A loopback API that answers after a fixed delay and, optionally, allows only LIMIT
requests per WINDOW seconds (windows aligned to the clock, as X-RateLimit-Reset says),
for `apictl batch`'s tests and bench. It counts requests, 429s, connections and what it
created; with --idempotency-header, a POST repeating a key gets the first answer again, or
409 while the key's first request is still being handled (as the IETF idempotency-key draft
says). A path starting /sleep/MS answers MS milliseconds later than the rest.
HTTP/1.1 with keep-alive on asyncio: one thread, so the delay is all a client waits for.

Usage: paced_server.py (--port-file PATH | --port N) [--delay-ms 20] [--limit 50 --window 1]
       [--idempotency-header Idempotency-Key]
"""
import argparse
import asyncio
import json
import math
import os
import time

stats = {"requests": 0, "429": 0, "connections": 0, "created": 0}
windows = {}
seen_keys = {}
keys_in_flight = set()


def reset_stats():
    for name in stats:
        stats[name] = 0
    windows.clear()
    seen_keys.clear()
    keys_in_flight.clear()


def rate_headers(options):
    """The X-RateLimit-* fields for this request, and whether it is refused."""
    if not options.limit:
        return [], False
    now = time.time()
    window = math.floor(now / options.window)
    reset = (window + 1) * options.window
    used = windows.get(window, 0)
    refused = used >= options.limit
    if refused:
        stats["429"] += 1
    else:
        windows[window] = used + 1
    remaining = max(0, options.limit - used - (0 if refused else 1))
    headers = [("X-RateLimit-Limit", str(options.limit)), ("X-RateLimit-Remaining", str(remaining)),
               ("X-RateLimit-Reset", str(int(reset)) if float(reset).is_integer() else f"{reset:.3f}")]
    if refused:
        headers.append(("Retry-After", str(max(1, math.ceil(reset - now)))))
    return headers, refused


async def answer(options, method, path, headers, body):
    if path == "/_stats":
        return 200, dict(stats), []
    if path == "/_stats/reset":
        reset_stats()
        return 200, {"ok": True}, []
    stats["requests"] += 1
    stats[method] = stats.get(method, 0) + 1
    # Counted in the window the request arrived in, as a real limiter counts it: decided after the
    # delay, a request sent in one window but answered late on a loaded machine took the next
    # window's budget, and the client's next round met 429s it had no way to foresee.
    limits, refused = rate_headers(options)
    key = headers.get(options.idempotency_header.lower()) if options.idempotency_header and method == "POST" else None
    if key in keys_in_flight:
        return 409, {"error": "a request with this key is still being handled"}, limits
    if key:
        keys_in_flight.add(key)
    try:
        extra_ms = float(path.split("/")[2]) if path.startswith("/sleep/") else 0
        await asyncio.sleep((options.delay_ms + extra_ms) / 1000)
    finally:
        keys_in_flight.discard(key)
    if refused:
        return 429, {"error": "rate limited"}, limits
    if method == "POST":
        if key and key in seen_keys:
            return 201, seen_keys[key], limits + [("Idempotent-Replayed", "true")]
        stats["created"] += 1
        created = {"id": stats["created"], "received": json.loads(body or b"null")}
        if key:
            seen_keys[key] = created
        return 201, created, limits
    return 200, {"path": path, "ok": True}, limits


async def serve(options, reader, writer):
    stats["connections"] += 1
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length") or 0))
            status, payload, extra = await answer(options, method, path, headers, body)
            data = json.dumps(payload).encode()
            out = [f"HTTP/1.1 {status} {'OK' if status < 400 else 'Error'}", "Content-Type: application/json",
                   f"Content-Length: {len(data)}"] + [f"{name}: {value}" for name, value in extra]
            writer.write(("\r\n".join(out) + "\r\n\r\n").encode() + data)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def main(options):
    server = await asyncio.start_server(lambda r, w: serve(options, r, w), "127.0.0.1", options.port, backlog=512)
    if options.port_file:
        with open(options.port_file + ".tmp", "w") as out:
            out.write(str(server.sockets[0].getsockname()[1]))
        os.rename(options.port_file + ".tmp", options.port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-ms", type=float, default=20)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--window", type=float, default=1)
    parser.add_argument("--idempotency-header")
    asyncio.run(main(parser.parse_args()))
