#!/usr/bin/env python3
"""Reference API server for apictl: the five seed APIs on one loopback port.

  /datadocks/api/v1/...  (Host: LOCATION.localhost selects the location)
  /techdocs/v1/...
  /datasets/api/v1/...
  /pocketdns/api/v1/...  (Host: sandbox.localhost is the sandbox, anything else production)
  /dzdesk/v1/...
  /_admin/...            keys, faults, rate limits, request log (for tests)

Usage: refserver.py [--port N] [--port-file PATH]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from refapi import admin, ci_identity, datadocks, datasets, dzdesk, openapi, pocketdns, techdocs  # noqa: E402
from refapi.core import Router, State, serve  # noqa: E402

MODULES = [datadocks, techdocs, datasets, pocketdns, dzdesk, ci_identity, admin, openapi]


def build():
    router, state = Router(), State()
    router.on_reset = []
    for module in MODULES:
        module.register(router, state)
        if hasattr(module, "DEFAULT_LIMIT"):
            router.on_reset.append(lambda m=module: state.limits.setdefault(m.API, m.DEFAULT_LIMIT))
    return router, state


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate chain")
    parser.add_argument("--tls-key", help="and this PEM private key")
    args = parser.parse_args()
    router, state = build()
    server = serve(router, state, args.host, args.port)
    scheme = "http"
    if args.tls_cert:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"refserver listening on {scheme}://{args.host}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
