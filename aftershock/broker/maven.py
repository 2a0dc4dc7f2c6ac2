"""Apache Maven from Maven Central, for machines without ``mvn`` (what the Maven wrapper does).

The binary distribution ``org.apache.maven:apache-maven:<version>:bin`` (tar.gz) is downloaded
once into ``<cache>/apache-maven-<version>/``, beside the broker's jars, after its SHA-512 (SHA-1
where Central has none) was checked against the checksum file Central publishes next to it and,
for :data:`VERSION`, against the digest written below. The archive is unpacked in a temporary
folder that is renamed into place only when complete, so an interrupted fetch leaves nothing
half-made behind and a later run simply starts again.
"""

from __future__ import annotations

import hashlib
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from aftershock.errors import ToolchainError

CENTRAL = "https://repo.maven.apache.org/maven2"
VERSION = "3.9.16"
# SHA-512 of apache-maven-3.9.16-bin.tar.gz as published on Maven Central
KNOWN_SHA512 = {
    "3.9.16": "831a8591fe20c8243b1dbe7d71e3244f31d1665b0804b2e825e38cbbe5ce0cafb8338851f90780735568773e0"
    "a6cd07bbec107cda0b896b008b861075358b6f6",
}
_MARKER = ".complete"
_CHUNK = 1 << 16


def home(cache_dir: Path, version: str = VERSION) -> Path:
    return cache_dir / f"apache-maven-{version}"


def ensure_maven(cache_dir: Path, version: str = VERSION, base_url: str = CENTRAL,
                 timeout_s: float = 120.0) -> Path:
    """Path of the ``mvn`` launcher of Apache Maven ``version``, downloaded on first use."""
    target = home(cache_dir, version)
    if (target / _MARKER).exists():
        return target / "bin" / "mvn"
    name = f"apache-maven-{version}-bin.tar.gz"
    url = f"{base_url.rstrip('/')}/org/apache/maven/apache-maven/{version}/{name}"
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".maven-", dir=cache_dir))
    try:
        archive = staging / name
        _download(url, archive, timeout_s)
        _verify(archive, url, version, timeout_s)
        unpacked = _unpack(archive, staging / "unpacked", f"apache-maven-{version}", url)
        (unpacked / _MARKER).write_text(version + "\n")
        if target.exists():
            shutil.rmtree(target)
        unpacked.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target / "bin" / "mvn"


def _fetch_error(url: str, reason: object) -> ToolchainError:
    return ToolchainError(
        f"cannot download Apache Maven: {reason} ({url}): check that Maven Central is reachable "
        "(HTTPS_PROXY for a proxy), or install Maven 3.8+ and put mvn on PATH"
    )


def _download(url: str, out: Path, timeout_s: float) -> None:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response, out.open("wb") as file:  # noqa: S310 - fixed https URL
            shutil.copyfileobj(response, file, _CHUNK)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise _fetch_error(url, getattr(exc, "reason", None) or exc) from exc


def _read_text(url: str, timeout_s: float) -> str | None:
    """The body of ``url``, or None when the server answers 404 (no such checksum file)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310 - fixed https URL
            body: bytes = response.read(4096)
            return body.decode("ascii", "replace")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise _fetch_error(url, exc) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise _fetch_error(url, getattr(exc, "reason", None) or exc) from exc


def _verify(archive: Path, url: str, version: str, timeout_s: float) -> None:
    """Check ``archive`` against Central's .sha512 (else .sha1) and the digest known here."""
    for algorithm in ("sha512", "sha1"):
        published = _read_text(f"{url}.{algorithm}", timeout_s)
        if published is not None:
            break
    else:
        raise _fetch_error(url, "Maven Central publishes no .sha512 or .sha1 for it")
    expected = {published.split()[0].lower()} if published.split() else {""}
    if algorithm == "sha512" and version in KNOWN_SHA512:
        expected.add(KNOWN_SHA512[version])
    actual = _digest(archive, algorithm)
    if expected != {actual}:
        raise ToolchainError(
            f"the downloaded Apache Maven archive does not match its {algorithm.upper()} checksum "
            f"({url}): run the command again; if it persists, install Maven 3.8+ and put mvn on PATH"
        )


def _digest(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _unpack(archive: Path, out: Path, top: str, url: str) -> Path:
    """Unpack ``archive`` into ``out``; the folder ``top`` it must hold, with ``bin/mvn``."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            unsafe = [m.name for m in members if not _plain(m)]
            if unsafe:
                raise _fetch_error(url, f"the archive holds unexpected entries ({unsafe[0]!r})")
            if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: checks members again
                tar.extractall(out, members, filter="data")
            else:
                tar.extractall(out, members)  # noqa: S202 - only plain files and folders inside `out`
    except (tarfile.TarError, OSError) as exc:
        raise _fetch_error(url, f"unreadable archive ({exc})") from exc
    unpacked = out / top
    if not (unpacked / "bin" / "mvn").is_file():
        raise _fetch_error(url, f"the archive holds no {top}/bin/mvn")
    return unpacked


def _plain(member: tarfile.TarInfo) -> bool:
    """A regular file or folder whose name stays inside the folder it is unpacked into."""
    path = Path(member.name)
    return (member.isfile() or member.isdir()) and not path.is_absolute() and ".." not in path.parts
