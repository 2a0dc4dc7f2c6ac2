"""Risk rules on real history: the public JIT defect-prediction data of OpenStack and Qt.

Run: python bench/jit_dp.py [--data DIR] [--sets openstack,qt] [--train 0.6]
Each commit of ``<project>/../shared/jit-data/<set>_k_feature.csv`` (SOURCES.md there) becomes a
merged change event: lines added and deleted, as many files as it touched (the data set has no
paths, so they are placeholders ``unknown/<i>``), its Kamei features as ``change.<feature>``
attributes (analytics/rules/features.py). Events are landed into a temporary lake with
``land_events``; the SZZ labels come in as defect links (``fixed_by`` of a placeholder fixing
change) through ``aftershock rules`` label import. The earlier 60 % of commits (by commit time)
train, the later 40 % test. In the same run, on the test part:

- ``tuned``: ``rules tune`` from the default rules file, labels from the imported defect links
  (log1p terms and thresholds of size and the features chosen by forward selection on validation
  inside the train period; the tuned file's rules and terms are counted);
- ``LApredict``: the score is lines added (a one-feature model is monotone in it);
- ``Kamei-LR``: logistic regression on Kamei's 14 features (log1p, standardised on train, a small
  ridge), fitted on train with numpy.

Prints ROC AUC, PR AUC (average precision) and effort-aware recall at 20 % of lines changed.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

KAMEI = ("ns", "nd", "nf", "entrophy", "la", "ld", "lt", "fix", "ndev", "age", "nuc", "exp", "rexp", "sexp")
ATTRIBUTES = {"ns": "subsystems", "nd": "directories", "entrophy": "entropy", "lt": "lines_before",
              "ndev": "developers", "age": "age_days", "nuc": "prior_changes", "exp": "author_changes",
              "rexp": "author_recent_changes", "sexp": "author_subsystem_changes", "fix": "fix"}
DEFAULT_DATA = Path(__file__).resolve().parents[1] / "../shared/jit-data"


def read_set(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [{"sha": r["_id"], "date": int(float(r["date"])), "bug": r["bug"] == "1",
                 **{k: float(r[k]) for k in KAMEI}} for r in csv.DictReader(fh)]
    return sorted(rows, key=lambda r: (r["date"], r["sha"]))


def change_events(name: str, rows: list[dict[str, Any]]) -> Iterator[Any]:
    from analytics.rules.features import feature_attributes
    from schemas.event import parse_obj

    for r in rows:
        when = datetime.fromtimestamp(r["date"], UTC).isoformat()
        files = [{"path": f"unknown/{i}"} for i in range(max(int(r["nf"]), 1))]
        attrs = feature_attributes({ATTRIBUTES[k]: r[k] for k in ATTRIBUTES})
        yield parse_obj({
            "event_id": f"{name}-{r['sha']}", "event_type": "change", "source": "git",
            "occurred_at": when, "service_name": name, "change_id": f"{name}@{r['sha']}",
            "attributes": attrs,
            "payload": {"vcs_repository_name": name, "vcs_ref_head_revision": r["sha"],
                        "commit_shas": [r["sha"]], "kind": "commit", "author": "unknown", "files": files,
                        "merged_at": when,
                        "lines_added": int(r["la"]), "lines_deleted": int(r["ld"])}})


def defect_links(name: str, rows: list[dict[str, Any]], out: Path) -> Path:
    """The SZZ labels as defect links (the data set names no fixing commit: a placeholder)."""
    links = [{"change": f"{name}@{r['sha']}", "fixed_by": f"{name}@szz-fix-of-{r['sha']}"}
             for r in rows if r["bug"]]
    out.write_text(json.dumps({"defects": links}), encoding="utf-8")
    return out


def kamei_lr(train: list[dict[str, Any]], test: list[dict[str, Any]], ridge: float = 1.0) -> np.ndarray:
    """Logistic regression on log1p of Kamei's features, standardised on train; test scores."""
    def design(rows: list[dict[str, Any]]) -> np.ndarray:
        return np.log1p(np.array([[max(r[k], 0.0) for k in KAMEI] for r in rows]))

    x_train, x_test = design(train), design(test)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std[std == 0] = 1.0
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    y = np.array([r["bug"] for r in train], dtype=float)
    beta = _newton(np.hstack([np.ones((len(train), 1)), x_train]), y, ridge)
    return np.hstack([np.ones((len(test), 1)), x_test]) @ beta


