from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lake.storage import LocalStore, S3Store, Store
from tests.s3_fixture import CREDENTIALS, s3_server


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Endpoint URL of the session's S3 server on loopback; fails (never skips) without one."""
    try:
        with s3_server(tmp_path_factory.mktemp("s3") / "moto.log") as endpoint:
            yield endpoint
    except Exception as exc:  # noqa: BLE001 - report why, as a failure
        pytest.fail(f"no S3 server for the tests: {exc}", pytrace=False)


@pytest.fixture
def s3_env(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The AWS chain of this process (and of its children) points at the loopback server through
    the standard variables only."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    return s3_endpoint


@pytest.fixture
def bucket(s3_env: str) -> str:
    """A fresh bucket for one test."""
    import boto3

    name = f"lake-{uuid.uuid4().hex[:16]}"
    boto3.client("s3").create_bucket(Bucket=name)
    return name


def make_s3_store(bucket: str, prefix: str = "lake") -> S3Store:
    return S3Store(bucket, prefix)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """The same lake operations on a local folder and on the loopback S3 bucket."""
    if request.param == "local":
        return LocalStore(tmp_path / "lake")
    return make_s3_store(request.getfixturevalue("bucket"))


def client() -> Any:
    import boto3

    return boto3.client("s3")
