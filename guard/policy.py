"""The tier policy: a TOML file mapping tiers, labels, tools, paths, environments and agents to
``allow`` / ``ask`` / ``grant`` / ``deny`` / ``pass`` (guard/README.md documents every key).

:func:`load` validates the whole file and raises :class:`PolicyError` naming the key
(``rule[3].action: 'alow' is not one of ...``). :func:`fail_safe` is the policy used when the file
is broken: destructive and configuration changes denied, other changes asked, reads passed.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Any, NamedTuple

from guard.findings import TIERS
from guard.home import home

ACTIONS = ("allow", "pass", "ask", "grant", "deny")  # in order of strictness
STRICTNESS = {action: rank for rank, action in enumerate(ACTIONS)}
DEFAULT_PATH = Path(__file__).with_name("default_policy.toml")
_TOP = {"version", "tiers", "fallback", "paths", "environments", "grants", "rule"}
_RULE_KEYS = {"name", "action", "tools", "tiers", "labels", "targets", "environments", "agents",
              "reason"}


class PolicyError(Exception):
    """The policy file is not valid; the message names the key."""


class Rule(NamedTuple):
    name: str
    action: str
    tools: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()
    reason: str = ""


class Approver(NamedTuple):
    name: str
    key: bytes  # raw Ed25519 public key (32 bytes)


class Policy(NamedTuple):
    source: str
    tiers: dict[str, str]
    rules: tuple[Rule, ...] = ()
    protected: tuple[str, ...] = ()
    environments: dict[str, tuple[str, ...]] = {}  # never mutated
    approvers: tuple[Approver, ...] = ()
    max_ttl_s: int = 3600
    unknown_tier: str = "mutate"
    fallback_tier: str = "mutate_config"
    over_budget_tier: str = "destructive"
    broken: str | None = None  # why the configured file was not used


def resolve_path(explicit: str | None = None) -> Path:
    """``--policy``, else ``$AFTERSHOCK_GUARD_POLICY``, else ``~/.aftershock/guard/policy.toml`` if it
    exists, else the shipped default."""
    if explicit:
        return Path(explicit).expanduser()
    configured = os.environ.get("AFTERSHOCK_GUARD_POLICY")
    if configured:
        return Path(configured).expanduser()
    user = home() / "policy.toml"
    return user if user.is_file() else DEFAULT_PATH


def load(path: Path) -> Policy:
    """The validated policy at ``path``. The parsed file is kept in ``<guard home>/cache`` keyed by
    its path, modification time and size (the hook starts faster without a TOML parser), and is
    validated again on every load."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise PolicyError(f"cannot read {path}: {exc.strerror or exc}") from exc
    where = str(path.resolve())
    key = [where, stat.st_mtime_ns, stat.st_size]
    cache = home() / "cache" / f"policy-{zlib.crc32(where.encode()):08x}.json"
    try:
        cached = json.loads(cache.read_bytes())
        if cached["key"] == key:
            return build(cached["data"], str(path))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    data = _parse(path)
    policy = build(data, str(path))
    _keep(cache, {"key": key, "data": data})
    return policy


def _parse(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise PolicyError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from exc


def _keep(cache: Path, entry: dict[str, Any]) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(entry, default=str), encoding="utf-8")
        os.replace(temporary, cache)
    except OSError:
        pass  # only a speed-up


def load_or_fail_safe(path: Path) -> Policy:
    """The policy at ``path``, or :func:`fail_safe` saying why it could not be used."""
    try:
        return load(path)
    except PolicyError as exc:
        return fail_safe(str(exc))


def fail_safe(problem: str) -> Policy:
    tiers = {"read": "pass", "propose": "pass", "mutate": "ask", "mutate_config": "deny",
             "destructive": "deny"}
    return Policy(source="fail-safe", tiers=tiers, broken=problem)


