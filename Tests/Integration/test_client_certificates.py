"""Client certificates (mutual TLS) and RFC 8705 certificate-bound OAuth tokens, against
the real HTTPS servers of mtls_fixtures.py: every form a certificate and key come in
(PEM, EC and RSA, a chain, one file, PKCS#12, an encrypted key), what is found before
anything is sent (exit 3), what a server refuses (exit 4), the certificate kept to its
own origin, `credentials import-key`, and tokens bound to the certificate."""
import json
import shutil
import ssl
import time
import tomllib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from conftest import assert_one_line_error, configure
from mtls_fixtures import PASSPHRASE, ResourceServer, jwt_claims, table, thumbprint


def mtls_profile(apictl, server, certs, name="mtls", **keys):
    """A profile for `server` trusting the test CA; `keys` go in as they are (paths as str)."""
    configure(apictl, table(f"profiles.{name}", auth="bearer", base_url=server.origin, ca_cert=certs / "ca.pem",
                            whoami="/me", **keys))


def pem_pair(certs, stem):
    return {"client_cert": certs / f"{stem}.pem", "client_key": certs / f"{stem}.key"}


def me(result):
    assert result.code == 0, result
    return json.loads(result.out)


def error_line(result):
    return [line for line in result.err.splitlines() if line.strip()][0]


@pytest.fixture(scope="module")
def mtls_tls12(client_certs):
    """The API again, TLS 1.2 at most: a refused client certificate is a handshake alert there."""
    server = ResourceServer(client_certs, "required", max_version=ssl.TLSVersion.TLSv1_2)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mtls_optional(client_certs):
    """Another origin that asks for a client certificate but does not require one, and says what it got."""
    server = ResourceServer(client_certs, "optional")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mtls_abrupt(client_certs):
    """The API again, closing at once after a refused handshake: in TLS 1.3 the client may see a
    reset (or a broken pipe while it sends) before it reads the alert."""
    server = ResourceServer(client_certs, "required", abrupt=True)
    yield server
    server.stop()


@pytest.fixture
def servers(mtls, mtls_tls12, mtls_abrupt):
    mtls_tls12.clear()
    mtls_abrupt.clear()
    return {"TLS 1.3": mtls, "TLS 1.2": mtls_tls12, "TLS 1.3, reset": mtls_abrupt}


# --- the certificate and key, in every form ----------------------------------------------

@pytest.mark.parametrize("stem", ["client", "client-rsa"], ids=["ec-p256", "rsa-2048"])
def test_a_pem_certificate_and_key_identify_the_client(apictl, mtls, client_certs, stem):
    mtls_profile(apictl, mtls, client_certs, **pem_pair(client_certs, stem))
    seen = me(apictl.run("request", "GET", "/me", "-p", "mtls"))
    assert seen["name"] == "alice" and seen["client_x5t"] == thumbprint(client_certs / f"{stem}.pem")
    assert [entry["cn"] for entry in mtls.requests] == ["alice"]


@pytest.mark.parametrize("files", [
    {"client_cert": "chain.pem", "client_key": "client.key"},
    {"client_cert": "client-with-key.pem"},
    {"client_cert": "client.p12", "client_key_passphrase_env": "CLIENT_CERT_PASS"},
    {"client_cert": "client.pem", "client_key": "client-enc.key", "client_key_passphrase_env": "CLIENT_CERT_PASS"},
], ids=["chain-file", "key-in-the-cert-file", "pkcs12", "encrypted-key"])
def test_every_way_of_keeping_the_certificate_and_key_works(apictl, mtls, client_certs, files):
    keys = {key: (value if key.endswith("_env") else client_certs / value) for key, value in files.items()}
    mtls_profile(apictl, mtls, client_certs, **keys)
    result = apictl.run("request", "GET", "/me", "-p", "mtls", env={"CLIENT_CERT_PASS": PASSPHRASE})
    seen = me(result)
    # the leaf, not the CA after it in chain.pem, is what the server sees
    assert seen["name"] == "alice" and seen["client_x5t"] == thumbprint(client_certs / "client.pem")
    assert PASSPHRASE not in result.err


