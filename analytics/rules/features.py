"""Change features beyond size: diffusion, history, experience and purpose (RULES.md "Change features").

Each feature is a non-negative number with a fixed name. A source that knows it (``aftershock
classify --git`` from git history, an importer with precomputed values) records it on the change
event as the envelope attribute ``change.<name>``; a value that is not a plain non-negative
decimal is unknown. Python (``evaluate.py``) and DuckDB (``sql/rules_score.sql``) read the same
attributes and compare them at the same precision: thousandths, rounded half up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

FEATURES = (
    "subsystems",                # diffusion: distinct top-level directories touched (Kamei NS)
    "directories",               # distinct directories touched (ND)
    "entropy",                   # Shannon entropy (bits) of lines changed over the files (Entropy)
    "lines_before",              # lines of the touched files before the change (LT)
    "developers",                # history: distinct authors who changed the files before (NDEV)
    "age_days",                  # mean days since the files were last changed (AGE)
    "prior_changes",             # distinct earlier changes to the files (NUC)
    "author_changes",            # experience: the author's earlier changes (EXP)
    "author_recent_changes",     # the author's earlier changes weighted by recency (REXP)
    "author_subsystem_changes",  # the author's earlier changes in the same subsystems (SEXP)
    "fix",                       # purpose: 1 when the change fixes a defect, else 0 (FIX)
)
ATTRIBUTE_PREFIX = "change."
_NUMBER = re.compile(r"[0-9]{1,12}(\.[0-9]{1,9})?")


def attribute(name: str) -> str:
    return ATTRIBUTE_PREFIX + name


def milli(value: float) -> int:
    """A non-negative ``value`` in thousandths: floor(value * 1000 + 0.5), in IEEE doubles as in SQL."""
    return math.floor(value * 1000 + 0.5)


def features_of(attributes: Mapping[str, str]) -> dict[str, int]:
    """The known features of a change, in thousandths, from its envelope attributes."""
    out = {}
    for name in FEATURES:
        raw = attributes.get(attribute(name))
        if raw is not None and _NUMBER.fullmatch(raw):
            out[name] = milli(float(raw))
    return out


def feature_attributes(values: Mapping[str, float]) -> dict[str, str]:
    """Envelope attributes recording ``values`` (names from FEATURES), in thousandths (``milli``)."""
    out = {}
    for name, value in values.items():
        if name not in FEATURES:
            raise ValueError(f"unknown change feature {name!r}; known {list(FEATURES)}")
        text = f"{milli(max(value, 0.0)) / 1000:.3f}".rstrip("0").rstrip(".")
        out[attribute(name)] = text
    return out
