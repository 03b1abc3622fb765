"""Local key material for a deployment, made with `cryptography` (already a Flower dependency):
a CA and a SuperLink TLS certificate signed by it (SANs: the SuperLink's host, 127.0.0.1,
localhost), and one SuperNode authentication key pair per site (ECDSA P-384 in OpenSSH format,
what `flower-supernode --auth-supernode-private-key` and `flwr supernode register` read).
Every file is written owner-only (`medllm.core.owner_only`).

Flower's docs generate these with an openssl script; no library call makes a CA + server pair
in one step, so the few lines of X.509 building are here.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medllm.core import owner_only

DAYS = 365


@dataclass(frozen=True)
class TlsFiles:
    """The SuperLink's `--ssl-ca-certfile`, `--ssl-certfile`, `--ssl-keyfile` (the SuperNodes
    and `flwr` need only `ca`)."""

    ca: Path
    cert: Path
    key: Path


def _name(common: str) -> Any:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _sign(subject: str, public: Any, issuer: str, signer: Any, *, ca: bool, sans: list[Any]) -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=DAYS))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(signer, hashes.SHA256())


def _san(host: str) -> list[Any]:
    from cryptography import x509

    names: list[Any] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    try:
        ip = ipaddress.ip_address(host)
        if str(ip) != "127.0.0.1":
            names.append(x509.IPAddress(ip))
    except ValueError:
        if host != "localhost":
            names.append(x509.DNSName(host))
    return names


def _pem_key(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def tls_files(folder: str | Path, host: str) -> TlsFiles:
    """ca.crt, server.pem, server.key under `folder` (made once; an existing set is reused)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    base = Path(folder)
    out = TlsFiles(base / "ca.crt", base / "server.pem", base / "server.key")
    if all(p.is_file() for p in (out.ca, out.cert, out.key)):
        return out
    ca_key, key = ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP384R1())
    ca = _sign("medllm-ca", ca_key.public_key(), "medllm-ca", ca_key, ca=True, sans=[])
    cert = _sign(
        "medllm-superlink", key.public_key(), "medllm-ca", ca_key, ca=False, sans=_san(host)
    )
    with owner_only(base):
        out.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        out.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        out.key.write_bytes(_pem_key(key))
    return out


def node_keys(folder: str | Path, site: int) -> tuple[Path, Path]:
    """site-<i>/node_key and node_key.pub under `folder`: the SuperNode's authentication key pair
    (made once)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    base = Path(folder) / f"site-{site}"
    private, public = base / "node_key", base / "node_key.pub"
    if private.is_file() and public.is_file():
        return private, public
    key = ec.generate_private_key(ec.SECP384R1())
    with owner_only(base):
        private.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.OpenSSH,
                serialization.NoEncryption(),
            )
        )
        public.write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
            )
            + b"\n"
        )
    return private, public
