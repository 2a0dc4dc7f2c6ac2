"""Fetching Apache Maven's binary distribution: checksums, caching and one-line errors, against
a real HTTP server on loopback laid out like Maven Central."""

from __future__ import annotations

import hashlib
import io
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aftershock.broker import maven
from aftershock.errors import ToolchainError

VERSION = "9.9.1"
ARCHIVE = f"/org/apache/maven/apache-maven/{VERSION}/apache-maven-{VERSION}-bin.tar.gz"


class Repository:
    """Files served at their paths; every request is recorded."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.url = ""


@pytest.fixture
def repository() -> Iterator[Repository]:
    repo = Repository()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
            repo.requests.append(self.path)
            body = repo.files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
            del format, args

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    repo.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield repo
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def distribution(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def publish(repo: Repository, archive: bytes, algorithms: tuple[str, ...] = ("sha512", "sha1")) -> None:
    repo.files[ARCHIVE] = archive
    for algorithm in algorithms:
        repo.files[f"{ARCHIVE}.{algorithm}"] = hashlib.new(algorithm, archive).hexdigest().encode()


GOOD = {f"apache-maven-{VERSION}/bin/mvn": b"#!/bin/sh\necho maven\n",
        f"apache-maven-{VERSION}/lib/core.jar": b"jar"}


def _leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_downloads_verifies_unpacks_once_then_uses_the_cache(repository: Repository,
                                                              tmp_path: Path) -> None:
    publish(repository, distribution(GOOD))
    mvn = maven.ensure_maven(tmp_path, VERSION, repository.url)
    assert mvn == tmp_path / f"apache-maven-{VERSION}" / "bin" / "mvn"
    assert mvn.read_bytes() == GOOD[f"apache-maven-{VERSION}/bin/mvn"]
    assert mvn.stat().st_mode & 0o100
    assert repository.requests == [ARCHIVE, f"{ARCHIVE}.sha512"]
    assert _leftovers(tmp_path) == [f"apache-maven-{VERSION}"]

    assert maven.ensure_maven(tmp_path, VERSION, repository.url) == mvn
    assert len(repository.requests) == 2


def test_sha1_is_checked_where_central_has_no_sha512(repository: Repository, tmp_path: Path) -> None:
    publish(repository, distribution(GOOD), algorithms=("sha1",))
    assert maven.ensure_maven(tmp_path, VERSION, repository.url).is_file()
    assert repository.requests[-2:] == [f"{ARCHIVE}.sha512", f"{ARCHIVE}.sha1"]


def test_checksum_mismatch_is_refused_and_leaves_nothing(repository: Repository, tmp_path: Path) -> None:
    publish(repository, distribution(GOOD))
    repository.files[ARCHIVE] = distribution({**GOOD, f"apache-maven-{VERSION}/bin/extra": b"x"})
    with pytest.raises(ToolchainError) as err:
        maven.ensure_maven(tmp_path, VERSION, repository.url)
    message = str(err.value)
    assert "\n" not in message and "SHA512 checksum" in message and ARCHIVE in message
    assert _leftovers(tmp_path) == []


def test_known_digest_of_the_default_version_is_enforced(repository: Repository, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    publish(repository, distribution(GOOD))  # Central's checksum matches, the pinned one does not
    monkeypatch.setitem(maven.KNOWN_SHA512, VERSION, "0" * 128)
    with pytest.raises(ToolchainError, match="SHA512 checksum"):
        maven.ensure_maven(tmp_path, VERSION, repository.url)
    assert maven.KNOWN_SHA512[maven.VERSION] and len(maven.KNOWN_SHA512[maven.VERSION]) == 128


def test_missing_archive_is_one_line_with_url_and_advice(repository: Repository, tmp_path: Path) -> None:
    with pytest.raises(ToolchainError) as err:
        maven.ensure_maven(tmp_path, VERSION, repository.url)
    message = str(err.value)
    assert "\n" not in message and "cannot download Apache Maven: Not Found" in message
    assert f"({repository.url}{ARCHIVE})" in message and "put mvn on PATH" in message
    assert _leftovers(tmp_path) == []


def test_unreachable_server_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ToolchainError) as err:
        maven.ensure_maven(tmp_path, VERSION, "http://127.0.0.1:9", timeout_s=5)
    message = str(err.value)
    assert "\n" not in message and "cannot download Apache Maven" in message and "refused" in message


def test_archive_escaping_its_folder_is_refused(repository: Repository, tmp_path: Path) -> None:
    publish(repository, distribution({**GOOD, "../outside": b"x"}))
    with pytest.raises(ToolchainError, match="unexpected entries"):
        maven.ensure_maven(tmp_path / "cache", VERSION, repository.url)
    assert not (tmp_path / "outside").exists() and _leftovers(tmp_path / "cache") == []


def test_archive_without_mvn_is_refused(repository: Repository, tmp_path: Path) -> None:
    publish(repository, distribution({f"apache-maven-{VERSION}/README": b"x"}))
    with pytest.raises(ToolchainError, match="holds no"):
        maven.ensure_maven(tmp_path, VERSION, repository.url)
    assert _leftovers(tmp_path) == []
