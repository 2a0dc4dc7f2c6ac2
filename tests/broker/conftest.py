from __future__ import annotations

from collections.abc import Iterator

import pytest

from aftershock.broker.secured import Secured
from tests.broker.secured import secured_broker


@pytest.fixture(scope="session")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secured]:
    """A real broker with SASL_SSL (PLAIN, SCRAM-SHA-256/512) and client-certificate SSL listeners,
    in a state folder of its own; fails (never skips) when it cannot start."""
    try:
        with secured_broker(tmp_path_factory.mktemp("secured-kafka")) as listeners:
            yield listeners
    except Exception as exc:  # noqa: BLE001 - report why, as a failure
        pytest.fail(f"no secured Kafka broker for the tests: {exc}", pytrace=False)
