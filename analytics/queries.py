"""Load the SQL files of ``analytics/sql`` and run them with bound parameters.

SQL lives only in ``.sql`` files; this module reads them with ``importlib.resources``, finds the
``$name`` parameters each one uses and binds exactly those from the values given. Nothing here
builds SQL from strings: a name that is not a file of the package is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import duckdb

from aftershock.errors import AnalyticsError

_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


@cache
def names(package: str = "analytics.sql") -> frozenset[str]:
    """The query names (file stems) that ``package`` holds."""
    return frozenset(
        entry.name.removesuffix(".sql")
        for entry in resources.files(package).iterdir()
        if entry.name.endswith(".sql")
    )


@cache
def text(name: str, package: str = "analytics.sql") -> str:
    """The SQL text of query ``name``."""
    if name not in names(package):
        raise AnalyticsError(f"no query named {name!r} in {package}; known: {sorted(names(package))}")
    return resources.files(package).joinpath(f"{name}.sql").read_text(encoding="utf-8")


@cache
def parameters(name: str, package: str = "analytics.sql") -> frozenset[str]:
    """The ``$name`` parameters query ``name`` uses (comments excluded)."""
    return frozenset(_PARAM.findall(_COMMENT.sub("", text(name, package))))


def bind(name: str, values: Mapping[str, Any], package: str = "analytics.sql") -> dict[str, Any]:
    """Exactly the parameters ``name`` needs, taken from ``values``."""
    wanted = parameters(name, package)
    missing = wanted - values.keys()
    if missing:
        raise AnalyticsError(f"query {name!r} needs parameters {sorted(missing)}")
    return {key: values[key] for key in wanted}


def execute(con: duckdb.DuckDBPyConnection, name: str, values: Mapping[str, Any] | None = None,
            package: str = "analytics.sql") -> duckdb.DuckDBPyConnection:
    """Run query ``name`` for its effect (e.g. building a temp table)."""
    try:
        return con.execute(text(name, package), bind(name, values or {}, package))
    except duckdb.Error as exc:
        raise AnalyticsError(f"query {package}/{name}.sql failed: {exc}") from exc


def relation(con: duckdb.DuckDBPyConnection, name: str, values: Mapping[str, Any] | None = None,
             package: str = "analytics.sql") -> duckdb.DuckDBPyRelation:
    """Query ``name`` as a lazy relation."""
    try:
        return con.sql(text(name, package), params=bind(name, values or {}, package))
    except duckdb.Error as exc:
        raise AnalyticsError(f"query {package}/{name}.sql failed: {exc}") from exc


def rows(con: duckdb.DuckDBPyConnection, name: str, values: Mapping[str, Any] | None = None,
         package: str = "analytics.sql") -> list[dict[str, Any]]:
    """Query ``name`` as a list of dicts (column name -> value)."""
    cursor = execute(con, name, values, package)
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
