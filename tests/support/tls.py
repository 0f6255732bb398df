"""A throwaway CA and a server certificate for 127.0.0.1/localhost, made with openssl.

HTTPS backends (Azurite over TLS) need a certificate the client can verify; a CA made per test
session proves that verification really happens (no ``skipverify``) without any real secret.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SANS = ("IP:127.0.0.1", "DNS:localhost", "DNS:*.blob.localhost")


@dataclass(frozen=True)
class TestCA:
    ca_cert: Path
    server_cert: Path
    server_key: Path


def make_test_ca(directory: str | Path, sans: tuple[str, ...] = DEFAULT_SANS) -> TestCA:
    """Create ``ca.pem`` and a CA-signed ``server.pem``/``server-key.pem`` in ``directory``."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = d / "ca-key.pem", d / "ca.pem"
    key, csr, cert = d / "server-key.pem", d / "server.csr", d / "server.pem"
    ext = d / "server.ext"
    ext.write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        f"subjectAltName={','.join(sans)}\n"
    )

    def run(*args: str) -> None:
        done = subprocess.run(["openssl", *args], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"openssl {' '.join(args)} failed:\n{done.stderr}")

    run(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
        "-subj", "/CN=dtr-tui test CA", "-keyout", str(ca_key), "-out", str(ca_cert),
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    run(
        "req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-subj", "/CN=localhost",
        "-keyout", str(key), "-out", str(csr),
    )  # fmt: skip
    run(
        "x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key),
        "-CAcreateserial", "-days", "2", "-sha256", "-extfile", str(ext), "-out", str(cert),
    )  # fmt: skip
    return TestCA(ca_cert=ca_cert, server_cert=cert, server_key=key)
