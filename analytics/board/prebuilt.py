"""Page figures computed with the stored model by the background rebuild, so that a page's first
render reads them instead of computing them.

After the rebuild (:mod:`analytics.board.refresh`) has stored the model, :func:`build` runs every
page's function of :mod:`analytics.board` for the default filters (the whole period, every
service, the default environment; the risk-rules page with the rules file in use and the default
split; the postmortem of the widest incident) and writes the results to one JSON file beside the
model: ``<model file>.board-<key>.json``, where the key covers the rules file's bytes and the
code and SQL of ``analytics/board`` and ``analytics/rules`` (a changed rules file or page code
needs a rebuild, never a render-time computation). As for the model, a SHA-256 of the file kept
outside the lake vouches for it (:func:`analytics.store.vouched`); a file without one is ignored.

Pages ask :func:`lookup` for ``(function, arguments)``: the stored result when those are the
defaults, else nothing (the page computes it: a filter change).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from aftershock.errors import AftershockError
from aftershock.fsutil import fsync_dir
from analytics.board.filters import Filters
from analytics.board.session import remember_teams
from analytics.board.source import Source
from analytics.store import default_digests, record_digest, vouched
from lake.manifest import State
from lake.readers import local_dir
from lake.witness import outside

BOARD = Path(__file__).parent
RULES = BOARD.parent / "rules"
DEFAULT_RULES = RULES / "default.toml"
MIN_CONFIDENCE = 0.5
"""The confidence threshold the dashboard's pages use."""
PACKAGE = "analytics.board"
OPTIONS = f"{PACKAGE}.session.options"
CHOICES = f"{PACKAGE}.explorer.choices"
EXPLORE = f"{PACKAGE}.explorer.explore"
RULES_HISTORY = f"{PACKAGE}.rules.rules_history"
RULES_PAGE = f"{PACKAGE}.rules.rules_page"
RULES_BOARD = f"{PACKAGE}.rules.rules_board"
Progress = Callable[[str], None]


def key(fn: Callable[..., Any] | str, args: tuple[Any, ...]) -> str:
    """The name under which ``fn(src, *args)`` is stored (``fn`` or its qualified name)."""
    name = fn if isinstance(fn, str) else f"{fn.__module__}.{fn.__qualname__}"
    return f"{name}{args!r}"


def defaults(environment: str, rules_file: Path | None) -> list[tuple[str, tuple[Any, ...]]]:
    """What a first render of each page asks for, by qualified function name (:func:`build` adds
    the incident of the postmortem page, the widest one, and the risk-rules page for every
    service, :data:`RULES_PAGE`, from the risk rules' history)."""
    plain = Filters(environment=environment)
    return [(OPTIONS, ()), (f"{PACKAGE}.overview.overview", (plain,)),
            (f"{PACKAGE}.changes.change_cells", (plain,)), (f"{PACKAGE}.incidents.incidents", (plain,)),
            (f"{PACKAGE}.agents.agents", (plain,)), (CHOICES, (plain,)),
            (RULES_HISTORY, (plain, rules_file, None))]


def background_only(fn: Callable[..., Any], src: Source, args: tuple[Any, ...],
                    rules_file: Path | None) -> bool:
    """Whether ``fn(src, *args)`` is one a page never computes itself (the risk rules' history
    of the default period: every change scored several times), only the background rebuild."""
    return (key(fn, ()) in (key(RULES_HISTORY, ()), key(RULES_PAGE, ()))
            and (RULES_HISTORY, args) in defaults(src.params.environment, rules_file))


def _function(name: str) -> Callable[..., Any]:
    module, _, attribute = name.rpartition(".")
    found: Callable[..., Any] = getattr(importlib.import_module(module), attribute)
    return found


def path_of(src: Source, rules_file: Path | None) -> Path | None:
    """Where the figures of ``src``'s model for ``rules_file`` are (or would be) stored."""
    return None if src.model is None else figures_of(src.model, rules_file)


def figures_of(model: Path, rules_file: Path | None) -> Path:
    """Where the figures over the stored model ``model`` for ``rules_file`` are (or would be)."""
    digest = hashlib.sha256((rules_file or DEFAULT_RULES).read_bytes())
    digest.update(_code_digest())
    return model.with_name(f"{model.name}.board-{digest.hexdigest()[:16]}.json")


def ready(rules_file: Path | None) -> Callable[[Path], bool]:
    """Whether a stored model's figures for ``rules_file`` are stored (for ``locate``)."""
    return lambda model: figures_of(model, rules_file).exists()


