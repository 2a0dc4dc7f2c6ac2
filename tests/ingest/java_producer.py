"""The Java producer (``java/Producer.java``) run from the broker's own jars, for the tests that
check records of another Kafka client (its codecs, its transactions) land as they should."""

from __future__ import annotations

import select
import subprocess
from collections.abc import Sequence
from pathlib import Path

from aftershock.broker.toolchain import ensure_jars, find_java
from aftershock.settings import BrokerSettings

SOURCE = Path(__file__).with_name("java") / "Producer.java"


def kafka_libs() -> Path:
    """The folder of the local broker's jars (kafka-clients and the codec libraries among them)."""
    settings = BrokerSettings()
    return ensure_jars(settings.cache_dir, settings.kafka_version)


class JavaProducer:
    """One run of the Java producer: ``jobs`` are (compression, mode, records), records being
    (topic, value) pairs; mode plain, commit, abort or open (see the Java source)."""

    def __init__(self, bootstrap: str, jobs: Sequence[tuple[str, str, Sequence[tuple[str, bytes]]]],
                 folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        lines = []
        for n, (compression, mode, records) in enumerate(jobs):
            path = folder / f"records-{n}.tsv"
            path.write_bytes(b"".join(t.encode() + b"\t" + v + b"\n" for t, v in records))
            lines.append(f"{compression} {mode} {path}")
        (folder / "jobs.txt").write_text("\n".join(lines) + "\n")
        self.log = folder / "producer.log"
        with open(self.log, "wb") as err:
            self.process = subprocess.Popen(
                [find_java(), "-cp", f"{kafka_libs()}/*", str(SOURCE), bootstrap, str(folder / "jobs.txt")],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
        self.open = any(mode == "open" for _, mode, _ in jobs)

    def wait_sent(self, timeout_s: float = 120.0) -> None:
        """Wait until every job is sent (and, without open transactions, the program ended)."""
        if self.open:
            assert self._line(timeout_s) == "open", self._failure()
        else:
            self.end(None, timeout_s)

    def end(self, command: str | None, timeout_s: float = 120.0) -> None:
        """End the open transactions (``command`` "commit" or "abort") and wait for the program."""
        out, _ = self.process.communicate(None if command is None else f"{command}\n".encode(),
                                          timeout=timeout_s)
        assert self.process.returncode == 0 and out.decode().split()[-1:] == ["done"], self._failure()

    def _line(self, timeout_s: float) -> str:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout_s)
        return self.process.stdout.readline().decode().strip() if ready else ""

    def _failure(self) -> str:
        return f"Java producer failed (exit {self.process.poll()}):\n{self.log.read_text()[-3000:]}"