@pytest.mark.parametrize("files", [
    {"client_cert": "client.p12"},
    {"client_cert": "client.pem", "client_key": "client-enc.key"},
], ids=["pkcs12", "encrypted-key"])
def test_a_wrong_passphrase_is_exit_3_before_connecting_and_never_printed(apictl, mtls, client_certs, files):
    keys = {key: client_certs / value for key, value in files.items()}
    mtls_profile(apictl, mtls, client_certs, client_key_passphrase_env="CLIENT_CERT_PASS", **keys)
    result = apictl.run("request", "GET", "/me", "-p", "mtls", env={"CLIENT_CERT_PASS": "not-the-passphrase-42"})
    assert_one_line_error(result, 3)
    line = error_line(result)
    assert "passphrase" in line.lower() or "CLIENT_CERT_PASS" in line, result
    assert "not-the-passphrase-42" not in result.out + result.err
    assert mtls.connections == []


def test_a_passphrase_variable_that_is_not_set_is_named(apictl, mtls, client_certs):
    mtls_profile(apictl, mtls, client_certs, client_cert=client_certs / "client.pem",
                 client_key=client_certs / "client-enc.key", client_key_passphrase_env="CLIENT_CERT_PASS")
    assert_one_line_error(apictl.run("request", "GET", "/me", "-p", "mtls"), 3, "CLIENT_CERT_PASS")
    assert mtls.connections == []


def test_an_encrypted_key_asks_for_its_passphrase_on_a_terminal(apictl, mtls, client_certs):
    mtls_profile(apictl, mtls, client_certs, client_cert=client_certs / "client.pem",
                 client_key=client_certs / "client-enc.key")
    result = apictl.converse("request", "GET", "/me", "-p", "mtls", steps=[("assphrase", (PASSPHRASE + "\r").encode())])
    assert result.code == 0, result
    assert '"alice"' in result.out and PASSPHRASE not in result.out      # typed without echo
    assert [entry["cn"] for entry in mtls.requests] == ["alice"]


@pytest.mark.parametrize("cert, key", [("client.pem", "client2.key"), ("client.pem", "client-rsa.key"),
                                       ("client-rsa.pem", "client.key")],
                         ids=["bobs-key", "rsa-key-ec-cert", "ec-key-rsa-cert"])
def test_a_key_that_is_not_the_certificates_is_exit_3_before_connecting(apictl, mtls, client_certs, cert, key):
    mtls_profile(apictl, mtls, client_certs, client_cert=client_certs / cert, client_key=client_certs / key)
    result = apictl.run("request", "GET", "/me", "-p", "mtls")
    assert_one_line_error(result, 3)
    assert "key" in error_line(result).lower() and "certificate" in error_line(result).lower(), result
    assert mtls.connections == []                 # nothing was sent: no connection at all


@pytest.mark.parametrize("keys, named", [
    ({"client_cert": "missing.pem", "client_key": "client.key"}, "missing.pem"),
    ({"client_cert": "client.pem", "client_key": "missing.key"}, "missing.key"),
    ({"client_cert": "client.key", "client_key": "client.key"}, "client.key"),        # no certificate in it
    ({"client_cert": "client.pem", "client_key": "ca.pem"}, "ca.pem"),                # no key in it
], ids=["no-cert-file", "no-key-file", "not-a-certificate", "not-a-key"])
def test_an_unreadable_certificate_or_key_is_named_with_exit_3(apictl, mtls, client_certs, keys, named):
    mtls_profile(apictl, mtls, client_certs, **{key: client_certs / value for key, value in keys.items()})
    assert_one_line_error(apictl.run("request", "GET", "/me", "-p", "mtls"), 3, named)
    assert mtls.connections == []


def test_an_expired_certificate_is_exit_3_before_connecting(apictl, mtls, client_certs):
    mtls_profile(apictl, mtls, client_certs, **pem_pair(client_certs, "expired"))
    assert_one_line_error(apictl.run("request", "GET", "/me", "-p", "mtls"), 3, "expired")
    assert mtls.connections == []
    doctor = apictl.run("doctor", "-p", "mtls")
    assert doctor.code == 3 and "expired" in doctor.out + doctor.err, doctor


