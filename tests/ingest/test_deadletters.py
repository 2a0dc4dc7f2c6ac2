"""Dead letters: topic copies that fit the topic, the spool's round trip, and a failed batch's
successors kept out of the lake until its range comes again."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.batch_validation import BatchFailed, BatchSkipped, Validated, finish_in_order
from ingest.deadletters import topic_record
from ingest.letter_spool import Letter, LetterSpool
from lake.arrow_format import DeadLetter


def _letter(raw: bytes, key: bytes | None = b"k", message: str = "$.x: bad") -> DeadLetter:
    return DeadLetter("oversized", "RecordTooLarge", message, raw, key, datetime.now(UTC),
                      "audit.changes", 2, 41, hashlib.sha256(raw).hexdigest())


def _size(record: Letter) -> int:
    return len(record.key or b"") + len(record.value) + sum(len(n) + len(v) for n, v in record.headers)


@pytest.mark.parametrize("size", [10, 999_000, (1 << 20) + 1, 5 << 20])
def test_a_topic_copy_never_exceeds_the_limit_and_names_the_original(size: int) -> None:
    raw = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    record = topic_record(_letter(raw, key=b"k" * 300_000, message="m" * 10_000), 1_000_000)
    headers = dict(record.headers)
    assert _size(record) + 512 <= 1_000_000
    assert len(headers["__connect.errors.exception.message"]) == 2000
    if size < 600_000:
        assert record.value == raw and "aftershock.original.length" not in headers
        return
    digest = hashlib.sha256(raw).hexdigest()
    assert headers["aftershock.original.length"] == str(size).encode()
    assert headers["aftershock.original.sha256"] == digest.encode()
    assert record.value.endswith(f"...[truncated by aftershock: {size} bytes, sha256 {digest}]".encode())
    assert raw.startswith(record.value[:100_000])
    assert headers["aftershock.original.key.sha256"] == hashlib.sha256(b"k" * 300_000).hexdigest().encode()


def test_the_spool_keeps_any_bytes_durably_in_order(tmp_path: Path) -> None:
    spool = LetterSpool(tmp_path / "spool")
    first = [Letter(None, b"\xff\x00 not utf-8", (("h", b"\x00\x01"),)), Letter(b"\xfe", b"", ())]
    second = [Letter(b"k", b"v" * 1000, (("__connect.errors.offset", b"7"),))]
    spool.add(first)
    spool.add(second)
    assert spool.count() == 3 and not list((tmp_path / "spool").glob(".*.tmp"))
    read = []
    for path in spool.files():
        with spool.taken(path) as letters:
            assert letters is not None
            read.append(letters)
            spool.remove(path)
    assert read == [first, second] and spool.count() == 0 and spool.files() == []


def _validated(start: int, next_offset: int, error: Exception | None = None) -> Validated:
    return Validated(None, "audit.changes", 0, start, next_offset, error or BatchFailed("boom"))


def test_batches_after_a_failed_one_are_skipped_until_its_range_comes_again() -> None:
    failed: dict[tuple[str, int], int] = {}
    kind, error = finish_in_order(_validated(100, 200), None, None, failed)  # type: ignore[arg-type]
    assert (kind, type(error)) == ("error", BatchFailed) and failed == {("audit.changes", 0): 100}
    kind, error = finish_in_order(_validated(200, 300), None, None, failed)  # type: ignore[arg-type]
    assert (kind, type(error)) == ("error", BatchSkipped)  # committing it would leave a gap
    other = Validated(None, "audit.changes", 1, 500, 600, BatchFailed("other"))
    finish_in_order(other, None, None, failed)  # type: ignore[arg-type]
    assert failed == {("audit.changes", 0): 100, ("audit.changes", 1): 500}
    kind, error = finish_in_order(_validated(100, 150, ValueError("x")), None, None, failed)  # type: ignore[arg-type]
    assert failed == {("audit.changes", 1): 500}  # the range came again: later batches land
