#!/usr/bin/env python3
"""A headless browser for OAuth tests. apictl runs `$BROWSER URL`; this opens
the URL and follows the provider's redirect to apictl's loopback listener, as a
person's browser would after they approve.

FAKE_BROWSER_LOG: a file that gets each URL and what came back.
FAKE_BROWSER_SUB: answer a consent form (oidc-provider-mock's) as this user.
FAKE_BROWSER_STRAY: first send the listener a request on another path and one
with a forged state, as a hostile page could, and log their statuses.
FAKE_BROWSER_TRICKLE: first leave a connection to the listener that sends one byte
every half second for a minute, as another local user could.
"""
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


def fetch(url, data=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=20) as response:
            return response.status, response.geturl(), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.geturl(), error.read().decode("utf-8", "replace")


def log(line):
    if os.environ.get("FAKE_BROWSER_LOG"):
        with open(os.environ["FAKE_BROWSER_LOG"], "a") as out:
            out.write(line + "\n")


url = sys.argv[1]
log("open " + url)
query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
if os.environ.get("FAKE_BROWSER_STRAY"):
    redirect = query["redirect_uri"][0]
    origin = redirect.rsplit("/", 1)[0]
    log("stray-path %d" % fetch(origin + "/favicon.ico")[0])
    log("forged-state %d" % fetch(redirect + "?code=forged&state=not-the-state")[0])
if os.environ.get("FAKE_BROWSER_TRICKLE"):
    import socket
    import time
    port = urllib.parse.urlsplit(query["redirect_uri"][0]).port
    if os.fork() == 0:
        os.setsid()
        try:
            stalled = socket.create_connection(("127.0.0.1", port))
            for _ in range(120):
                stalled.send(b"G")
                time.sleep(0.5)
        except OSError:
            pass
        os._exit(0)
    time.sleep(1)
status, final, body = fetch(url)
if os.environ.get("FAKE_BROWSER_SUB") and "<form" in body:
    status, final, body = fetch(url, urllib.parse.urlencode({"sub": os.environ["FAKE_BROWSER_SUB"]}).encode())
log(f"{status} {final}\n{body}")
