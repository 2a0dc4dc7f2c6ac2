"""The lake on a loopback S3 API (moto's server) against the same lake in a local folder, in one
run: landing throughput, reading time, report time, and commits per second with 1, 2 and 4
writers on one bucket (how commit contention grows).

Run: python bench/object_store.py [--batches 20] [--batch 5000] [--commits 150] [--days 14]

- Landing: the same batches of ``change`` events are landed alternately through ``LakeWriter``
  (local folder, flock manifest, witness file) and ``ObjectLakeWriter`` (bucket, create-only
  entries, object witness in another prefix), both signing heads; events/s of each, and the S3
  requests per commit by kind (counted on the store).
- Reading: open the views and run a full scan and a grouped query, local files against the
  objects through s3fs and through pyarrow's S3 filesystem (best of three each).
- Report: ``aftershock simulate --days D --seed 1`` into a folder and into the bucket, then
  ``aftershock report`` on each, in process: cold (``--refresh-model``: the model is built from
  the lake's objects) and warm (the stored model of the unchanged lake, in the folder's
  ``_model/`` or the bucket's local cache), on the folder and on the bucket through pyarrow and
  through s3fs (``AFTERSHOCK_LAKE__S3_READER``); the order rotates between rounds, best of
  ``--rounds`` each.
- Contention: N processes each commit ``--commits`` small ``add`` entries (their own partition,
  with intent and head in the object witness) to one fresh bucket, starting together; commits/s
  over all (first start to last end) and lost races per commit.

The loopback server answers in well under a millisecond; see bench/RESULTS.md for how the
figures extrapolate to a real bucket.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from ingest_data import EVENT_TYPES, raw_events, say

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aftershock.settings import IngestSettings  # noqa: E402
from lake.files import WrittenFile  # noqa: E402
from lake.manifest import Manifest  # noqa: E402
from lake.object_manifest import ObjectManifest  # noqa: E402
from lake.object_reader import open_object_lake  # noqa: E402
from lake.object_witness import ObjectWitness  # noqa: E402
from lake.object_writer import ObjectLakeWriter  # noqa: E402
from lake.reader import open_lake  # noqa: E402
from lake.storage import S3Store  # noqa: E402
from lake.witness import Witness  # noqa: E402
from lake.writer import Batch, LakeWriter  # noqa: E402
from schemas.event import parse_event  # noqa: E402
from tests.s3_fixture import CREDENTIALS, s3_server  # noqa: E402

QUERIES = {"full scan": "SELECT count(*), count(DISTINCT event_id) FROM change",
           "grouped": "SELECT service_name, date_trunc('hour', occurred_at) AS h, count(*) "
                      "FROM change GROUP BY ALL ORDER BY ALL"}


class Counting:
    """A store that counts the requests made through it, by operation."""

    def __init__(self, real: S3Store) -> None:
        self.real, self.calls = real, Counter[str]()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.real, name)
        if name in ("read", "keys", "put", "create", "delete", "modified"):
            def counted(*args: Any, **kwargs: Any) -> Any:
                self.calls[name] += 1
                return attr(*args, **kwargs)
            return counted
        return attr


def land(args: argparse.Namespace, tmp: Path, bucket: str) -> tuple[S3Store, Path]:
    raw = raw_events(args.batch * len(EVENT_TYPES))
    events = [parse_event(body) for t, body in raw if t == "change"][: args.batch]
    key = Ed25519PrivateKey.generate()
    local = LakeWriter(tmp / "lake", IngestSettings())
    local.manifest = Manifest(tmp / "lake", Witness(tmp / "anchors", tmp / "lake", key))
    store = S3Store(bucket, "lake")
    counting = Counting(store)
    remote = ObjectLakeWriter(counting, IngestSettings(),  # type: ignore[arg-type]
                              ObjectWitness(S3Store(bucket, "anchors"), store.url, key))
    seconds = {"local": 0.0, "s3": 0.0}
    for i in range(args.batches):
        pair: list[tuple[str, Any]] = [("local", local), ("s3", remote)]
        for name, writer in pair if i % 2 else pair[::-1]:  # neither always goes first
            offsets = list(range(i * args.batch, (i + 1) * args.batch))
            batch = Batch("audit.changes", 0, offsets[0], offsets[-1] + 1, events, offsets)
            began = time.perf_counter()
            writer.land(batch)
            seconds[name] += time.perf_counter() - began
    total = args.batches * args.batch
    rates = {k: total / v for k, v in seconds.items()}
    say(f"landing {args.batches} batches of {args.batch} events: local {rates['local']:,.0f} "
        f"events/s, loopback S3 {rates['s3']:,.0f} events/s (ratio {rates['s3'] / rates['local']:.2f}); "
        f"per commit on S3: {per_commit(counting.calls, args.batches)}")
    return store, tmp / "lake"


def per_commit(calls: Counter[str], commits: int) -> str:
    return ", ".join(f"{op} {n / commits:.1f}" for op, n in sorted(calls.items()))


def read(store: S3Store, lake: Path) -> None:
    openers = {"local": lambda: open_lake(lake, tables=["change"]),
               "s3 via s3fs": lambda: open_object_lake(store, tables=["change"], via="s3fs"),
               "s3 via pyarrow": lambda: open_object_lake(store, tables=["change"], via="pyarrow")}
    for name, opener in openers.items():
        best: dict[str, float] = {}
        for _ in range(3):
            began = time.perf_counter()
            con = opener()
            timings = {"open": time.perf_counter() - began}
            for label, sql in QUERIES.items():
                began = time.perf_counter()
                con.execute(sql).fetchall()
                timings[label] = time.perf_counter() - began
            con.close()
            best = {k: min(v, best.get(k, v)) for k, v in timings.items()}
        say(f"reading, {name}: " + ", ".join(f"{k} {v * 1000:,.0f} ms" for k, v in best.items()))


def report(args: argparse.Namespace, tmp: Path, bucket: str) -> None:
    from aftershock.cli import main as cli

    local, url = str(tmp / "org"), f"s3://{bucket}/org"
    for lake in (local, url):
        _quiet(cli, ["simulate", "--days", str(args.days), "--seed", "1", "--lake", lake])
    lakes = {"local": (local, "pyarrow"), "s3 via pyarrow": (url, "pyarrow"), "s3 via s3fs": (url, "s3fs")}
    best: dict[tuple[str, str], float] = {}
    names = list(lakes)
    for round_number in range(args.rounds):
        for name in names[round_number % 3:] + names[:round_number % 3]:
            lake, via = lakes[name]
            os.environ["AFTERSHOCK_LAKE__S3_READER"] = via
            for kind, extra in (("cold", ["--refresh-model"]), ("warm", [])):
                began = time.perf_counter()
                _quiet(cli, ["report", "--lake", lake, "--format", "json", *extra])
                spent = time.perf_counter() - began
                best[name, kind] = min(spent, best.get((name, kind), spent))
    for name in names:
        say(f"report ({args.days} simulated days), {name}: cold {best[name, 'cold'] * 1000:,.0f} ms, "
            f"warm {best[name, 'warm'] * 1000:,.0f} ms")


def _quiet(cli: Any, argv: list[str]) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli(argv)
    if code != 0:
        raise SystemExit(f"aftershock {' '.join(argv)} failed ({code}): {out.getvalue()[-2000:]}")


def _commit(bucket: str, partition: int, commits: int, start_at: float) -> tuple[float, float, int]:
    """Commit ``commits`` entries (with their intents and heads) once every writer is ready;
    returns when the loop began and ended (wall clock) and the races lost."""
    store = S3Store(bucket, "lake")
    manifest = ObjectManifest(store, ObjectWitness(S3Store(bucket, "anchors"), store.url))
    ref = [WrittenFile("event_type=change/date=2026-12-01/x.parquet", "0" * 64, 1, 1, "change")]
    manifest.refresh()  # connects before the clock starts
    time.sleep(max(0.0, start_at - time.time()))
    began = time.time()
    for n in range(commits):
        manifest.append_add(("bench", partition), n, n + 1, ref)
    return began, time.time(), manifest.races


def contention(args: argparse.Namespace) -> None:
    import boto3

    for writers in (1, 2, 4):
        bucket = f"contention-{writers}-{os.getpid()}"
        boto3.client("s3").create_bucket(Bucket=bucket)
        with multiprocessing.get_context("spawn").Pool(writers) as pool:
            start_at = time.time() + 15  # after every process has started and connected
            runs = pool.starmap(_commit, [(bucket, p, args.commits, start_at) for p in range(writers)])
        elapsed = max(r[1] for r in runs) - min(r[0] for r in runs)
        commits = writers * args.commits
        say(f"contention, {writers} writer(s): {commits / elapsed:,.0f} commits/s "
            f"({commits} commits in {elapsed:.1f} s), lost races {sum(r[2] for r in runs) / commits:.2f} "
            "per commit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--commits", type=int, default=150)
    parser.add_argument("--days", type=int, default=14, help="simulated days of the report lake")
    parser.add_argument("--rounds", type=int, default=3, help="report runs of each kind")
    args = parser.parse_args()
    os.environ.update(CREDENTIALS)
    say(f"load average at start: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp, s3_server(Path(tmp) / "moto.log") as endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        os.environ["XDG_STATE_HOME"] = str(Path(tmp) / "state")  # anchors and model digests
        os.environ["AFTERSHOCK_LAKE__CACHE_DIR"] = str(Path(tmp) / "cache")
        import boto3

        boto3.client("s3").create_bucket(Bucket="bench")
        store, lake = land(args, Path(tmp), "bench")
        read(store, lake)
        report(args, Path(tmp), "bench")
        say(f"load average after the report runs: {os.getloadavg()}")
        contention(args)
    say(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
