from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.kafka_fixture import session_broker

REPO = Path(__file__).resolve().parents[1]
REAL_EVENTS = REPO.parent / "shared" / "real-events"


@pytest.fixture(scope="session", autouse=True)
def own_state_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A state folder of the session's own: lakes anchor their heads there (each lake in a file
    of its own), never in the user's ~/.local/state, and no user's local broker is found."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("session-state")))
        yield


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read AFTERSHOCK_* and KAFKA_BOOTSTRAP_SERVERS: start every test without them."""
    for name in list(os.environ):
        if name.startswith("AFTERSHOCK_") or name == "KAFKA_BOOTSTRAP_SERVERS":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """bootstrap servers of the session's real broker; fails (never skips) without one."""
    try:
        with session_broker(tmp_path_factory.mktemp("kafka")) as bootstrap:
            yield bootstrap
    except Exception as exc:  # noqa: BLE001 - report why, as a failure
        pytest.fail(f"no Kafka broker for the tests: {exc}", pytrace=False)


@pytest.fixture
def topic() -> str:
    """A fresh topic name for one test."""
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
def group_id() -> str:
    """A fresh consumer group for one test."""
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
def topic_prefix() -> str:
    """A fresh audit-topic prefix, so a test's audit topics are its own."""
    return f"t{uuid.uuid4().hex[:12]}."


@pytest.fixture
def real_events() -> Path:
    """../shared/real-events; absent in a user's clone (then the test says so and skips)."""
    if not REAL_EVENTS.is_dir():
        pytest.skip(f"real-events folder not found at {REAL_EVENTS} (present in CI)")
    return REAL_EVENTS
