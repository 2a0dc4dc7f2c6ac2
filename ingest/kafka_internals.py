"""The one place the worker touches kafka-python beyond its public API, for the exact version it
was checked against (``KAFKA_PYTHON``, pinned in pyproject.toml; :func:`check` refuses another).

kafka-python 3.0.12 parks the fetched records of a partition that is paused while they wait, and
restores them when the partition is resumed only if its in-line slot is ``None``; but a drained
batch of records stays in that slot (falsy, not ``None``), so a resumed partition may never be
read or fetched again. The worker pauses and resumes partitions to read a backlog two partitions
at a time (``ingest.backlog``), so it clears a drained slot after each resume
(:func:`restore_parked`). tests/ingest/test_kafka_internals.py shows the stall without it on a real
broker, and fails when an upgrade changes the shape relied on."""

from __future__ import annotations

from typing import Any

from aftershock.errors import ConfigError

KAFKA_PYTHON = "3.0.12"


def check(installed: str | None = None) -> None:
    """Refuse a kafka-python other than the one this module was checked against."""
    if installed is None:
        import kafka

        installed = str(kafka.__version__)
    if installed != KAFKA_PYTHON:
        raise ConfigError(
            f"kafka-python {installed} is installed (ingest/kafka_internals.py): the ingest worker is "
            f"checked against kafka-python {KAFKA_PYTHON} only; install kafka-python=={KAFKA_PYTHON} "
            "(the project's own install pins it)")


def restore_parked(consumer: Any) -> None:
    """Let kafka-python hand back the records it parked for a paused partition once it is resumed
    (a drained in-line slot holds nothing, so clearing it loses nothing)."""
    fetcher = getattr(consumer, "_fetcher", None)
    current = getattr(fetcher, "_next_partition_records", None)
    if current is not None and not current:
        fetcher._next_partition_records = None  # type: ignore[union-attr]
