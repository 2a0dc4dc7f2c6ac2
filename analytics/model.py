"""Build the analytics model over the lake's views: one row per change, deployment and incident,
every candidate incident -> cause link with its method, confidence and provenance, and the
outcome tables the report reads.

Two layers of temporary tables in the reader's in-memory connection (nothing is written to the
lake here; :mod:`analytics.store` keeps a built model beside the lake):

- the model (``a_change_events``, ``a_changes``, ``a_change_refs``, ``a_deployment_events``,
  ``a_deployments``, ``a_deployment_refs``, ``a_deployment_changes``, ``a_incidents``,
  ``a_incident_services``, ``a_agent_actions`` (one row per report) and ``a_agent_calls`` (one per
  tool call), ``a_link_evidence``, ``a_links``, for the layers that held ``a_gate_changes``
  and ``a_change_reviews``, and the gate decisions with their changes, ``a_gate_decisions``),
  which depends on the linking parameters;
- the outcomes (``a_change_outcomes``, ``a_incident_blame``, ``a_blast``, ``a_deploy_outcomes``,
  ``a_change_lead``, ``a_layers``), which depend on those and on the confidence a link needs to count. None
  depends on the report period: the report filters their rows.

:func:`ensure` builds a layer only when it is missing or was built with other parameters.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import duckdb

from analytics import queries

MODEL_STEPS: tuple[str, ...] = (
    "first_landed_macro",
    "model_moved_copies",
    "model_agent_actions",
    "model_agent_calls",
    "model_change_events",
    "model_changes",
    "model_change_refs",
    "model_defect_links",
    "model_deployment_events",
    "model_deployments",
    "model_deployment_refs",
    "model_deployment_changes",
    "model_incidents",
    "model_incident_services",
    "link_evidence_table",
    "link_explicit",
    "link_revert",
    "link_artifact",
    "link_deployment_features",
    "link_agent_features",
    "link_change_features",
    "link_lake_lag",
    "link_deployment_context",
    "link_score",
    "link_suspects",
    "layers_gate",
    "model_gate_decisions",
    "layers_reviews",
)
OUTCOME_STEPS: tuple[str, ...] = (
    "model_change_outcomes",
    "incident_blame",
    "blast_incidents",
    "deploy_outcomes",
    "change_lead",
    "layers_incidents",
)


WEIGHT_NAMES: tuple[str, ...] = (
    "deploy_bias", "deploy_log_hours", "deploy_after", "deploy_latest", "deploy_latest_successful",
    "deploy_failed", "deploy_depth", "deploy_other_region", "deploy_component", "deploy_risky",
    "deploy_log_lines", "deploy_region_coverage", "deploy_latest_component", "deploy_log_lags",
    "deploy_lag_gap", "deploy_component_lag", "deploy_log_hours_lag",
    "deploy_latest_lag", "deploy_latest_successful_lag", "deploy_log_candidates",
    "agent_bias", "agent_mutate_config", "agent_destructive", "agent_log_hours", "agent_after", "agent_depth",
    "change_head", "change_position", "change_risky", "change_log_lines", "change_component",
    "calib_time_window_scale", "calib_time_window_shift", "calib_dependency_scale", "calib_dependency_shift",
    "calib_rollback_scale", "calib_rollback_shift", "calib_agent_action_scale", "calib_agent_action_shift",
)


@cache
def calibrated_weights() -> tuple[tuple[str, float], ...]:
    """The linking weights of ``analytics/link_weights.toml`` (written by the calibration)."""
    text = resources.files("analytics").joinpath("link_weights.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text)["weights"]
    return tuple((name, float(table[name])) for name in WEIGHT_NAMES)


@dataclass(frozen=True)
class LinkParams:
    """How incidents are linked to candidate causes (see METRICS.md, "Linking"): the window, the
    clock skew allowed, and the evidence weights (calibrated ones unless given)."""

    environment: str = "production"
    window_minutes: int = 24 * 60
    skew_minutes: int = 15
    weights: tuple[tuple[str, float], ...] = field(default_factory=calibrated_weights)

    def public(self) -> dict[str, Any]:
        """What the report shows: the window and skew (the weights are the calibrated file's)."""
        return {"environment": self.environment, "window_minutes": self.window_minutes,
                "skew_minutes": self.skew_minutes}

    def values(self) -> dict[str, Any]:
        """Every value the linking SQL binds, weights included."""
        return {**self.public(), **dict(self.weights)}

    def with_weights(self, weights: dict[str, float]) -> LinkParams:
        merged = {**dict(self.weights), **weights}
        return LinkParams(self.environment, self.window_minutes, self.skew_minutes,
                          tuple((name, float(merged[name])) for name in WEIGHT_NAMES))


def build(con: duckdb.DuckDBPyConnection, params: LinkParams | None = None) -> None:
    """(Re)build every model table with ``params``."""
    values = (params or LinkParams()).values()
    for step in MODEL_STEPS:
        queries.execute(con, step, values)
    queries.execute(con, "model_params_save", {"params": repr(values)})


def build_outcomes(con: duckdb.DuckDBPyConnection, params: LinkParams, min_confidence: float) -> None:
    """(Re)build the outcome tables over the model for links of ``min_confidence`` or more."""
    values = {**params.values(), "min_confidence": min_confidence}
    for step in OUTCOME_STEPS:
        queries.execute(con, step, values)
    queries.execute(con, "outcome_params_save", {"params": repr(values)})


def ensure_model(con: duckdb.DuckDBPyConnection, params: LinkParams | None = None) -> None:
    """Build the model unless it already exists with the same ``params``."""
    wanted = repr((params or LinkParams()).values())
    if _built(con, "a_model_params", "model_params_built") != wanted:
        build(con, params)


def ensure(con: duckdb.DuckDBPyConnection, params: LinkParams, min_confidence: float) -> None:
    """The model and the outcome tables for ``params`` and ``min_confidence``, built if needed."""
    ensure_model(con, params)
    wanted = repr({**params.values(), "min_confidence": min_confidence})
    if _built(con, "a_outcome_params", "outcome_params_built") != wanted:
        build_outcomes(con, params, min_confidence)


def _built(con: duckdb.DuckDBPyConnection, table: str, query: str) -> str | None:
    if not queries.rows(con, "table_exists", {"table": table}):
        return None
    built = queries.rows(con, query)
    return str(built[0]["params"]) if built else None
