"""Start, find and stop the local single-node broker.

State lives in one folder (``BrokerSettings.state_dir``): ``broker.json`` (pid, ports),
``server.properties``, ``log4j2.properties``, ``broker.log`` and the ``data/`` log dirs. Ports are
chosen once per state folder and kept, so a restarted broker has the same address and its data.
A broker made with ``secured=True`` also listens with SASL_SSL and SSL (:mod:`.secured`; its
certificates in ``tls/``, its users in ``sasl.json``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from importlib import resources
from pathlib import Path

from aftershock.broker import config, toolchain
from aftershock.broker.secured import Secured, ensure_users
from aftershock.broker.tls import ensure_tls
from aftershock.errors import BrokerError
from aftershock.settings import BrokerSettings, KafkaSettings

READY_LINE = b"Kafka Server started"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BrokerState:
    port: int
    controller_port: int
    pid: int | None = None
    kafka_version: str = ""
    sasl_ssl_port: int | None = None  # the secured listeners' ports, once chosen
    ssl_port: int | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"


def _silent(_: str) -> None:
    return None


class LocalBroker:
    def __init__(self, settings: BrokerSettings, progress: Progress = _silent,
                 secured: bool = False) -> None:
        self.settings = settings
        self.dir = settings.state_dir
        self.progress = progress
        self.secured = secured
        self._proc: subprocess.Popen[bytes] | None = None

    # -- paths ---------------------------------------------------------------------------------
    @property
    def log_file(self) -> Path:
        return self.dir / "broker.log"

    @property
    def _state_file(self) -> Path:
        return self.dir / "broker.json"

    # -- public API ----------------------------------------------------------------------------
    def status(self) -> BrokerState | None:
        """The running broker of this state folder, or None when none runs."""
        state = self._read_state()
        if state is None or state.pid is None or not _alive(state.pid):
            return None
        return state

    def start(self) -> tuple[BrokerState, bool]:
        """Start the broker (or find the running one); returns (state, started_now)."""
        running = self.status()
        if running is not None:
            wait_ready(running.bootstrap, self.settings.start_timeout_s)
            return running, False
        java = toolchain.find_java()
        self.progress(f"fetching Kafka {self.settings.kafka_version} jars (cached after the first time)")
        libs = toolchain.ensure_jars(
            self.settings.cache_dir, self.settings.kafka_version, self.settings.mvn_timeout_s
        )
        state = self._prepare(java, libs)
        self.progress(f"starting Kafka {self.settings.kafka_version} on {state.bootstrap}")
        state = self._launch(java, libs, state)
        return state, True

    def stop(self) -> bool:
        """SIGTERM, then SIGKILL after ``stop_timeout_s``; returns whether a broker was running."""
        state = self.status()
        if state is None or state.pid is None:
            return False
        ours = self._proc if self._proc is not None and self._proc.pid == state.pid else None
        _terminate(state.pid, self.settings.stop_timeout_s, ours)
        self._write_state(replace(state, pid=None))
        return True

    def secured_listeners(self) -> Secured:
        """Ports, certificates and users of the secured listeners (``secured=True``, prepared)."""
        state = self._read_state()
        if state is None or state.sasl_ssl_port is None or state.ssl_port is None:
            raise BrokerError(f"the broker in {self.dir} has no secured listeners: "
                              "start it with secured=True")
        java = toolchain.find_java()
        return Secured(state.sasl_ssl_port, state.ssl_port, ensure_tls(self.dir / "tls", java),
                       ensure_users(self.dir / "sasl.json"))

    def log_tail(self, lines: int = 15) -> str:
        return log_tail(self.log_file, lines)

    # -- steps ---------------------------------------------------------------------------------
    def _prepare(self, java: str, libs: Path) -> BrokerState:
        self.dir.mkdir(parents=True, exist_ok=True)
        state = self._read_state() or BrokerState(
            self.settings.port or config.free_port(),
            self.settings.controller_port or config.free_port(),
        )
        state = replace(state, pid=None, kafka_version=self.settings.kafka_version)
        secured = self._secured(java, state) if self.secured else None
        state = replace(state, sasl_ssl_port=secured.sasl_ssl_port if secured else None,
                        ssl_port=secured.ssl_port if secured else None)
        for port in (state.port, state.controller_port, state.sasl_ssl_port, state.ssl_port):
            if port is not None and config.port_in_use(port):
                raise BrokerError(
                    f"port {port} on 127.0.0.1 is in use by another process: stop it, or set "
                    f"AFTERSHOCK_BROKER__PORT / AFTERSHOCK_BROKER__CONTROLLER_PORT, or remove {self.dir}"
                )
        props = self.dir / "server.properties"
        props.write_text(config.server_properties(state.port, state.controller_port, self.dir / "data",
                                                  secured))
        props.chmod(0o600)  # holds the keystore password and the PLAIN users
        log4j = resources.files("aftershock.broker") / "log4j2.properties"
        (self.dir / "log4j2.properties").write_text(log4j.read_text())
        if not (self.dir / "data" / "meta.properties").exists():
            self._format(java, libs, props, secured.format_args() if secured else [])
        self._write_state(state)
        return state

    def _secured(self, java: str, state: BrokerState) -> Secured:
        """The secured listeners' ports (kept once chosen), certificates and users."""
        users = self.dir / "sasl.json"
        if not users.exists() and (self.dir / "data" / "meta.properties").exists():
            raise BrokerError(f"the broker's storage in {self.dir} was formatted without the SCRAM "
                              "users of the secured listeners: use a new state folder")
        if not (self.dir / "tls").exists():
            self.progress(f"making the secured listeners' certificates in {self.dir / 'tls'}")
        return Secured(state.sasl_ssl_port or config.free_port(), state.ssl_port or config.free_port(),
                       ensure_tls(self.dir / "tls", java), ensure_users(users))

    def _java_cmd(self, java: str, libs: Path) -> list[str]:
        return [
            java, f"-Xmx{self.settings.heap}", "-Xms128m", "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.dir / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.dir}", "-cp", f"{libs}/*",
        ]

    def _format(self, java: str, libs: Path, props: Path, extra: list[str]) -> None:
        cmd = self._java_cmd(java, libs) + [
            "kafka.tools.StorageTool", "format", "--standalone",
            "--cluster-id", config.cluster_id(), "--config", str(props), *extra,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-10:])
            raise BrokerError(f"formatting the broker's storage in {self.dir} failed:\n{tail}")

    def _launch(self, java: str, libs: Path, state: BrokerState) -> BrokerState:
        offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        with self.log_file.open("ab") as log:
            self._proc = subprocess.Popen(
                [*self._java_cmd(java, libs), "kafka.Kafka", str(self.dir / "server.properties")],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        state = replace(state, pid=self._proc.pid)
        self._write_state(state)
        try:
            self._wait_started(offset)
            wait_ready(state.bootstrap, self.settings.start_timeout_s)
        except BrokerError:
            _terminate(self._proc.pid, 5.0, self._proc)
            self._write_state(replace(state, pid=None))
            raise
        return state

    def _wait_started(self, offset: int) -> None:
        if self._proc is None:
            raise BrokerError("internal: the broker process was not started")
        deadline = time.monotonic() + self.settings.start_timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise BrokerError(
                    f"the broker exited with status {self._proc.returncode} while starting "
                    f"(log: {self.log_file}); last lines:\n{self.log_tail()}"
                )
            with self.log_file.open("rb") as log:
                log.seek(offset)
                if READY_LINE in log.read():
                    return
            time.sleep(0.2)
        raise BrokerError(
            f"the broker did not start within {self.settings.start_timeout_s:.0f}s "
            f"(log: {self.log_file}); last lines:\n{self.log_tail()}"
        )

    # -- state file ----------------------------------------------------------------------------
    def _read_state(self) -> BrokerState | None:
        try:
            return BrokerState(**json.loads(self._state_file.read_text()))
        except FileNotFoundError:
            return None
        except (ValueError, TypeError) as exc:
            raise BrokerError(f"{self._state_file} is unreadable ({exc}): remove it") from exc

    def _write_state(self, state: BrokerState) -> None:
        tmp = self._state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(state)))
        tmp.replace(self._state_file)


def wait_ready(bootstrap: str, timeout_s: float) -> None:
    """Block until an admin round trip (list topics) succeeds against ``bootstrap``."""
    from kafka import KafkaAdminClient

    from aftershock.kafka_client import client_config

    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            admin = KafkaAdminClient(**client_config(KafkaSettings(), bootstrap), request_timeout_ms=5000)
            try:
                admin.list_topics()
                return
            finally:
                admin.close()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready yet"
            last = exc
            time.sleep(0.5)
    raise BrokerError(f"no admin round trip with {bootstrap} within {timeout_s:.0f}s: {last}")


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no log yet)"
    return "\n".join(text.strip().splitlines()[-lines:])


def _alive(pid: int) -> bool:
    """True when ``pid`` runs and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _terminate(pid: int, timeout_s: float, proc: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM ``pid``, SIGKILL it after ``timeout_s``; reap it when we started it (``proc``)."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    if proc is not None:
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    if _alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
