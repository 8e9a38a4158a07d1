"""TLS and the bearer token for a server reachable from other machines.

Generated once per cluster under `$KAPPLY_HOME/serve/NAME/` with `cryptography`: a CA (ECDSA
P-256, ten years), a serving certificate signed by it for the addresses served (re-issued when a
new address is asked for), and a random 256-bit token. Files are mode 0600; the CA certificate and
the token go into the kubeconfig, as kubeadm and kind put theirs. The token is never logged.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from kapply.errors import KapplyError

VALID_DAYS = 3650


@dataclass(frozen=True)
class Credentials:
    ca_pem: bytes
    cert_file: Path
    key_file: Path
    token: str


def is_loopback(address: str) -> bool:
    """127.0.0.0/8, ::1 and `localhost`: served without TLS or a token, like `kubectl proxy`."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _names(address: str) -> tuple[list[str], list[str]]:
    """(IP addresses, DNS names) the serving certificate covers."""
    ips = {"127.0.0.1", "::1"}
    dns = {"localhost", socket.gethostname()}
    try:
        ipaddress.ip_address(address)
        if address not in ("0.0.0.0", "::"):
            ips.add(address)
    except ValueError:
        dns.add(address)
    return sorted(ips), sorted(dns)


def ensure_credentials(directory: Path, address: str) -> Credentials:
    """Load or create the CA, the serving certificate for `address` and the token."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        ca_cert_path, ca_key_path = directory / "ca.crt", directory / "ca.key"
        cert_path, key_path, token_path = (
            directory / "server.crt",
            directory / "server.key",
            directory / "token",
        )
        now = datetime.datetime.now(datetime.UTC)

        def pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
            return key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )

        if ca_cert_path.exists() and ca_key_path.exists():
            ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
            loaded = serialization.load_pem_private_key(ca_key_path.read_bytes(), None)
            if not isinstance(loaded, ec.EllipticCurvePrivateKey):
                raise ValueError(f"{ca_key_path} is not the ECDSA key kapply writes")
            ca_key = loaded
        else:
            ca_key = ec.generate_private_key(ec.SECP256R1())
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kapply-ca")])
            ca_cert = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(ca_key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(
                    x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
                )
                .sign(ca_key, hashes.SHA256())
            )
            _write(ca_key_path, pem_key(ca_key))
            _write(ca_cert_path, ca_cert.public_bytes(serialization.Encoding.PEM))
            cert_path.unlink(missing_ok=True)
        ips, dns = _names(address)
        wanted = {*(ipaddress.ip_address(i) for i in ips), *dns}
        if cert_path.exists() and key_path.exists():
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            have = {*sans.get_values_for_type(x509.IPAddress), *sans.get_values_for_type(x509.DNSName)}
            fresh = cert.issuer == ca_cert.subject and cert.not_valid_after_utc > now
            if not (wanted <= have and fresh):
                cert_path.unlink()
        if not cert_path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            alt = x509.SubjectAlternativeName(
                [*(x509.IPAddress(ipaddress.ip_address(i)) for i in ips), *(x509.DNSName(d) for d in dns)]
            )
            cert = (
                x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kapply-apiserver")]))
                .issuer_name(ca_cert.subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
                .add_extension(alt, critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(
                    x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
                )
                .sign(ca_key, hashes.SHA256())
            )
            _write(key_path, pem_key(key))
            _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
        if not token_path.exists():
            _write(token_path, secrets.token_hex(32).encode())
        token = token_path.read_text().strip()
        return Credentials(ca_cert_path.read_bytes(), cert_path, key_path, token)
    except (OSError, ValueError) as exc:
        raise KapplyError(f"cannot prepare the TLS credentials in {directory}: {exc}") from None
