"""A private CA made at test time, and server certificates signed by it: one
valid for 127.0.0.1 and localhost, one for another host name, one expired; and
a second CA nobody trusts. Uses the `cryptography` package."""
import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(common):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _ca(common):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name(common)).issuer_name(_name(common))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def _leaf(ca_key, ca_cert, names, ips, not_after):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    alt = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    cert = (x509.CertificateBuilder().subject_name(_name(names[0])).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=10)).not_valid_after(now + not_after)
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def _write(folder, stem, key, cert):
    (folder / f"{stem}.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))
    (folder / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def make(folder: Path):
    """Writes ca.pem, other-ca.pem and valid / wrong-host / expired / untrusted .pem+.key into folder."""
    ca_key, ca_cert = _ca("apictl test CA")
    other_key, other_cert = _ca("someone else's CA")
    (folder / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    (folder / "other-ca.pem").write_bytes(other_cert.public_bytes(serialization.Encoding.PEM))
    month = datetime.timedelta(days=30)
    _write(folder, "valid", *_leaf(ca_key, ca_cert, ["localhost"], ["127.0.0.1"], month))
    _write(folder, "wrong-host", *_leaf(ca_key, ca_cert, ["other.example"], [], month))
    _write(folder, "expired", *_leaf(ca_key, ca_cert, ["localhost"], ["127.0.0.1"], -datetime.timedelta(days=1)))
    _write(folder, "untrusted", *_leaf(other_key, other_cert, ["localhost"], ["127.0.0.1"], month))
    return folder
