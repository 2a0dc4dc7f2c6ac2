"""Where the Iceberg tables of a lake are registered (:mod:`lake.iceberg`): the catalog, the
namespace and the folder of their metadata.

The catalog is ``--catalog`` if given, else ``AFTERSHOCK_LAKE__ICEBERG_CATALOG``, else a SQL
catalog on SQLite: ``<lake>/_iceberg/catalog.db`` for a lake in a folder, and
``<state home>/iceberg/<digest of the lake URL>/catalog.db`` on this host for a lake on object
storage (SQLite needs a local file). A URI is read as:

- ``http://...`` or ``https://...``: an Iceberg REST catalog (e.g. Polaris, Nessie, Tabular);
- ``glue``: the AWS Glue Data Catalog (region and credentials from the AWS chain);
- anything else: a SQLAlchemy URL of a SQL catalog (``sqlite:////path/catalog.db``,
  ``postgresql+psycopg2://...``).

Further properties (credentials, a REST catalog's ``warehouse``) come from pyiceberg's own
configuration of the catalog named ``aftershock`` (``~/.pyiceberg.yaml`` or
``PYICEBERG_CATALOG__AFTERSHOCK__<KEY>``). Table metadata is written under ``<lake>/_iceberg/``
(the warehouse), next to the data files it names, which are never copied. Local files are named
by ``file://`` URIs of their absolute paths, so tables of a moved lake are fixed by the next sync
(every file is then removed and added again).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aftershock.errors import LakeError
from aftershock.settings import LakeSettings, state_home
from lake.storage import is_remote

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

CATALOG_NAME = "aftershock"
OPEN_ATTEMPTS = 5
WAREHOUSE = "_iceberg"


@dataclass(frozen=True)
class Target:
    """A catalog, the namespace of a lake's tables and the URI of their metadata folder."""

    catalog: str  # the catalog URI as shown in messages (no password)
    properties: dict[str, str]
    namespace: str
    warehouse: str

    def location(self, table: str) -> str:
        return f"{self.warehouse}/{self.namespace}/{table}"


def target_of(location: Path | str, settings: LakeSettings, catalog: str | None = None,
              namespace: str | None = None) -> Target:
    """The catalog of the lake at ``location`` (see the module docstring)."""
    uri = catalog or settings.iceberg_catalog or default_catalog(location)
    warehouse = (f"{str(location).rstrip('/')}/{WAREHOUSE}" if is_remote(location)
                 else (Path(location).resolve() / WAREHOUSE).as_uri())
    properties = catalog_properties(uri, warehouse) | io_properties(location, settings)
    return Target(shown(uri), properties, namespace or settings.iceberg_namespace, warehouse)


def default_catalog(location: Path | str) -> str:
    """The URI of the SQLite catalog of a lake (the file is made by the first sync)."""
    return f"sqlite:///{default_catalog_file(location)}"


def default_catalog_file(location: Path | str) -> Path:
    if is_remote(location):
        digest = hashlib.sha256(str(location).rstrip("/").encode()).hexdigest()[:16]
        return state_home() / "iceberg" / digest / "catalog.db"
    return Path(location).resolve() / WAREHOUSE / "catalog.db"


def has_tables(location: Path | str, settings: LakeSettings) -> bool:
    """Whether the lake's tables are kept in a catalog: one is configured, or a sync made the
    default one."""
    return settings.iceberg_catalog is not None or default_catalog_file(location).is_file()


def catalog_properties(uri: str, warehouse: str) -> dict[str, str]:
    """pyiceberg properties of the catalog ``uri`` (kind chosen by its form)."""
    if uri.startswith(("http://", "https://")):
        return {"type": "rest", "uri": uri}
    if uri == "glue":
        return {"type": "glue", "warehouse": warehouse}
    return {"type": "sql", "uri": uri, "warehouse": warehouse}


def io_properties(location: Path | str, settings: LakeSettings) -> dict[str, str]:
    """How pyiceberg's file I/O reaches the lake's objects: the lake's S3 endpoint if one is set
    (credentials and region from the AWS chain)."""
    if not is_remote(location):
        return {}
    endpoint = (settings.s3_endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3")
                or os.environ.get("AWS_ENDPOINT_URL"))
    return {"s3.endpoint": endpoint} if endpoint else {}


def shown(uri: str) -> str:
    """``uri`` without the password of its user part."""
    return re.sub(r"//([^/:@]+):[^/@]*@", r"//\1:***@", uri)


def open_catalog(target: Target) -> Catalog:
    """The catalog of ``target`` with the namespace created; one-line errors."""
    uri = target.properties.get("uri", "")
    if target.properties.get("type") == "sql" and uri.startswith("sqlite:///"):
        folder = Path(uri[len("sqlite:///"):]).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LakeError(f"cannot create {folder} for the Iceberg catalog {target.catalog} "
                            f"({exc.strerror}): pass --catalog with a writable place") from exc
    with catalog_errors(target):
        from pyiceberg.catalog import load_catalog

        for attempt in range(OPEN_ATTEMPTS):
            try:
                found = load_catalog(CATALOG_NAME, **target.properties)
                ensure_namespace(found, target.namespace)
                return found
            except Exception as exc:  # a SQL catalog's first open creates its own tables:
                if attempt + 1 == OPEN_ATTEMPTS or "already exists" not in str(exc):
                    raise  # two opening it at once, one of the creates fails on the other's
                time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def ensure_namespace(catalog: Catalog, namespace: str) -> None:
    """Create ``namespace`` unless it exists. Two syncs starting at once both see it missing; the
    one whose create fails finds it made by the other (a SQL catalog says so as a constraint
    error, not as "already exists")."""
    try:
        catalog.create_namespace_if_not_exists(namespace)
    except Exception:
        if not catalog.namespace_exists(namespace):
            raise


@contextmanager
def catalog_errors(target: Target) -> Iterator[None]:
    """Turn what the catalog or its client library raises into one line naming the catalog."""
    try:
        yield
    except LakeError:
        raise
    except FileNotFoundError as exc:
        raise LakeError(f"lake file missing: {exc.filename or exc} (deleted by a compaction during "
                        "the sync? run it again; else run `aftershock verify`)") from exc
    except ImportError:
        raise LakeError("Iceberg tables need the iceberg extra: pip install 'aftershock[iceberg]'") from None
    except Exception as exc:  # the catalog clients raise many unrelated types: name the catalog
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        raise LakeError(f"Iceberg catalog {target.catalog}: {type(exc).__name__}: {shown(first)} "
                        "(check --catalog / AFTERSHOCK_LAKE__ICEBERG_CATALOG and that it is "
                        "reachable)") from exc
