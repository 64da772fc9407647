"""Client certificates (mutual TLS), RFC 8705 certificate-bound OAuth tokens and an
authenticated proxy, for real: a certificate factory, HTTPS servers that ask for a
client certificate, an RFC 8705 authorization server, and tinyproxy with BasicAuth.

The servers run in the test process on free loopback ports, each connection in a
thread of its own (the TLS handshake too, so a client that stalls or fails its
handshake holds up nobody). Everything they see is kept in plain lists the tests
read: `connections` (one entry per TCP connection: the handshake's outcome and the
certificate presented), `requests` (one per HTTP request) and, for the
authorization server, `token_requests`. Uses the `cryptography` package.

By hand (the servers print their origins):  python3 mtls_fixtures.py
"""
import base64
import datetime
import hashlib
import hmac
import ipaddress
import json
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PASSPHRASE = "s3cret"          # of client-enc.key and client.p12


# --- certificates ---------------------------------------------------------------------

def _name(common):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "apictl tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _ca(common):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(common)).issuer_name(_name(common))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(_now() - datetime.timedelta(days=30)).not_valid_after(_now() + datetime.timedelta(days=60))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def _leaf(issuer_key, issuer_cert, common, usage, not_after, key=None, names=(), ips=()):
    """A certificate for `common` signed by issuer_key (issuer_cert None: self-signed)."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    issuer_name = issuer_cert.subject if issuer_cert is not None else _name(common)
    builder = (x509.CertificateBuilder().subject_name(_name(common)).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(_now() - datetime.timedelta(days=30)).not_valid_after(_now() + not_after)
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
    if issuer_cert is not None:   # a self-signed client certificate carries no CA extensions at all
        builder = (builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False))
    if names or ips:
        alt = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
    return key, builder.sign(issuer_key if issuer_cert is not None else key, hashes.SHA256())


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key, passphrase=None):
    encryption = (serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
                  else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def make_certs(folder):
    """Writes into `folder` (and returns it as a Path):

    ca.pem                      the CA every server and client certificate below is signed by
    server.pem, server.key      the servers' certificate, for 127.0.0.1 and localhost
    client.pem, client.key      alice (CN=alice), EC P-256
    client-rsa.pem, .key        alice again, RSA 2048
    client2.pem, client2.key    bob (CN=bob)
    expired.pem, expired.key    alice's name, notAfter yesterday
    soon.pem, soon.key          alice's name, expires in 7 days
    client-enc.key              alice's key, PKCS#8 encrypted with PASSPHRASE
    client.p12                  alice's certificate and key, PKCS#12 with PASSPHRASE
    client-with-key.pem         alice's certificate, then her key, in one file
    chain.pem                   alice's certificate, then the CA's
    selfsigned.pem, .key        carol (CN=carol), self-signed (the servers trust it by itself)
    stranger.pem, .key          CN=stranger, signed by other-ca.pem, which no server trusts
    other-ca.pem                that other CA
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = _ca("apictl client-certificate test CA")
    other_key, other_cert = _ca("a CA nobody here trusts")
    client = ExtendedKeyUsageOID.CLIENT_AUTH
    year = datetime.timedelta(days=365)

    def write(stem, key, cert):
        (folder / f"{stem}.pem").write_bytes(_pem(cert))
        (folder / f"{stem}.key").write_bytes(_key_pem(key))
        (folder / f"{stem}.key").chmod(0o600)

    (folder / "ca.pem").write_bytes(_pem(ca_cert))
    (folder / "other-ca.pem").write_bytes(_pem(other_cert))
    write("server", *_leaf(ca_key, ca_cert, "localhost", ExtendedKeyUsageOID.SERVER_AUTH, year,
                           names=["localhost"], ips=["127.0.0.1"]))
    alice_key, alice = _leaf(ca_key, ca_cert, "alice", client, year)
    write("client", alice_key, alice)
    write("client-rsa", *_leaf(ca_key, ca_cert, "alice", client, year,
                               key=rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    write("client2", *_leaf(ca_key, ca_cert, "bob", client, year))
    write("expired", *_leaf(ca_key, ca_cert, "alice", client, -datetime.timedelta(days=1)))
    write("soon", *_leaf(ca_key, ca_cert, "alice", client, datetime.timedelta(days=7)))
    write("selfsigned", *_leaf(None, None, "carol", client, year))
    write("stranger", *_leaf(other_key, other_cert, "stranger", client, year))
    (folder / "client-enc.key").write_bytes(_key_pem(alice_key, PASSPHRASE))
    (folder / "client.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"alice", alice_key, alice, None, serialization.BestAvailableEncryption(PASSPHRASE.encode())))
    (folder / "client-with-key.pem").write_bytes(_pem(alice) + _key_pem(alice_key))
    (folder / "chain.pem").write_bytes(_pem(alice) + _pem(ca_cert))
    for name in ("client-enc.key", "client.p12", "client-with-key.pem"):
        (folder / name).chmod(0o600)
    return folder


def _der(cert):
    """DER bytes of a certificate given as DER bytes, a cryptography certificate, or a PEM file (its first one)."""
    if isinstance(cert, (bytes, bytearray)):
        return bytes(cert)
    if isinstance(cert, x509.Certificate):
        return cert.public_bytes(serialization.Encoding.DER)
    return x509.load_pem_x509_certificate(Path(cert).read_bytes()).public_bytes(serialization.Encoding.DER)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def thumbprint(cert):
    """RFC 8705's x5t#S256: base64url, without padding, of the SHA-256 of the certificate's DER."""
    return b64url(hashlib.sha256(_der(cert)).digest())


def common_name(cert):
    """The subject CN of a certificate (DER bytes, a certificate, or a PEM file); None for None."""
    if cert is None:
        return None
    names = x509.load_der_x509_certificate(_der(cert)).subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return names[0].value if names else None


def table(header, **keys):
    """A TOML table for a test's config: strings (and paths) as JSON strings, which TOML reads
    the same; booleans as true / false."""
    lines = [f"\n[{header}]"]
    for key, value in keys.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        else:
            lines.append(f"{key} = {json.dumps(str(value))}")
    return "\n".join(lines) + "\n"


# --- JWTs (HS256) -------------------------------------------------------------------------

def _b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_jwt(claims, secret):
    header = b64url(json.dumps({"alg": "HS256", "typ": "at+jwt"}).encode())
    payload = b64url(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def jwt_claims(token, secret=None):
    """The payload of a JWT; with `secret`, None unless its HS256 signature is right."""
    try:
        header, payload, signature = token.split(".")
        if secret is not None:
            expected = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, _b64url_decode(signature)):
                return None
        return json.loads(_b64url_decode(payload))
    except ValueError:
        return None


# --- an HTTPS listener that records every connection ----------------------------------------

def server_context(certs, client_certs="required", max_version=None):
    """A server context with certs/server.pem. client_certs: "required" (ssl.CERT_REQUIRED),
    "optional" (asked for, not required) or "none" (plain TLS, none asked for). Client
    certificates are verified against ca.pem, and carol's self-signed selfsigned.pem is
    trusted by itself (RFC 8705's self_signed_tls_client_auth)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs / "server.pem", certs / "server.key")
    if client_certs != "none":
        context.verify_mode = ssl.CERT_REQUIRED if client_certs == "required" else ssl.CERT_OPTIONAL
        context.load_verify_locations(certs / "ca.pem")
        context.load_verify_locations(certs / "selfsigned.pem")
    if max_version is not None:
        context.maximum_version = max_version
    return context


class Listener(ThreadingHTTPServer):
    """One HTTPS port on 127.0.0.1, served from a daemon thread. `connections` has one
    entry per TCP connection: {"cn", "x5t", "error"} (error: why the handshake failed).

    After a failed handshake the listener closes its side for writing and reads what the
    client still sends (for 2 s at most) before closing: the client then reads the TLS
    alert. With `abrupt`, it closes at once, as Go's and Python's own servers do: in TLS
    1.3 the client has sent its request by then, the unread request turns the close into
    a reset, and the client may see "Broken pipe" or "Connection reset" instead of the
    alert, whichever comes first."""
    daemon_threads = True

    def __init__(self, name, context, handler, owner, abrupt=False):
        self.name, self.context, self.owner, self.abrupt = name, context, owner, abrupt
        self.connections = []
        super().__init__(("127.0.0.1", 0), handler)
        self.port = self.server_address[1]
        self.origin = f"https://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def process_request_thread(self, request, client_address):
        entry = {"listener": self.name, "cn": None, "x5t": None, "error": None}
        self.connections.append(entry)
        request.settimeout(10)
        tls = self.context.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
        try:
            tls.do_handshake()
        except (ssl.SSLError, OSError) as error:
            entry["error"] = getattr(error, "reason", None) or str(error)
            raw = socket.socket(fileno=tls.detach())     # the TCP connection, the alert already sent on it
            if not self.abrupt:
                try:
                    raw.shutdown(socket.SHUT_WR)
                    raw.settimeout(2)
                    while raw.recv(65536):
                        pass
                except OSError:
                    pass
            raw.close()
            return
        der = tls.getpeercert(binary_form=True)
        if der:
            entry["cn"], entry["x5t"] = common_name(der), thumbprint(der)
        super().process_request_thread(tls, client_address)

    def handle_error(self, request, client_address):
        pass                                      # a client that hangs up is no test failure

    def stop(self):
        self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10

    def log_message(self, *args):
        pass

    def peer(self):
        """(CN, x5t#S256) of the client certificate on this connection, or (None, None)."""
        der = self.connection.getpeercert(binary_form=True)
        return (common_name(der), thumbprint(der)) if der else (None, None)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def record(self, body):
        cn, x5t = self.peer()
        entry = {"listener": self.server.name, "method": self.command, "path": self.path, "cn": cn, "x5t": x5t,
                 "headers": {name.lower(): value for name, value in self.headers.items()},
                 "body": body.decode("utf-8", "replace")}
        self.server.owner.requests.append(entry)
        return entry

    def answer(self, status, payload, headers=()):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


# --- the resource server ---------------------------------------------------------------------

class ResourceHandler(Handler):
    def serve(self):
        body = self.read_body()
        entry = self.record(body)
        cn, x5t = entry["cn"], entry["x5t"]
        authorization = self.headers.get("Authorization")
        if authorization and authorization.lower().startswith("bearer ") and authorization.count(".") == 2:
            token = authorization.split(None, 1)[1].strip()
            claims = jwt_claims(token, self.server.owner.jwt_secret)
            if claims is None:
                return self.answer(401, {"error": "invalid_token", "error_description": "bad signature"},
                                   [("WWW-Authenticate", 'Bearer error="invalid_token"')])
            if claims.get("exp", 0) < time.time():
                return self.answer(401, {"error": "invalid_token", "error_description": "the access token expired"},
                                   [("WWW-Authenticate", 'Bearer error="invalid_token"')])
            bound = (claims.get("cnf") or {}).get("x5t#S256")
            if bound is not None and bound != x5t:
                return self.answer(401, {"error": "invalid_token", "error_description": "certificate binding mismatch"},
                                   [("WWW-Authenticate", 'Bearer error="invalid_token"')])
        self.answer(200, {"id": "u1", "name": cn, "client_x5t": x5t, "authorization": authorization,
                          "proxy_authorization": self.headers.get("Proxy-Authorization"),
                          "method": self.command, "path": self.path})

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = serve


class ResourceServer:
    """An HTTPS API. Every path answers 200 with {"id": "u1", "name": <client certificate CN>,
    "client_x5t": <its x5t#S256>, "authorization", "proxy_authorization", "method", "path"}
    (GET /me is the one profiles use; /echo is the same, for tests whose token comes from
    APICTL_TOKEN, whose stdout conftest's secret check lets through on /echo). A Bearer JWT
    whose cnf.x5t#S256 is not the presented certificate's gets 401 invalid_token
    "certificate binding mismatch"; with `jwt_secret` a JWT must also be signed with it and
    unexpired.

    client_certs: "required" (ssl.CERT_REQUIRED), "optional" or "none" (plain TLS).
    max_version: e.g. ssl.TLSVersion.TLSv1_2 (a refusal is a handshake alert there, while in
    TLS 1.3 the client learns of it only when it reads). abrupt: see Listener."""

    def __init__(self, certs, client_certs="required", max_version=None, jwt_secret=None, abrupt=False):
        self.certs, self.jwt_secret = Path(certs), jwt_secret
        self.requests = []
        self.listener = Listener("resource", server_context(self.certs, client_certs, max_version), ResourceHandler, self,
                                 abrupt=abrupt)
        self.port, self.origin = self.listener.port, self.listener.origin

    @property
    def connections(self):
        return self.listener.connections

    def url(self, path="/me"):
        return self.origin + path

    def clear(self):
        self.requests.clear()
        self.connections.clear()

    def stop(self):
        self.listener.stop()


# --- the RFC 8705 authorization server ---------------------------------------------------------

SECRET_FIELDS = ("client_secret", "refresh_token", "client_assertion", "password", "code", "code_verifier")


class AuthorizationHandler(Handler):
    def do_GET(self):
        self.record(b"")
        owner = self.server.owner
        if self.path == "/.well-known/oauth-authorization-server":
            return self.answer(200, owner.metadata())
        self.answer(404, {"error": "not_found"})

    def do_POST(self):
        body = self.read_body()
        self.record(b"")                          # the form is recorded below, without its secrets
        if urllib.parse.urlsplit(self.path).path != "/token":
            return self.answer(404, {"error": "not_found"})
        self.server.owner.token(self, urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))


class AuthorizationServer:
    """An OAuth 2.0 authorization server for RFC 8705 with two HTTPS listeners:

    plain  (no client certificate asked for): GET /.well-known/oauth-authorization-server;
           POST /token always answers 401 invalid_client (it cannot authenticate a client).
    mtls   (ssl.CERT_REQUIRED): POST /token, the metadata's mtls_endpoint_aliases.token_endpoint.

    Clients: "alice-client" by tls_client_auth (a certificate whose subject CN is alice),
    "carol-client" by self_signed_tls_client_auth (carol's self-signed certificate, by its
    thumbprint). A token request carrying a client_secret or any Authorization header
    is refused 400 invalid_request. client_credentials and refresh_token grants issue an
    HS256 JWT access token (sub, client_id, exp = now + `lifetime`, cnf.x5t#S256 = the
    presented certificate's thumbprint) and a refresh token, which works only on the mTLS
    listener with the certificate it was issued to (it is rotated on use).

    `token_requests` has one entry per POST /token: {"listener", "cn", "x5t", "grant_type",
    "fields" (the form, secrets replaced by "[redacted]"), "authorization" (whether an
    Authorization header came), "status", "error"}. `issued` lists the access tokens."""

    CLIENTS = {"alice-client": ("tls_client_auth", "alice"), "carol-client": ("self_signed_tls_client_auth", None)}

    def __init__(self, certs, lifetime=300):
        self.certs = Path(certs)
        self.lifetime = lifetime
        self.secret = secrets.token_bytes(32)
        self.requests, self.token_requests, self.issued = [], [], []
        self.refresh_tokens = {}
        self.carol = thumbprint(self.certs / "selfsigned.pem")
        self.plain = Listener("plain", server_context(self.certs, "none"), AuthorizationHandler, self)
        self.mtls = Listener("mtls", server_context(self.certs, "required"), AuthorizationHandler, self)
        self.issuer = self.plain.origin

    def metadata(self):
        return {
            "issuer": self.issuer,
            "token_endpoint": self.plain.origin + "/token",
            "mtls_endpoint_aliases": {"token_endpoint": self.mtls.origin + "/token"},
            "tls_client_certificate_bound_access_tokens": True,
            "token_endpoint_auth_methods_supported": ["tls_client_auth", "self_signed_tls_client_auth"],
            "grant_types_supported": ["client_credentials", "refresh_token"],
            "response_types_supported": [],
        }

    def token(self, handler, form):
        fields = {name: ("[redacted]" if name in SECRET_FIELDS else values[-1]) for name, values in form.items()}
        cn, x5t = handler.peer()
        entry = {"listener": handler.server.name, "cn": cn, "x5t": x5t, "grant_type": fields.get("grant_type"),
                 "fields": fields, "authorization": "Authorization" in handler.headers, "status": None, "error": None}
        self.token_requests.append(entry)

        def refuse(status, error, description):
            entry["status"], entry["error"] = status, error
            extra = [("WWW-Authenticate", 'Basic realm="token"')] if status == 401 else []
            handler.answer(status, {"error": error, "error_description": description}, extra)

        if handler.server.name != "mtls":
            return refuse(401, "invalid_client", "no client certificate: use mtls_endpoint_aliases.token_endpoint")
        if "client_secret" in form or "client_assertion" in form or "Authorization" in handler.headers:
            return refuse(400, "invalid_request", "this client authenticates with its TLS certificate, not a secret")
        value = lambda name: (form.get(name) or [None])[-1]
        grant, client_id = value("grant_type"), value("client_id")
        if grant == "client_credentials":
            method, subject = self.CLIENTS.get(client_id, (None, None))
            if method is None:
                return refuse(401, "invalid_client", f"unknown client {client_id!r}")
            if method == "tls_client_auth" and cn != subject:
                return refuse(401, "invalid_client", f"the certificate's subject is not {subject}")
            if method == "self_signed_tls_client_auth" and x5t != self.carol:
                return refuse(401, "invalid_client", "not the registered self-signed certificate")
        elif grant == "refresh_token":
            held = self.refresh_tokens.get(value("refresh_token") or "")
            if held is None:
                return refuse(400, "invalid_grant", "unknown refresh token")
            if client_id is not None and client_id != held[0]:
                return refuse(400, "invalid_grant", "the refresh token belongs to another client")
            if held[1] != x5t:
                return refuse(400, "invalid_grant", "the refresh token is bound to another certificate")
            del self.refresh_tokens[value("refresh_token")]
            client_id = held[0]
        else:
            return refuse(400, "unsupported_grant_type", f"grant_type {grant!r}")
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": client_id, "client_id": client_id, "iat": now, "exp": now + self.lifetime,
                  "jti": secrets.token_hex(8), "cnf": {"x5t#S256": x5t}}
        if value("scope"):
            claims["scope"] = value("scope")
        access, refresh = make_jwt(claims, self.secret), "rt-" + secrets.token_urlsafe(24)
        self.refresh_tokens[refresh] = (client_id, x5t)
        self.issued.append(access)
        entry["status"] = 200
        answer = {"access_token": access, "token_type": "Bearer", "expires_in": self.lifetime, "refresh_token": refresh}
        if "scope" in claims:
            answer["scope"] = claims["scope"]
        handler.answer(200, answer)

    @property
    def connections(self):
        return self.plain.connections + self.mtls.connections

    def clear(self):
        for log in (self.requests, self.token_requests, self.plain.connections, self.mtls.connections):
            log.clear()
        self.lifetime = 300

    def stop(self):
        self.plain.stop()
        self.mtls.stop()


# --- tinyproxy with BasicAuth ----------------------------------------------------------------------

class AuthTinyproxy:
    """Debian's tinyproxy (1.11) on a free loopback port, like conftest's Tinyproxy, and with
    `BasicAuth user password` when a user is given. What tinyproxy 1.11.1 does with it:
    - every request, CONNECT included, without Proxy-Authorization: 407 with
      `Proxy-Authenticate: Basic realm="Tinyproxy"`, HTTP/1.0 and Connection: close;
    - wrong credentials: 401 Unauthorized with WWW-Authenticate (not 407), on CONNECT too;
    - right ones: the tunnel (or the forwarded request, Proxy-Authorization removed).
    Its log (LogLevel Info) has request lines (`Request (file descriptor N): CONNECT
    127.0.0.1:PORT HTTP/1.1`; for plain http the whole URL, query included), never a header:
    neither Proxy-Authorization nor anything inside a tunnel."""

    def __init__(self, user=None, password=None):
        self.user, self.password = user, password
        self.dir = Path(tempfile.mkdtemp(prefix="tinyproxy-auth-"))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log_path = self.dir / "log"
        config = (f"Port {self.port}\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 30\n"
                  f"LogFile \"{self.log_path}\"\nLogLevel Info\nMaxClients 20\n")
        if user is not None:
            config += f"BasicAuth {user} {password}\n"
        (self.dir / "tinyproxy.conf").write_text(config)
        self.process = subprocess.Popen(["tinyproxy", "-d", "-c", str(self.dir / "tinyproxy.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if self.process.poll() is not None or time.time() > deadline:
                    raise RuntimeError("tinyproxy did not start")
                time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"
        self.hostport = f"127.0.0.1:{self.port}"

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def mark(self):
        """Where the log ends now: log_since(mark) is what came after."""
        return len(self.log())

    def log_since(self, mark):
        return self.log()[mark:]

    def connects(self, mark=0):
        """The CONNECT targets (host:port) requested since `mark`."""
        return [line.rsplit(": CONNECT ", 1)[1].split()[0] for line in self.log_since(mark).splitlines()
                if "Request (file descriptor" in line and ": CONNECT " in line]

    def stop(self):
        self.process.terminate()
        self.process.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)


if __name__ == "__main__":      # the servers by hand, for curl
    folder = make_certs(Path(tempfile.mkdtemp(prefix="mtls-certs-")))
    authorization = AuthorizationServer(folder)
    servers = {"resource (mTLS required)": ResourceServer(folder, jwt_secret=authorization.secret),
               "resource (TLS 1.2, mTLS required)": ResourceServer(folder, max_version=ssl.TLSVersion.TLSv1_2),
               "resource (optional)": ResourceServer(folder, "optional"),
               "resource (plain TLS)": ResourceServer(folder, "none")}
    proxy = AuthTinyproxy("alice", "proxy-pass-4417")
    print("certs:", folder, flush=True)
    for name, server in servers.items():
        print(f"{name}: {server.origin}")
    print(f"authorization server: issuer {authorization.issuer}, mTLS {authorization.mtls.origin}")
    print(f"proxy: {proxy.url} (alice / proxy-pass-4417), log {proxy.log_path}", flush=True)
    import signal
    signal.signal(signal.SIGTERM, lambda *_: exit(0))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        proxy.stop()
