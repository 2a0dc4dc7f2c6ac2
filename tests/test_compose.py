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


def test_the_s3_profile_runs_two_workers_on_one_bucket() -> None:
    done = subprocess.run([_compose(), "-f", str(REPO / "docker-compose.yml"), "--profile", "s3",
                           "config"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    import yaml

    services = yaml.safe_load(done.stdout)["services"]
    workers = [services[name] for name in ("ingest-s3-1", "ingest-s3-2")]
    assert [w["environment"]["AFTERSHOCK_INGEST__INSTANCE_ID"] for w in workers] == ["ingest-s3-1",
                                                                                      "ingest-s3-2"]
    assert all("--lake s3://aftershock-lake/lake" in " ".join(w["command"]) for w in workers)
    assert all(w["environment"]["AWS_ENDPOINT_URL"] == "http://minio:9000" for w in workers)
    assert "minio" in services