def test_whoami_and_doctor_show_the_certificate_and_warn_before_it_expires(apictl, mtls, client_certs):
    mtls_profile(apictl, mtls, client_certs, **pem_pair(client_certs, "soon"))
    not_after = x509.load_pem_x509_certificate((client_certs / "soon.pem").read_bytes()).not_valid_after_utc
    who = apictl.run("whoami", "-p", "mtls")
    assert who.code == 0, who
    assert "alice" in who.out and "expires" in who.out + who.err, who
    as_json = apictl.run("whoami", "-p", "mtls", "--json")
    assert as_json.code == 0, as_json
    text = json.dumps(json.loads(as_json.out))
    assert "alice" in text and not_after.strftime("%Y-%m-%d") in text, text
    doctor = apictl.run("doctor", "-p", "mtls")
    assert "expires" in doctor.out + doctor.err, doctor
    assert me(apictl.run("request", "GET", "/me", "-p", "mtls"))["name"] == "alice"   # a warning, not a refusal


# --- what a server refuses ------------------------------------------------------------------

@pytest.mark.parametrize("version", ["TLS 1.3", "TLS 1.2", "TLS 1.3, reset"])
def test_a_server_that_wants_a_certificate_and_gets_none_is_exit_4(apictl, servers, client_certs, version):
    server = servers[version]
    mtls_profile(apictl, server, client_certs)
    result = apictl.run("request", "GET", "/me", "-p", "mtls")
    assert_one_line_error(result, 4, "certificate")
    assert server.requests == [] and handshakes_ended(server) and all(c["error"] for c in server.connections)


def handshakes_ended(server, timeout=3):
    """The server's connections once each handshake has ended: apictl may have read the alert and
    exited before the server's thread noted why its handshake failed."""
    deadline = time.time() + timeout
    while time.time() < deadline and not all(c["error"] or c["cn"] for c in server.connections):
        time.sleep(0.02)
    return server.connections


@pytest.mark.parametrize("version", ["TLS 1.3", "TLS 1.2"])
def test_a_certificate_from_a_ca_the_server_does_not_trust_is_exit_4(apictl, servers, client_certs, version):
    server = servers[version]
    mtls_profile(apictl, server, client_certs, **pem_pair(client_certs, "stranger"))
    assert_one_line_error(apictl.run("request", "GET", "/me", "-p", "mtls"), 4, "certificate")
    assert server.requests == []


# --- where the certificate goes -----------------------------------------------------------------

def test_the_certificate_is_presented_only_to_the_profiles_own_origin(apictl, mtls, mtls_optional, client_certs):
    mtls_optional.clear()
    mtls_profile(apictl, mtls, client_certs, **pem_pair(client_certs, "client"))
    elsewhere = me(apictl.run("request", "GET", mtls_optional.url("/me"), "-p", "mtls",
                              "--cacert", str(client_certs / "ca.pem")))
    assert elsewhere["name"] is None and elsewhere["client_x5t"] is None
    assert mtls_optional.connections and all(c["cn"] is None for c in mtls_optional.connections)
    # the same server as a profile's own origin gets it
    mtls_profile(apictl, mtls_optional, client_certs, name="other", **pem_pair(client_certs, "client"))
    assert me(apictl.run("request", "GET", "/me", "-p", "other"))["name"] == "alice"


def test_an_environments_certificate_overrides_the_profiles(apictl, mtls, client_certs):
    configure(apictl, table("profiles.envs", auth="bearer", ca_cert=client_certs / "ca.pem", whoami="/me",
                            default_env="first", **pem_pair(client_certs, "client"))
              + table("profiles.envs.environments.first", base_url=mtls.origin)
              + table("profiles.envs.environments.second", base_url=mtls.origin, **pem_pair(client_certs, "client2")))
    assert me(apictl.run("request", "GET", "/me", "-p", "envs"))["name"] == "alice"
    assert me(apictl.run("request", "GET", "/me", "-p", "envs", "-e", "second"))["name"] == "bob"
    assert [entry["cn"] for entry in mtls.requests] == ["alice", "bob"]


# --- credentials import-key -------------------------------------------------------------------------

def clear_key(path):
    """What a copy of the (unencrypted PEM) key at `path` in clear would hold, in any encoding:
    its second PEM line, its PKCS#8 DER, its private scalar (strings of latin-1 bytes)."""
    key = serialization.load_pem_private_key(path.read_bytes(), None)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    scalar = key.private_numbers().private_value.to_bytes(32, "big")
    return [path.read_text().splitlines()[2], der.decode("latin-1"), scalar.decode("latin-1")]


