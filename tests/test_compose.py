"""docker-compose.yml is valid Compose (checked by Debian's docker-compose, no engine needed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _compose() -> str:
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.skip("docker-compose not installed (scripts/test installs Debian's docker-compose)")
    return exe


def test_compose_file_is_valid() -> None:
    done = subprocess.run([_compose(), "-f", str(REPO / "docker-compose.yml"), "config"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "apache/kafka:" in done.stdout
    assert "healthcheck" in done.stdout and "kafka-data" in done.stdout


def test_compose_check_catches_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text((REPO / "docker-compose.yml").read_text().replace("retries: 12", "retries: x"))
    done = subprocess.run([_compose(), "-f", str(broken), "config", "-q"],
                          capture_output=True, text=True, check=False)
    assert done.returncode != 0
