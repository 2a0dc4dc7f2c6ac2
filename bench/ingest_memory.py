"""Peak memory of the ingest worker draining a backlog (target: peak RSS < 300 MB).

Run: python bench/ingest_memory.py [--events 1000000] [--bootstrap HOST:PORT] [--prefix P]
Runs ``aftershock ingest run --until-idle`` as a child process over a backlog of ``--events``
and prints its peak resident set size (ru_maxrss of the child) next to the size of the backlog.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from ingest_data import backlog, broker, say

from aftershock.settings import KafkaSettings

LIMIT_MB = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--bootstrap", default=None)
    parser.add_argument("--prefix", default=None, help="reuse the audit topics of this prefix")
    args = parser.parse_args()
    with broker(args.bootstrap) as bootstrap, tempfile.TemporaryDirectory() as tmp:
        kafka = KafkaSettings(topic_prefix=args.prefix or f"mem{uuid.uuid4().hex[:8]}.")
        held = backlog(bootstrap, kafka, args.events)
        say(f"backlog: {held:,} events; draining with the worker...")
        env = {k: v for k, v in os.environ.items()  # AFTERSHOCK_INGEST__* pass through
               if not k.startswith("AFTERSHOCK_") or k.startswith("AFTERSHOCK_INGEST__")}
        env |= {"AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS": bootstrap,
                "AFTERSHOCK_KAFKA__TOPIC_PREFIX": kafka.topic_prefix,
                "AFTERSHOCK_INGEST__GROUP_ID": f"mem-{uuid.uuid4().hex}",
                "AFTERSHOCK_INGEST__PROGRESS_INTERVAL_S": "30"}
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "aftershock", "ingest", "run", "--lake",
                        str(Path(tmp) / "lake"), "--until-idle", "3"], env=env, check=True)
        took = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"backlog                {held:,} events")
    print(f"worker wall time       {took:.1f} s")
    print(f"worker peak RSS        {peak_mb:.0f} MB   (limit {LIMIT_MB} MB: "
          f"{'ok' if peak_mb < LIMIT_MB else 'OVER'}; ratio {peak_mb / LIMIT_MB:.2f} of the limit)")


if __name__ == "__main__":
    main()
