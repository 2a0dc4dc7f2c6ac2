from __future__ import annotations

from pathlib import Path

import pytest

from guard.policy import DEFAULT_PATH, Policy, load

WORKSPACE = "/work/proj"
HOME = "/home/dev"


@pytest.fixture(scope="session")
def default_policy() -> Policy:
    return load(DEFAULT_PATH)


@pytest.fixture
def guard_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "guard-home"
    monkeypatch.setenv("AFTERSHOCK_GUARD_HOME", str(home))
    return home