def files_holding(root, *needles, skip=None):
    """(file, needle) for each file under root (not under skip) holding a needle."""
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not (skip and skip in path.parents):
            text = path.read_bytes().decode("latin-1")
            found += [(str(path), needle[:12]) for needle in needles if needle in text]
    return found


@pytest.mark.parametrize("key, passphrase, configured", [("client.key", None, True), ("client-enc.key", PASSPHRASE, False)],
                         ids=["plain-key-already-configured", "encrypted-key-new"])
def test_import_key_moves_the_key_into_the_store(apictl, mtls, client_certs, tmp_path, key, passphrase, configured):
    work = tmp_path / "work"
    work.mkdir()
    for name in ("client.pem", key):
        shutil.copy(client_certs / name, work / name)
    original = (work / key).read_bytes()
    keys = {"client_cert": work / "client.pem", "client_key": work / key} if configured else {}
    mtls_profile(apictl, mtls, client_certs, **keys)
    args = ["credentials", "import-key", "-p", "mtls", "--cert", "client.pem", "--key", key]   # relative to cwd
    if passphrase:
        args += ["--passphrase-env", "KEY_PASS"]
    result = apictl.run(*args, cwd=work, env={"KEY_PASS": passphrase} if passphrase else None)
    assert result.code == 0, result
    assert (work / key).read_bytes() == original                  # the file is the user's to delete
    text = apictl.config_path.read_text()
    profile = tomllib.loads(text)["profiles"]["mtls"]
    assert profile["client_cert"] == str(work / "client.pem") and "client_key" not in profile, text
    assert "PRIVATE KEY" not in text
    assert files_holding(apictl.home, "PRIVATE KEY", *clear_key(client_certs / "client.key"), skip=work) == []
    # only client_cert configured, no passphrase given: the stored key serves
    seen = me(apictl.run("request", "GET", "/me", "-p", "mtls"))
    assert seen["name"] == "alice" and seen["client_x5t"] == thumbprint(client_certs / "client.pem")
    for flags in (["--curl"], ["--dry-run"], ["-v"]):
        shown = apictl.run("request", "GET", "/me", "-p", "mtls", *flags)
        assert shown.code == 0, shown
        assert "PRIVATE KEY" not in shown.out + shown.err and "-----BEGIN" not in shown.out + shown.err, shown


def test_import_key_refuses_a_key_that_is_not_the_certificates(apictl, mtls, client_certs):
    mtls_profile(apictl, mtls, client_certs)
    before = apictl.config_path.read_text()
    result = apictl.run("credentials", "import-key", "-p", "mtls", "--cert", str(client_certs / "client.pem"),
                        "--key", str(client_certs / "client2.key"))
    assert_one_line_error(result, 3)
    assert apictl.config_path.read_text() == before
    # nothing usable was stored: the server still gets no certificate
    assert_one_line_error(apictl.run("request", "GET", "/me", "-p", "mtls"), 4, "certificate")


# --- RFC 8705: tokens bound to the certificate ----------------------------------------------------------

def bound_profile(apictl, api, oauth, certs, cert="client", client_id="alice-client", client_auth="tls_client_auth"):
    configure(apictl, table("profiles.bound", auth="oauth2", base_url=api.origin, whoami="/me",
                            ca_cert=certs / "ca.pem", **pem_pair(certs, cert))
              + table("profiles.bound.oauth", issuer=oauth.issuer, client_id=client_id, client_auth=client_auth))


def token_log(oauth):
    return [(entry["listener"], entry["grant_type"], entry["status"]) for entry in oauth.token_requests]


