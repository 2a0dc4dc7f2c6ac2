"""Choosing new path categories from candidate globs (pure logic)."""

from __future__ import annotations

from analytics.rules.candidates import Candidate, category_name, select

BASE = 0.05


def _c(glob: str, changes: int, failed: int, unknown: float = 1.0) -> Candidate:
    return Candidate(glob, changes, failed, unknown, BASE)


def test_keeps_only_supported_uncovered_significant_candidates() -> None:
    chosen = select([
        _c("controlplane/*", 300, 45),          # 15 % vs 5 %: kept
        _c("tiny/*", 10, 5),                    # too few changes
        _c("terraform/*", 400, 60, unknown=0.5),  # half its paths already have a category
        _c("docs/*", 300, 12),                  # below the base rate
        _c("noisy/*", 25, 3),                   # 12 %, but the Wilson bound does not clear 5 %
    ])
    assert [c.glob for c in chosen] == ["controlplane/*"]


def test_parent_beats_its_children_when_both_qualify() -> None:
    chosen = select([_c("controlplane/router/*", 100, 25), _c("controlplane/*", 300, 45),
                     _c("terraform/network/*", 200, 30)])
    assert [c.glob for c in chosen] == ["controlplane/*", "terraform/network/*"]


def test_a_child_stands_when_its_parent_does_not_qualify() -> None:
    chosen = select([_c("ops/*", 1000, 55), _c("ops/danger/*", 60, 15)])
    assert [c.glob for c in chosen] == ["ops/danger/*"]


def test_evidence_and_name() -> None:
    cand = _c("terraform/network/*", 200, 30)
    assert category_name(cand.glob) == "learned_terraform_network"
    assert "200 changes touched it, 30 failed" in cand.evidence("2026-03-01")
    assert cand.wilson_low > BASE and cand.lift > 1.5