def _newton(x: np.ndarray, y: np.ndarray, ridge: float) -> np.ndarray:
    beta = np.zeros(x.shape[1])
    penalty = np.eye(x.shape[1]) * ridge
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ beta, -35, 35)))
        grad = x.T @ (y - p) - penalty @ beta
        hess = (x * (p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.abs(step).max() < 1e-9:
            break
    return beta


def metrics(scores: Any, rows: list[dict[str, Any]]) -> dict[str, float]:
    from analytics.rules.metrics import Item, score_metrics

    found = score_metrics(Item(float(s), r["bug"], int(r["la"] + r["ld"]))
                          for s, r in zip(scores, rows, strict=True))
    return {"auc": found["auc"], "pr_auc": found["pr_auc"], "effort_recall": found["effort_aware"]["recall"]}


def tuned_scores(name: str, rows: list[dict[str, Any]], split: datetime, work: Path
                 ) -> tuple[dict[str, float], Any, float]:
    """Land ``rows``, import their labels, tune on train; metrics of the tuned file on test."""
    from analytics.rules.backtest import labelled_rows
    from analytics.rules.labels import label_from_defects
    from analytics.rules.model import load_rules
    from analytics.rules.tune import tune
    from ingest.backfill import land_events
    from lake.reader import open_lake

    lake = work / name
    land_events(lake, change_events(name, rows))
    con = open_lake(lake)
    label_from_defects(con, defect_links(name, rows, work / f"{name}-defects.json"))
    started = time.perf_counter()
    result = tune(con, load_rules(None), split)
    took = time.perf_counter() - started
    found = labelled_rows(con, result.rules, split, None)
    by_id = {row.change_id: row for row in found}
    test = [r for r in rows if datetime.fromtimestamp(r["date"], UTC) >= split]
    scores = [by_id[f"{name}@{r['sha']}"].score for r in test]
    return metrics(scores, test), result.rules, took


def run_set(name: str, data: Path, train_share: float, work: Path, out_dir: Path | None) -> dict[str, Any]:
    rows = read_set(data / f"{name}_k_feature.csv")
    cut = int(len(rows) * train_share)
    split = datetime.fromtimestamp(rows[cut]["date"], UTC)
    train = [r for r in rows if datetime.fromtimestamp(r["date"], UTC) < split]
    test = [r for r in rows if datetime.fromtimestamp(r["date"], UTC) >= split]
    tuned, rules, took = tuned_scores(name, rows, split, work)
    if out_dir is not None:
        from analytics.rules.toml_out import dumps

        (out_dir / f"{name}-tuned.toml").write_text(dumps(rules, f"Tuned on {name} before {split.date()}"),
                                                    encoding="utf-8")
    return {"set": name, "train": len(train), "test": len(test), "split": split.date().isoformat(),
            "test_buggy": sum(r["bug"] for r in test) / len(test), "tune_seconds": round(took, 1),
            "rules": len(rules.rule), "terms": len(rules.term),
            "models": {"tuned rules": tuned, "LApredict": metrics([r["la"] for r in test], test),
                       "Kamei-LR": metrics(kamei_lr(train, test), test)}}


def print_table(results: list[dict[str, Any]]) -> None:
    print(f"{'set':10} {'model':12} {'ROC AUC':>8} {'PR AUC':>8} {'recall@20%':>11}")
    for res in results:
        for model, m in res["models"].items():
            print(f"{res['set']:10} {model:12} {m['auc']:8.3f} {m['pr_auc']:8.3f} {m['effort_recall']:11.3f}")
        print(f"{'':10} train {res['train']} / test {res['test']} changes (split {res['split']}, "
              f"test buggy {res['test_buggy']:.1%}); tuned file: {res['rules']} rules and "
              f"{res['terms']} terms, "
              f"tune took {res['tune_seconds']} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", default="openstack,qt")
    parser.add_argument("--train", type=float, default=0.6)
    parser.add_argument("--keep", type=Path, help="write each tuned rules file into this folder")
    args = parser.parse_args(argv)
    if not (args.data / "SOURCES.md").is_file():
        print(f"aftershock: JIT data not found ({args.data}): pass --data DIR", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        results = [run_set(name, args.data, args.train, Path(tmp), args.keep)
                   for name in args.sets.split(",")]
    print_table(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
