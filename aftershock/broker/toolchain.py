"""Java/Maven checks and the cached jar set of the broker."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from aftershock.errors import ToolchainError

MIN_JAVA = 17
_MARKER = ".complete"


def java_major(java: str) -> int:
    """The major version of ``java`` (17 for "17.0.15"); raises when it cannot run."""
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolchainError(f"cannot run {java} -version ({exc}); install OpenJDK 17+") from exc
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise ToolchainError(f"cannot read the Java version from `{java} -version`")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_java() -> str:
    """Path of a ``java`` that can run Kafka 4.x (Java 17 or newer)."""
    java = shutil.which("java")
    if java is None:
        raise ToolchainError("java not found on PATH: install OpenJDK 17+ (e.g. openjdk-17-jre)")
    major = java_major(java)
    if major < MIN_JAVA:
        raise ToolchainError(
            f"{java} is Java {major}; Kafka 4.x needs Java {MIN_JAVA}+: install OpenJDK 17+ "
            "and put it first on PATH"
        )
    return java


def libs_dir(cache_dir: Path, kafka_version: str) -> Path:
    return cache_dir / f"kafka-{kafka_version}" / "libs"


def ensure_jars(cache_dir: Path, kafka_version: str, timeout_s: float = 600.0) -> Path:
    """The folder holding the broker's jars; downloads them with Maven on first use.

    The download goes to a temporary folder that is renamed into place only when Maven
    succeeded, so an interrupted fetch never leaves a half jar set behind.
    """
    target = libs_dir(cache_dir, kafka_version)
    if (target / _MARKER).exists():
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ToolchainError("mvn not found on PATH: install Maven 3.8+ (e.g. apt-get install maven)")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="libs-", dir=target.parent))
    _copy_dependencies(mvn, kafka_version, staging, timeout_s)
    (staging / _MARKER).write_text(kafka_version + "\n")
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target


def _copy_dependencies(mvn: str, kafka_version: str, out: Path, timeout_s: float) -> None:
    with resources.as_file(resources.files("aftershock.broker") / "pom.xml") as pom:
        cmd = [
            mvn, "-B", "-q", "-f", str(pom), "dependency:copy-dependencies",
            "-DincludeScope=runtime", f"-DoutputDirectory={out}", f"-Dkafka.version={kafka_version}",
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:
            shutil.rmtree(out, ignore_errors=True)
            raise ToolchainError(
                f"Maven did not finish fetching the Kafka {kafka_version} jars in {timeout_s:.0f}s: "
                "check that Maven Central is reachable (proxy settings in ~/.m2/settings.xml)"
            ) from exc
    if done.returncode != 0 or not any(out.glob("kafka_2.13-*.jar")):
        shutil.rmtree(out, ignore_errors=True)
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
        raise ToolchainError(
            f"Maven could not fetch the Kafka {kafka_version} jars (is Maven Central reachable? "
            f"is the version right?): {tail}"
        )
