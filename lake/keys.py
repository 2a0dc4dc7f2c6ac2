"""The Ed25519 key pair that signs manifest heads: made by ``aftershock lake keygen``, kept
outside the lake.

The private key is a PEM (PKCS #8) file readable by its owner only; the public key is the base64
of its 32 raw bytes, short enough for a setting (``AFTERSHOCK_LAKE__VERIFY_KEY``). A key's
fingerprint (first 16 hex digits of the SHA-256 of the raw public key) names it in each head.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from aftershock.errors import ConfigError

PRIVATE_NAME = "lake-signing.key"
PUBLIC_NAME = "lake-signing.pub"


def generate(folder: Path) -> tuple[Path, str]:
    """Write a new key pair into ``folder``; return the private key's path and the public key."""
    key = Ed25519PrivateKey.generate()
    private = folder / PRIVATE_NAME
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        public = public_text(key.public_key())
        (folder / PUBLIC_NAME).write_text(public + "\n")
    except FileExistsError:
        raise ConfigError(f"{private} already exists: keygen never overwrites a key; pass another "
                          "folder") from None
    except OSError as exc:
        raise ConfigError(f"cannot write the key pair into {folder} ({exc.strerror}): pass a "
                          "writable folder outside the lake") from exc
    return private, public


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """The private key at ``path`` (AFTERSHOCK_LAKE__SIGNING_KEY)."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise ConfigError(f"signing key {path} cannot be read ({exc.strerror}) "
                          "(AFTERSHOCK_LAKE__SIGNING_KEY): fix the path or run "
                          "`aftershock lake keygen`") from exc
    except ValueError as exc:
        raise ConfigError(f"signing key {path} is not a PEM private key "
                          "(AFTERSHOCK_LAKE__SIGNING_KEY): use the file `aftershock lake keygen` "
                          "wrote") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"signing key {path} is not an Ed25519 key (AFTERSHOCK_LAKE__SIGNING_KEY): "
                          "use the file `aftershock lake keygen` wrote")
    return key


def load_verify_key(text: str) -> Ed25519PublicKey:
    """The public key from its base64 text (AFTERSHOCK_LAKE__VERIFY_KEY)."""
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text.strip(), validate=True))
    except (ValueError, binascii.Error) as exc:
        raise ConfigError("verify key is not the base64 of a 32-byte Ed25519 public key "
                          "(AFTERSHOCK_LAKE__VERIFY_KEY): copy the line `aftershock lake keygen` "
                          "printed") from exc


def public_text(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes_raw()).decode()


def fingerprint(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(key.public_bytes_raw()).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data)).decode()


def signed_by(key: Ed25519PublicKey, data: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is ``key``'s signature of ``data``."""
    try:
        key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
