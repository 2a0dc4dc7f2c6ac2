"""Build the analytics model over the lake's views: one row per change, deployment and incident,
and every candidate incident -> cause link with its method, confidence and provenance.

The model is a set of temporary tables (``a_change_events``, ``a_changes``, ``a_change_refs``,
``a_deployment_events``, ``a_deployments``, ``a_deployment_refs``, ``a_deployment_changes``,
``a_incidents``, ``a_incident_services``, ``a_agent_actions``, ``a_link_evidence``, ``a_links``)
in the reader's in-memory connection; nothing is written to the lake. Building it is
idempotent: :func:`ensure_model` rebuilds only when the linking parameters change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import duckdb

from analytics import queries

MODEL_STEPS: tuple[str, ...] = (
    "model_agent_actions",
    "model_change_events",
    "model_changes",
    "model_change_refs",
    "model_deployment_events",
    "model_deployments",
    "model_deployment_refs",
    "model_deployment_changes",
    "model_incidents",
    "model_incident_services",
    "link_evidence_table",
    "link_explicit",
    "link_revert",
    "link_rollback",
    "link_artifact",
    "link_window",
    "link_agent",
    "link_suspects",
)


@dataclass(frozen=True)
class LinkParams:
    """How incidents are linked to candidate causes (see METRICS.md, "Linking")."""

    environment: str = "production"
    window_minutes: int = 24 * 60
    skew_minutes: int = 15
    decay_minutes: float = 120.0

    def values(self) -> dict[str, Any]:
        return asdict(self)


def build(con: duckdb.DuckDBPyConnection, params: LinkParams | None = None) -> None:
    """(Re)build every model table with ``params``."""
    values = (params or LinkParams()).values()
    for step in MODEL_STEPS:
        queries.execute(con, step, values)
    queries.execute(con, "model_params_save", {"params": repr(values)})


def ensure_model(con: duckdb.DuckDBPyConnection, params: LinkParams | None = None) -> None:
    """Build the model unless it already exists with the same ``params``."""
    wanted = repr((params or LinkParams()).values())
    built = queries.rows(con, "model_params_built") if _has_model(con) else []
    if not built or built[0]["params"] != wanted:
        build(con, params)


def _has_model(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(queries.rows(con, "model_exists"))
