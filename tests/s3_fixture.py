"""A real S3 API on loopback for the tests: moto's server (``moto[server]``) in a process of its
own on a free port, its writes serialised so that a create-only put is atomic as on S3
(``tests/moto_serial.py``). Clients reach it over HTTP like any S3-compatible endpoint; nothing
is mocked in the client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# moto accepts any credentials; these only keep boto3 from looking further along the AWS chain
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def s3_server(log: Path, timeout_s: float = 60.0) -> Iterator[str]:
    """The endpoint URL of a running moto server; raises when it does not answer in time."""
    port = _free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "tests.moto_serial", "127.0.0.1", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                env={**os.environ, **CREDENTIALS})
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait(proc, endpoint, log, timeout_s)
        yield endpoint
    finally:
        proc.kill()
        proc.wait()


def _wait(proc: subprocess.Popen[bytes], endpoint: str, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto server exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"moto server did not answer on {endpoint} within {timeout_s} s")
