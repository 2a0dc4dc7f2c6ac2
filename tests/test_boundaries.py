"""Import boundaries: data walks one way (producers -> Kafka -> ingest -> lake -> analytics -> pages).

Checked twice: statically (every import statement of a package, including those inside functions)
and dynamically (importing every module of a package in a fresh interpreter pulls in no Kafka
client and no Streamlit)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("aftershock", "schemas", "adapters", "lake", "ingest", "simulator", "analytics", "dashboards",
            "gate", "receiver", "guard")

# package -> top-level modules it must never import
FORBIDDEN: dict[str, set[str]] = {
    "schemas": {"kafka", "lake", "ingest", "analytics", "adapters", "simulator", "dashboards"},
    "lake": {"kafka", "ingest", "analytics", "adapters", "simulator", "dashboards"},
    "ingest": {"analytics", "dashboards", "simulator"},
    "analytics": {"kafka", "ingest", "adapters", "simulator", "dashboards"},
    "adapters": {"analytics", "dashboards", "simulator"},
    "dashboards": {"kafka", "ingest", "duckdb"},
    "gate": {"kafka", "ingest", "lake", "duckdb", "pyarrow", "dashboards", "simulator"},
    # the receiver reaches Kafka only through the emitter SDK, and never the lake side
    "receiver": {"kafka", "ingest", "lake", "analytics", "simulator", "dashboards"},
    # the agent hook: shipping its spool goes through aftershock.sdk, never a Kafka client of its own
    "guard": {"kafka", "ingest", "lake", "analytics", "adapters", "simulator", "dashboards", "duckdb",
              "pyarrow"},
}
# what of ``aftershock`` the lower packages may use: its errors, settings and file helpers
AFTERSHOCK_ALLOWED = {"aftershock.errors", "aftershock.settings", "aftershock.fsutil"}
LOWER = ("schemas", "lake", "analytics")


def imports_of(package: str, root: Path = ROOT) -> list[tuple[str, str]]:
    """(file, imported module) for every import statement under ``package``."""
    found: list[tuple[str, str]] = []
    for path in sorted((root / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(root)), alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((str(path.relative_to(root)), node.module))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_never_imports_what_sits_above_it(package: str) -> None:
    bad = [(f, m) for f, m in imports_of(package) if m.split(".")[0] in FORBIDDEN[package]]
    assert bad == [], f"{package} imports {bad}"


@pytest.mark.parametrize("package", LOWER)
def test_lower_packages_use_only_the_shared_core_of_aftershock(package: str) -> None:
    bad = [(f, m) for f, m in imports_of(package)
           if m.split(".")[0] == "aftershock" and m not in AFTERSHOCK_ALLOWED]
    assert bad == [], f"{package} imports {bad}"


def test_only_dashboards_import_streamlit() -> None:
    bad = [(f, m) for p in PACKAGES if p != "dashboards" for f, m in imports_of(p)
           if m.split(".")[0] == "streamlit"]
    assert bad == []


def test_the_checker_sees_imports_inside_functions(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "sub" / "mod.py").write_text(
        "from . import sibling\n"
        "def f():\n    from kafka import KafkaConsumer\n    import streamlit.web as st\n")
    assert [m for _, m in imports_of("pkg", tmp_path)] == ["kafka", "streamlit.web"]


BASE = {"kafka", "streamlit", "ingest"}
# the CI gate starts fast and stands alone: no lake, no DuckDB, no Arrow either
NEVER_LOADED = {"gate": {"lake", "duckdb", "pyarrow"},
                "guard": {"lake", "analytics", "duckdb", "pyarrow"}}


@pytest.mark.parametrize("package", ["schemas", "lake", "analytics", "gate", "guard"])
def test_importing_every_module_loads_no_kafka_client(package: str) -> None:
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / package).rglob("*.py"))
    probe = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        f"print(json.dumps(sorted(loaded & set({sorted(NEVER_LOADED.get(package, set()) | BASE)!r}))))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(out.stdout) == []
