"""The search for a record that cannot be landed: alone, then by halves, then unread."""

from __future__ import annotations

import pytest

from ingest.suspects import Suspects


def _search(culprit: int, start: int, end: int) -> tuple[list[tuple[int, int, bool]], int]:
    """Land ``[start, end)`` as the worker would after its first failure, a piece failing when it
    holds ``culprit`` (unless quarantined); returns the pieces handed over and the failures."""
    suspects, pieces, position, failures = Suspects(), [], start, 1
    suspects.failed("tp", start, end)
    while position < end:
        piece_end = suspects.piece_end("tp", position)
        assert piece_end is not None and position < piece_end <= end
        unread = suspects.quarantine("tp", position)
        pieces.append((position, piece_end, unread))
        if position <= culprit < piece_end and not unread:
            failures += 1
            suspects.failed("tp", position, piece_end)
        else:
            suspects.landed("tp", position, piece_end)
            position = piece_end
        assert failures < 40, pieces
    assert suspects.piece_end("tp", end) is None and suspects.quarantined == 1
    return pieces, failures


@pytest.mark.parametrize("culprit", [0, 1, 31, 32, 63, 77 - 64, 100, 9999 - 9000])
def test_the_culprit_alone_is_landed_unread_and_everything_else_normally(culprit: int) -> None:
    size = 64 if culprit < 64 else 1000
    pieces, failures = _search(culprit, 0, size)
    assert [(s, e) for s, e, unread in pieces if unread] == [(culprit, culprit + 1)]
    covered = [o for s, e, unread in pieces if not unread and not s <= culprit < e for o in range(s, e)]
    assert sorted(covered) == [o for o in range(size) if o != culprit]  # each landed once
    assert failures <= 3 + size.bit_length()


def test_a_batch_that_lands_on_its_retry_clears_the_suspicion() -> None:
    suspects = Suspects()
    suspects.failed("tp", 100, 200)
    assert suspects.piece_end("tp", 100) == 200 and not suspects.quarantine("tp", 100)
    suspects.landed("tp", 100, 200)
    assert suspects.piece_end("tp", 100) is None and suspects.piece_end("tp", 200) is None