@cache
def _code_digest() -> bytes:
    """A digest of the code and SQL that compute the figures (read once per process)."""
    digest = hashlib.sha256()
    parts = (p for folder in (BOARD, RULES) for p in (*folder.glob("*.py"), *folder.glob("sql/*.sql")))
    for part in sorted(parts):
        digest.update(part.name.encode() + b"\0" + part.read_bytes())
    return digest.digest()


def build(src: Source, rules_file: Path | None, say: Progress, digests: Path | None = None) -> Path:
    """Compute and store the default figures of every page for ``src``'s model (unless stored)."""
    target = path_of(src, rules_file)
    if target is None:
        raise ValueError("no stored model to compute the pages' figures from")
    if target.exists() and _trusted(src, target, digests):
        say(f"page figures already stored in {target.name}")
        return target
    stored: dict[str, Any] = {}
    for name, args in defaults(src.params.environment, rules_file):
        stored[key(name, args)] = _function(name)(src, *args)
        say(f"computed {name}")
    plain = Filters(environment=src.params.environment)
    history = stored[key(RULES_HISTORY, (plain, rules_file, None))]
    stored[key(RULES_PAGE, (plain, rules_file, None))] = _function(RULES_BOARD)(history, plain)
    widest = stored[key(CHOICES, (Filters(environment=src.params.environment),))]["incidents"]
    if widest:
        incident = widest[0]["incident_id"]
        stored[key(EXPLORE, (incident,))] = _function(EXPLORE)(src, incident)
    _write(target, stored)
    record_digest(target, _state(src), _digests(src, digests), say)
    say(f"page figures stored in {target.name}")
    return target


def load(src: Source, rules_file: Path | None, digests: Path | None = None) -> dict[str, Any] | None:
    """The stored figures of ``src``'s model for ``rules_file``; None when there are none (or no
    digest vouches for them, or the digest folder is misconfigured: the rebuild says why)."""
    target = path_of(src, rules_file)
    try:
        if target is None or not target.exists() or not _trusted(src, target, digests):
            return None
        found = _read(target, target.stat().st_mtime_ns)
    except (OSError, ValueError, AftershockError):
        return None
    offered = found.get(key(OPTIONS, ()))
    if offered is not None:  # the page functions need service -> team; it is stored here
        remember_teams(src, offered["teams"])
    return found


@lru_cache(maxsize=4)
def _read(target: Path, mtime_ns: int) -> dict[str, Any]:
    """The figures in ``target`` (parsed once per process and file version)."""
    del mtime_ns  # the cache key
    found: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"), object_hook=_decoded)
    return found


def lookup(stored: dict[str, Any] | None, fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[bool, Any]:
    """(True, the stored result) of ``fn(src, *args)``, or (False, None) when not stored."""
    name = key(fn, args)
    if stored is None or name not in stored:
        return False, None
    return True, stored[name]


def roundtrip(value: Any) -> Any:
    """``value`` as :func:`load` gives it back (for tests comparing stored and direct results)."""
    return json.loads(json.dumps(_tagged(value)), object_hook=_decoded)


def _trusted(src: Source, target: Path, digests: Path | None) -> bool:
    return vouched(target, _state(src), _digests(src, digests))


def _state(src: Source) -> State:
    return State(seq=src.model_seq or 0, head=src.model_head or "")


def _digests(src: Source, digests: Path | None) -> Path:
    return outside(local_dir(src.lake), digests or default_digests(), "model digest folder")


def _write(target: Path, stored: dict[str, Any]) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as out:
            json.dump(_tagged(stored), out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    fsync_dir(target.parent)


def prune(kept: Path) -> None:
    """Remove stored figures whose model is gone, and those of ``kept``'s model for other keys."""
    model = kept.name.split(".board-", 1)[0]
    for other in kept.parent.glob("*.board-*.json"):
        owner = other.name.split(".board-", 1)[0]
        if other != kept and (owner == model or not (kept.parent / owner).exists()):
            other.unlink(missing_ok=True)


def _tagged(value: Any) -> Any:
    """``value`` in JSON's types: dates, times and tuples tagged so :func:`_decoded` restores them."""
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("cannot store a mapping with keys other than text among the page figures")
        return {k: _tagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tagged(v) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [_tagged(v) for v in value]}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} among the page figures")


def _decoded(found: dict[str, Any]) -> Any:
    if len(found) == 1:
        ((tag, value),) = found.items()
        if tag == "$datetime":
            return datetime.fromisoformat(value)
        if tag == "$date":
            return date.fromisoformat(value)
        if tag == "$tuple":
            return tuple(value)
        if tag == "$decimal":
            return Decimal(value)
    return found