def build(data: dict[str, Any], source: str) -> Policy:
    _keys(data, _TOP, "")
    if data.get("version", 1) != 1:
        raise PolicyError(f"version: {data['version']!r} is not supported (expected 1)")
    tiers = _table(data, "tiers")
    _keys(tiers, set(TIERS), "tiers.")
    missing = [t for t in TIERS if t not in tiers]
    if missing:
        raise PolicyError(f"tiers: missing {', '.join(missing)} (every tier needs an action)")
    for tier, action in tiers.items():
        _action(action, f"tiers.{tier}")
    fallback = _table(data, "fallback")
    _keys(fallback, {"unknown", "unparsable", "over_budget"}, "fallback.")
    paths = _table(data, "paths")
    _keys(paths, {"protected"}, "paths.")
    grants = _table(data, "grants")
    _keys(grants, {"approvers", "max_ttl"}, "grants.")
    environments = _table(data, "environments")
    return Policy(
        source=source, tiers=dict(tiers),
        rules=tuple(_rule(r, i) for i, r in enumerate(_list(data, "rule", ""))),
        protected=_strings(paths, "protected", "paths."),
        environments={name: _strings(environments, name, "environments.") for name in environments},
        approvers=tuple(_approver(a, i) for i, a in enumerate(_list(grants, "approvers", "grants."))),
        max_ttl_s=duration(grants.get("max_ttl", "1h"), "grants.max_ttl"),
        unknown_tier=_tier(fallback.get("unknown", "mutate"), "fallback.unknown"),
        fallback_tier=_tier(fallback.get("unparsable", "mutate_config"), "fallback.unparsable"),
        over_budget_tier=_tier(fallback.get("over_budget", "destructive"), "fallback.over_budget"),
    )


def duration(value: Any, key: str) -> int:
    """``"15m"``, ``"2h"``, ``"90s"``, ``"1d"`` -> seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = str(value).strip()
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit() or int(text[:-1]) <= 0:
        raise PolicyError(f"{key}: {value!r} is not a duration such as 90s, 15m, 2h or 1d")
    return int(text[:-1]) * units[text[-1]]


def _rule(raw: Any, index: int) -> Rule:
    where = f"rule[{index}]."
    if not isinstance(raw, dict):
        raise PolicyError(f"rule[{index}]: expected a table ([[rule]]), got {type(raw).__name__}")
    _keys(raw, _RULE_KEYS, where)
    for required in ("name", "action"):
        if not isinstance(raw.get(required), str) or not raw[required]:
            raise PolicyError(f"{where}{required}: required, a non-empty string")
    tiers = _strings(raw, "tiers", where)
    for i, tier in enumerate(tiers):
        _tier(tier, f"{where}tiers[{i}]")
    return Rule(name=raw["name"], action=_action(raw["action"], f"{where}action"),
                tools=_strings(raw, "tools", where), tiers=tiers, labels=_strings(raw, "labels", where),
                targets=_strings(raw, "targets", where),
                environments=_strings(raw, "environments", where),
                agents=_strings(raw, "agents", where), reason=str(raw.get("reason", "")))


def _approver(raw: Any, index: int) -> Approver:
    where = f"grants.approvers[{index}]"
    if not isinstance(raw, dict) or set(raw) != {"name", "key"}:
        raise PolicyError(f"{where}: expected {{ name = \"...\", key = \"ed25519:...\" }}")
    import base64
    import binascii

    key = str(raw["key"])
    try:
        decoded = base64.b64decode(key.removeprefix("ed25519:"), validate=True)
    except binascii.Error:
        decoded = b""
    if not key.startswith("ed25519:") or len(decoded) != 32:
        raise PolicyError(f"{where}.key: not an Ed25519 public key (ed25519:<base64 of 32 bytes>); "
                          "`aftershock approve --keygen` prints one")
    return Approver(str(raw["name"]), decoded)


def _keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise PolicyError(f"{where}{unknown[0]}: unknown key (allowed: {', '.join(sorted(allowed))})")


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise PolicyError(f"{key}: expected a table, got {type(value).__name__}")
    return value


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise PolicyError(f"{where}{key}: expected a list, got {type(value).__name__}")
    return value


def _strings(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise PolicyError(f"{where}{key}: expected a list of non-empty strings")
    return tuple(value)


def _action(value: Any, key: str) -> str:
    if value not in ACTIONS:
        raise PolicyError(f"{key}: {value!r} is not one of {', '.join(ACTIONS)}")
    return str(value)


def _tier(value: Any, key: str) -> str:
    if value not in TIERS:
        raise PolicyError(f"{key}: {value!r} is not one of {', '.join(TIERS)}")
    return str(value)
