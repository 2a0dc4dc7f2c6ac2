"""The planted effects and volumes of a simulated organisation, with documented defaults.

An effects file (JSON or TOML) overrides any subset of the fields below, tables key by key;
unknown keys are an error. ``planted()`` is the part written to the truth file.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from aftershock.errors import ConfigError

CATEGORY_MULTIPLIER = {
    "app_code": 1.0, "tests": 0.5, "docs": 0.2, "config": 1.5, "shared_library": 1.6,
    "deploy_logic": 3.0, "iam_policy": 4.0, "control_plane": 3.5, "data_migration": 2.5,
    "other": 1.0,
}
PATH_MIX = {
    "app_code": 0.44, "tests": 0.10, "docs": 0.06, "config": 0.10, "shared_library": 0.07,
    "deploy_logic": 0.07, "iam_policy": 0.05, "control_plane": 0.04, "data_migration": 0.04,
    "other": 0.03,
}
AI_RELATIVE_RISK = {"suggested": 1.1, "co_authored": 1.4, "agent_authored": 2.0, "unknown": 1.2}


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rollout(_Strict):
    """Per-strategy behaviour of a deployment that ships a bad change."""

    share: float = Field(description="Share of services using the strategy.")
    p_caught: float = Field(description="P(bad change is caught and rolled back during rollout).")
    p_incident_caught: float = Field(description="P(incident | caught during rollout).")
    p_incident_escaped: float = Field(description="P(incident | not caught).")
    region_share: float = Field(description="Share of regions an escaped bad change reaches.")
    mitigation_minutes: float = Field(description="Median minutes from detection to mitigation.")


class Effects(_Strict):
    """Every knob of the simulation; the defaults are the documented organisation."""

    start: str = Field("2026-01-05", description="First simulated day (UTC, ISO date).")
    services: int = Field(36, ge=4, le=500, description="Number of services.")
    teams: int = Field(8, ge=1, le=100, description="Number of teams.")
    changes_per_day: float = Field(160.0, gt=0, description="Merged changes per day.")
    agent_actions_per_day: float = Field(700.0, ge=0, description="Agent tool calls per day.")
    base_rate: float = Field(0.03, gt=0, lt=1, description="P(bad) of a plain change.")
    cap: float = Field(0.5, gt=0, le=1, description="Upper bound of P(bad).")
    category_multiplier: dict[str, float] = Field(default_factory=lambda: dict(CATEGORY_MULTIPLIER))
    path_mix: dict[str, float] = Field(default_factory=lambda: dict(PATH_MIX))
    ai_relative_risk: dict[str, float] = Field(default_factory=lambda: dict(AI_RELATIVE_RISK))
    size_multiplier: list[tuple[int, float]] = Field(
        default_factory=lambda: [(0, 0.7), (50, 1.0), (200, 1.5), (800, 2.2)],
        description="(min lines changed, multiplier) steps, ascending.",
    )
    ai_share_start: float = Field(0.15, description="Mean share of AI-attributed changes on day 0.")
    ai_share_end: float = Field(0.55, description="Mean share of AI-attributed changes on the last day.")
    ai_team_spread: float = Field(0.15, description="Teams differ from the mean by up to this.")
    unknown_share: float = Field(0.08, description="Share of changes with no attribution marker.")
    ai_level_mix: dict[str, float] = Field(
        default_factory=lambda: {"suggested": 0.4, "co_authored": 0.4, "agent_authored": 0.2})
    batch_sizes: dict[int, float] = Field(default_factory=lambda: {1: 0.85, 2: 0.1, 3: 0.05})
    rollout: dict[str, Rollout] = Field(default_factory=lambda: {
        "canary": Rollout(share=0.4, p_caught=0.55, p_incident_caught=0.25, p_incident_escaped=0.6,
                          region_share=1.0, mitigation_minutes=25),
        "staged": Rollout(share=0.35, p_caught=0.35, p_incident_caught=0.3, p_incident_escaped=0.6,
                          region_share=0.67, mitigation_minutes=35),
        "all_at_once": Rollout(share=0.25, p_caught=0.1, p_incident_caught=0.5,
                               p_incident_escaped=0.7, region_share=1.0, mitigation_minutes=60),
    })
    p_revert_after_incident: float = Field(0.6, description="P(revert change | incident).")
    p_revert_after_rollback: float = Field(0.4, description="P(revert change | rolled back).")
    p_rollback_after_incident: float = Field(0.3, description="P(rollback deploy | escaped incident).")
    p_explicit_cause: float = Field(0.3, description="P(responders annotate the confirmed cause).")
    p_dependents_hit: float = Field(0.4, description="P(each dependent is affected).")
    p_empty_deploy: float = Field(0.05, description="Deployments per change that ship no change.")
    p_empty_deploy_incident: float = Field(0.02, description="P(incident | change-less deploy).")
    tier_mix: dict[str, float] = Field(default_factory=lambda: {
        "read": 0.62, "propose": 0.15, "mutate": 0.13, "mutate_config": 0.08, "destructive": 0.02})
    p_destructive_bypass: float = Field(0.1, description="P(destructive allowed without 2nd human).")
    p_incident_destructive: float = Field(0.04, description="P(incident | destructive ran).")
    p_incident_mutate_config: float = Field(0.003, description="P(incident | config mutation ran).")
    unrecorded_incidents_per_day: float = Field(0.25, ge=0, description="Incidents with no cause.")
    p_drop_change_event: float = Field(0.01, description="P(a change event is never emitted).")
    p_drop_lifecycle: float = Field(0.05, description="P(a non-trigger lifecycle event is lost).")
    p_missing_change_ids: float = Field(0.03, description="P(a deployment omits change_ids).")
    p_late: float = Field(0.02, description="P(an event is emitted hours to days late).")

    def planted(self) -> dict[str, Any]:
        """The effect sizes written to the truth file."""
        return {
            "base_rate": self.base_rate,
            "cap": self.cap,
            "ai_relative_risk": dict(self.ai_relative_risk),
            "category_multiplier": dict(self.category_multiplier),
            "risky_path_categories": sorted(k for k, v in self.category_multiplier.items() if v >= 2),
            "size_multiplier": [list(step) for step in self.size_multiplier],
            "rollout": {k: v.model_dump() for k, v in self.rollout.items()},
            "p_incident_destructive": self.p_incident_destructive,
            "unrecorded_incidents_per_day": self.unrecorded_incidents_per_day,
        }


def load_effects(path: Path | None) -> Effects:
    """Defaults, overridden by the JSON or TOML file at ``path`` (if any)."""
    if path is None:
        return Effects()
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        if not isinstance(data, dict):
            raise ConfigError(f"effects file {path}: expected a table/object at the top")
        return Effects.model_validate(_merge(Effects().model_dump(mode="json"), data))
    except OSError as exc:
        raise ConfigError(f"effects file {path}: cannot read ({exc.strerror})") from exc
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        if isinstance(exc, ValidationError):
            raise ConfigError(f"effects file {path}: {_first_error(exc)}") from exc
        raise ConfigError(f"effects file {path}: not valid {path.suffix or 'JSON'}: {exc}") from exc


def _merge(defaults: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """``given`` over ``defaults``, table by table (a partial table keeps the other keys)."""
    out = dict(defaults)
    for key, value in given.items():
        if isinstance(value, dict) and isinstance(defaults.get(key), dict):
            out[key] = _merge(defaults[key], value)
        else:
            out[key] = value
    return out


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']} (see simulator/README.md for the fields)"
