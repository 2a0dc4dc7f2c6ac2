"""The label the rules are scored against: ``change_label(change_id, failed)`` in the connection.

By default the lake's own outcome (``analytics.outcomes.change_outcomes``: linked incident
cause, failed/rolled-back solo deployment, reverted, or named by a landed defect link). With a
defect-links file, the changes its links or the landed links name. With a simulator truth file,
the planted bad changes instead (for measuring how well the rules could do if every failure were
observed).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from aftershock.errors import ConfigError
from analytics import queries
from analytics.rules.history import PACKAGE


def label_from_outcomes(con: duckdb.DuckDBPyConnection, min_confidence: float = 0.5) -> None:
    from analytics.outcomes import change_outcomes

    queries.execute(con, "rules_drop_change_label", package=PACKAGE)
    change_outcomes(con, min_confidence).select("change_id, failed").to_table("change_label")


def label_from_truth(con: duckdb.DuckDBPyConnection, truth_path: Path) -> None:
    try:
        bad = json.loads(truth_path.read_text(encoding="utf-8"))["changes_bad"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"truth file {truth_path}: cannot read its changes_bad list ({exc})") from exc
    queries.execute(con, "rules_truth_bad", {"bad": [str(b) for b in bad]}, package=PACKAGE)
    queries.execute(con, "rules_drop_change_label", package=PACKAGE)
    queries.execute(con, "rules_truth_label", package=PACKAGE)


def label_from_defects(con: duckdb.DuckDBPyConnection, links_path: Path) -> int:
    """Label from a defect-links file (``defects.py``) and the lake's landed defect links;
    returns how many of the changes they name are not in the lake."""
    from analytics.rules.defects import read_links

    defective = sorted({link.change for link in read_links(links_path)})
    queries.execute(con, "rules_defects_refs", {"defective": defective}, package=PACKAGE)
    queries.execute(con, "rules_drop_change_label", package=PACKAGE)
    queries.execute(con, "rules_defects_label", package=PACKAGE)
    return int(queries.rows(con, "rules_defects_known", package=PACKAGE)[0]["unmatched"])