def test_client_credentials_through_discovery_use_the_mtls_alias_and_bind_the_token(apictl, mtls, oauth_mtls, client_certs):
    bound_profile(apictl, mtls, oauth_mtls, client_certs)
    login = apictl.run("login", "-p", "bound", "--client-credentials")
    assert login.code == 0, login
    assert any(r["path"] == "/.well-known/oauth-authorization-server" for r in oauth_mtls.requests)
    assert token_log(oauth_mtls) == [("mtls", "client_credentials", 200)]
    sent = oauth_mtls.token_requests[0]
    assert sent["cn"] == "alice" and sent["fields"]["client_id"] == "alice-client"
    assert "client_secret" not in sent["fields"] and not sent["authorization"]      # the certificate is the credential
    x5t = thumbprint(client_certs / "client.pem")
    token = oauth_mtls.issued[-1]
    assert jwt_claims(token)["cnf"]["x5t#S256"] == x5t
    assert token not in login.out + login.err
    # whoami shows the binding
    who = apictl.run("whoami", "-p", "bound")
    assert who.code == 0 and x5t in who.out, who
    as_json = apictl.run("whoami", "-p", "bound", "--json")
    assert as_json.code == 0 and x5t in json.dumps(json.loads(as_json.out)), as_json
    assert token not in who.out + as_json.out
    # the token goes with its certificate
    seen = me(apictl.run("request", "GET", "/me", "-p", "bound"))
    assert seen["name"] == "alice" and seen["authorization"] == "Bearer " + token
    # another certificate in the profile: the bound token is not sent with it
    config = apictl.config_path.read_text()
    apictl.config_path.write_text(config.replace(str(client_certs / "client.pem"), str(client_certs / "client2.pem"))
                                  .replace(str(client_certs / "client.key"), str(client_certs / "client2.key")))
    mtls.clear()
    assert_one_line_error(apictl.run("request", "GET", "/me", "-p", "bound"), 3, "certificate")
    assert mtls.connections == []


def test_self_signed_tls_client_auth_with_a_self_signed_certificate(apictl, mtls, oauth_mtls, client_certs):
    bound_profile(apictl, mtls, oauth_mtls, client_certs, cert="selfsigned", client_id="carol-client",
                  client_auth="self_signed_tls_client_auth")
    login = apictl.run("login", "-p", "bound", "--client-credentials")
    assert login.code == 0, login
    assert token_log(oauth_mtls) == [("mtls", "client_credentials", 200)]
    x5t = thumbprint(client_certs / "selfsigned.pem")
    assert oauth_mtls.token_requests[0]["x5t"] == x5t and "client_secret" not in oauth_mtls.token_requests[0]["fields"]
    assert jwt_claims(oauth_mtls.issued[-1])["cnf"]["x5t#S256"] == x5t
    seen = me(apictl.run("request", "GET", "/me", "-p", "bound"))
    assert seen["name"] == "carol" and seen["client_x5t"] == x5t


def test_a_short_lived_bound_token_is_renewed_at_the_mtls_alias(apictl, mtls, oauth_mtls, client_certs):
    bound_profile(apictl, mtls, oauth_mtls, client_certs)
    oauth_mtls.lifetime = 3                       # renewed in its last half: 1.5 s before it expires
    issued = time.time()
    assert apictl.run("login", "-p", "bound", "--client-credentials").code == 0
    oauth_mtls.lifetime = 300
    time.sleep(max(0.0, issued + 2.0 - time.time()))
    seen = me(apictl.run("request", "GET", "/me", "-p", "bound"))
    log = token_log(oauth_mtls)
    assert len(log) >= 2 and all(listener == "mtls" and status == 200 for listener, _, status in log), log
    assert all(entry["cn"] == "alice" and "client_secret" not in entry["fields"] for entry in oauth_mtls.token_requests)
    assert seen["authorization"] == "Bearer " + oauth_mtls.issued[-1]      # the renewed token was the one sent
    assert jwt_claims(oauth_mtls.issued[-1])["cnf"]["x5t#S256"] == thumbprint(client_certs / "client.pem")


def test_an_expired_bound_token_is_not_refreshed_with_another_certificate(apictl, mtls, oauth_mtls, client_certs):
    bound_profile(apictl, mtls, oauth_mtls, client_certs)
    oauth_mtls.lifetime = 2
    assert apictl.run("login", "-p", "bound", "--client-credentials").code == 0
    oauth_mtls.lifetime = 300
    time.sleep(2.2)
    config = apictl.config_path.read_text()
    apictl.config_path.write_text(config.replace(str(client_certs / "client.pem"), str(client_certs / "client2.pem"))
                                  .replace(str(client_certs / "client.key"), str(client_certs / "client2.key")))
    before = len(oauth_mtls.token_requests)
    mtls.clear()
    assert_one_line_error(apictl.run("request", "GET", "/me", "-p", "bound"), 3, "certificate")
    assert len(oauth_mtls.token_requests) == before, "the bound refresh token went nowhere"
    assert mtls.connections == []
