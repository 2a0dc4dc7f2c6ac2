"""Shared field types: UTC timestamps, bounded strings, the frozen base model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.1"
"""``major.minor``: minor versions only add optional fields; see schemas/README.md."""


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00:00+01:00 has no UTC equivalent
        raise ValueError(f"timestamp {value.isoformat()} is out of range in UTC") from exc


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware timestamp, normalised to UTC. Naive timestamps are rejected."""

ShortStr = Annotated[str, Field(min_length=1, max_length=256)]
Text = Annotated[str, Field(max_length=65_536)]

INT64_MAX = 2**63 - 1
"""The largest integer the lake stores (int64 columns): every integer field is bounded by it."""


def field(description: str, example: Any, **kwargs: Any) -> Any:
    """A documented field: every field carries a description and one example."""
    return Field(description=description, examples=[example], **kwargs)


class Model(BaseModel):
    """Frozen, strict about unknown fields and non-finite numbers (NaN, Infinity), documented."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=False,
                              allow_inf_nan=False)
