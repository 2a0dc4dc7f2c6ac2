"""Certificates for the local broker's TLS listeners, made with the JDK's ``keytool``.

In ``<state_dir>/tls/``, once: a CA (``ca.p12``, its certificate ``ca.pem``), the broker's
keystore (``broker.p12``, a key and a certificate for ``localhost`` / ``127.0.0.1`` signed by the
CA) and truststore (``truststore.p12``, the CA), and a client for kafka-python: ``client.pem``
(certificate signed by the CA) and ``client.key`` (its private key as encrypted PKCS#8 PEM, taken
out of the client's keystore with ``cryptography``: keytool cannot write a private key). The
passwords are random and kept in ``secrets.json`` (mode 0600) in the same folder.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from aftershock.errors import ToolchainError

_DAYS = "3650"
_BROKER_SAN = "SAN=dns:localhost,ip:127.0.0.1"


@dataclass(frozen=True)
class TlsSecrets:
    store_password: str  # every PKCS#12 keystore and the truststore
    key_password: str  # the client's PEM private key


@dataclass(frozen=True)
class TlsFiles:
    dir: Path
    secrets: TlsSecrets

    @property
    def ca_pem(self) -> Path:
        return self.dir / "ca.pem"

    @property
    def broker_keystore(self) -> Path:
        return self.dir / "broker.p12"

    @property
    def truststore(self) -> Path:
        return self.dir / "truststore.p12"

    @property
    def client_cert(self) -> Path:
        return self.dir / "client.pem"

    @property
    def client_key(self) -> Path:
        return self.dir / "client.key"

    def __repr__(self) -> str:
        return f"TlsFiles(dir={self.dir!r})"


def ensure_tls(directory: Path, java: str) -> TlsFiles:
    """The certificates in ``directory``, made first if absent (``java``'s keytool)."""
    secrets_file = directory / "secrets.json"
    if secrets_file.exists():
        return TlsFiles(directory, TlsSecrets(**json.loads(secrets_file.read_text())))
    staging = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, mode=0o700)
    made = TlsFiles(staging, TlsSecrets(secrets.token_urlsafe(18), secrets.token_urlsafe(18)))
    _make(made, _keytool(java))
    fd = os.open(staging / "secrets.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(asdict(made.secrets), out)
    staging.rename(directory)
    return TlsFiles(directory, made.secrets)


def _keytool(java: str) -> str:
    beside = Path(java).resolve().parent / "keytool"
    found = str(beside) if beside.exists() else shutil.which("keytool")
    if found is None:
        raise ToolchainError(f"keytool not found next to {java} nor on PATH: install a full OpenJDK 17+")
    return found


def _make(files: TlsFiles, keytool: str) -> None:
    d, password = files.dir, files.secrets.store_password
    run = _Keytool(keytool, password)
    run("-genkeypair", "-alias", "ca", "-keystore", d / "ca.p12", "-dname", "CN=aftershock-local-ca",
        "-ext", "bc:c", "-keyalg", "RSA", "-keysize", "2048", "-validity", _DAYS)
    run("-exportcert", "-rfc", "-alias", "ca", "-keystore", d / "ca.p12", "-file", files.ca_pem)
    run("-importcert", "-noprompt", "-alias", "ca", "-file", files.ca_pem, "-keystore", files.truststore)
    _signed(run, d, "broker", "CN=localhost", _BROKER_SAN)
    _signed(run, d, "client", "CN=aftershock-client", None)
    run("-exportcert", "-rfc", "-alias", "client", "-keystore", d / "client.p12", "-file", files.client_cert)
    _export_key(d / "client.p12", password, files.client_key, files.secrets.key_password)


def _signed(run: _Keytool, d: Path, name: str, dname: str, san: str | None) -> None:
    """A key pair in ``<name>.p12`` whose certificate the CA signed (chain imported after the CA)."""
    store, request, reply = d / f"{name}.p12", d / f"{name}.csr", d / f"{name}.crt"
    ext = ["-ext", san] if san else []
    run("-genkeypair", "-alias", name, "-keystore", store, "-dname", dname, "-keyalg", "RSA",
        "-keysize", "2048", "-validity", _DAYS, *ext)
    run("-certreq", "-alias", name, "-keystore", store, "-file", request)
    run("-gencert", "-rfc", "-alias", "ca", "-keystore", d / "ca.p12", "-infile", request,
        "-outfile", reply, "-validity", _DAYS, *ext)
    run("-importcert", "-noprompt", "-alias", "ca", "-file", d / "ca.pem", "-keystore", store)
    run("-importcert", "-alias", name, "-file", reply, "-keystore", store)
    request.unlink()
    reply.unlink()


class _Keytool:
    """Runs ``keytool`` on PKCS#12 stores that share one password (given on stdin, never in argv)."""

    def __init__(self, keytool: str, password: str) -> None:
        self.keytool, self.password = keytool, password

    def __call__(self, *args: str | Path) -> None:
        command = [self.keytool, *map(str, args), "-storetype", "PKCS12",
                   "-storepass:env", "AFTERSHOCK_KEYTOOL_PASS"]
        if args[0] == "-genkeypair":
            command += ["-keypass:env", "AFTERSHOCK_KEYTOOL_PASS"]
        env = {**os.environ, "AFTERSHOCK_KEYTOOL_PASS": self.password}
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=False)
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
            raise ToolchainError(f"keytool {args[0]} failed: {' / '.join(tail)}")


def _export_key(store: Path, store_password: str, out: Path, key_password: str) -> None:
    """The private key of ``store`` as PKCS#8 PEM encrypted with ``key_password``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    key, _cert, _chain = pkcs12.load_key_and_certificates(store.read_bytes(), store_password.encode())
    if key is None:
        raise ToolchainError(f"{store} holds no private key")
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(key_password.encode()))
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
