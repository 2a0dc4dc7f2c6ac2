"""Service identity: repository -> service, paging service -> service, criticality, dependencies.

By default a service is named by its repository name (``acme/Payments`` -> ``payments``) and a
PagerDuty/Opsgenie service matches it case-insensitively (``Payments`` -> ``payments``). An
optional catalog file (TOML or JSON, see adapters/README.md) extends and overrides that.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aftershock.errors import ConfigError


def normalise(name: str) -> str:
    """``API Service`` -> ``api-service``: how names from different tools are compared."""
    return re.sub(r"[^a-z0-9._-]+", "-", name.strip().lower()).strip("-")


@dataclass(frozen=True)
class Service:
    name: str
    repositories: tuple[str, ...] = ()
    path_prefixes: tuple[str, ...] = ()
    paging_ids: tuple[str, ...] = ()
    paging_names: tuple[str, ...] = ()
    criticality: int = 3
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalog:
    services: tuple[Service, ...] = field(default_factory=tuple)

    def for_repository(self, repository: str, path: str | None = None) -> str:
        """The service a repository (``owner/name``), or a path in a monorepo, belongs to."""
        wanted = repository.lower()
        matches = [s for s in self.services if wanted in (r.lower() for r in s.repositories)]
        if path:
            for service in matches:
                if any(path.startswith(p) for p in service.path_prefixes):
                    return service.name
        whole = [s for s in matches if not s.path_prefixes]
        if whole or matches:
            return (whole or matches)[0].name
        return normalise(repository.rsplit("/", 1)[-1])

    def for_paging(self, service_id: str | None, name: str | None) -> str | None:
        """The service a PagerDuty/Opsgenie service (id or name) stands for."""
        for service in self.services:
            if service_id and service_id in service.paging_ids:
                return service.name
            if name and normalise(name) in {normalise(n) for n in (*service.paging_names, service.name)}:
                return service.name
        return normalise(name) if name else None

    def criticality(self, name: str) -> int:
        return next((s.criticality for s in self.services if s.name == name), 3)


def load_catalog(path: Path) -> Catalog:
    """Read a catalog file; a ConfigError names the file and the entry that is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
        data: Any = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"service catalog {path}: {exc}") from exc
    services = []
    for index, entry in enumerate(data.get("services", [])):
        try:
            services.append(_service(entry))
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"service catalog {path}: services[{index}]: {exc}") from exc
    return Catalog(tuple(services))


def _service(entry: dict[str, Any]) -> Service:
    criticality = int(entry.get("criticality", 3))
    if not 1 <= criticality <= 4:
        raise ValueError(f"criticality must be 1..4, got {criticality}")
    tuples = {
        k: tuple(str(v) for v in entry.get(k, []))
        for k in ("repositories", "path_prefixes", "paging_ids", "paging_names", "depends_on")
    }
    return Service(name=str(entry["name"]), criticality=criticality, **tuples)
