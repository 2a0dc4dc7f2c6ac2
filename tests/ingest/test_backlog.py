"""Which lagging partitions the worker reads at a time (pure bookkeeping)."""

from __future__ import annotations

from ingest.backlog import BacklogFocus


def test_reads_width_lagging_partitions_and_pauses_the_rest() -> None:
    focus: BacklogFocus[str] = BacklogFocus(2)
    paused = focus.paused({"a", "b", "c", "d"}, holding=set())
    assert len(paused) == 2 and set(focus.reading) == {"a", "b", "c", "d"} - paused


def test_partitions_that_do_not_lag_are_never_paused() -> None:
    focus: BacklogFocus[str] = BacklogFocus(1)
    assert focus.paused({"a", "b"}, holding=set()) <= {"a", "b"}
    assert "live" not in focus.paused({"a", "b"}, holding={"live"})


def test_a_turn_ends_at_a_handover_and_the_longest_waiting_comes_next() -> None:
    focus: BacklogFocus[str] = BacklogFocus(1)
    lagging = {"a", "b", "c"}
    order = []
    for _ in range(6):
        focus.paused(lagging, holding=set())
        current = focus.reading[0]
        order.append(current)
        focus.handed_over(current)
    assert sorted(order[:3]) == ["a", "b", "c"] and order[3:] == order[:3]


def test_partitions_holding_a_batch_go_first() -> None:
    focus: BacklogFocus[str] = BacklogFocus(1)
    focus.paused({"a", "b", "c"}, holding={"c"})
    assert focus.reading == ["c"]


def test_width_zero_reads_everything_and_revoked_partitions_are_forgotten() -> None:
    assert BacklogFocus[str](0).paused({"a", "b"}, holding={"a"}) == set()
    focus: BacklogFocus[str] = BacklogFocus(1)
    focus.paused({"a", "b"}, holding=set())
    focus.forget(focus.reading)
    assert focus.reading == []
    assert focus.paused({"b"}, holding=set()) == set() and focus.reading == ["b"]
