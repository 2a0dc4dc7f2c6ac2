"""Owning services of a change and its dependency-aware blast radius, from the service catalog.

A file belongs to ``catalog.for_repository(repository, path)`` (the mapping ``aftershock import``
uses). The change's **criticality** is the most critical (lowest) criticality among its services
that the catalog lists (unknown when it lists none). Its **dependents** are the services that
depend on one of its services, directly or through others (``depends_on`` edges walked
backwards), not counting its own services.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.identity import Catalog


@dataclass(frozen=True)
class ServiceImpact:
    name: str
    criticality: int | None
    files: int
    dependents: tuple[str, ...]


@dataclass(frozen=True)
class BlastRadius:
    services: tuple[ServiceImpact, ...]
    criticality: int | None
    dependents: tuple[str, ...]
    from_catalog: bool  # False: no catalog given, so criticality and dependents are unknown


def dependents_of(catalog: Catalog, names: set[str]) -> tuple[str, ...]:
    """Services that depend, transitively, on any of ``names`` (sorted, ``names`` excluded)."""
    users: dict[str, set[str]] = {}
    for service in catalog.services:
        for dep in service.depends_on:
            users.setdefault(dep, set()).add(service.name)
    seen: set[str] = set()
    todo = list(names)
    while todo:
        for user in users.get(todo.pop(), ()):
            if user not in seen:
                seen.add(user)
                todo.append(user)
    return tuple(sorted(seen - names))


def blast_radius(catalog: Catalog, repository: str, paths: list[str]) -> BlastRadius:
    counts: dict[str, int] = {}
    for path in paths:
        name = catalog.for_repository(repository, path)
        counts[name] = counts.get(name, 0) + 1
    if not paths:
        counts[catalog.for_repository(repository)] = 0
    listed = {s.name: s.criticality for s in catalog.services}
    impacts = tuple(ServiceImpact(n, listed.get(n), c, dependents_of(catalog, {n}))
                    for n, c in sorted(counts.items()))
    known = [i.criticality for i in impacts if i.criticality is not None]
    return BlastRadius(impacts, min(known) if known else None, dependents_of(catalog, set(counts)),
                       bool(catalog.services))
