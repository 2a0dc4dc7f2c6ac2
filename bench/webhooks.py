"""Webhook receiver throughput and latency on loopback: signed GitHub deliveries, broker up and broker
down (spool only), against the same server answering a no-op route in the same run.

    python bench/webhooks.py [--seconds 10] [--clients 8]

Starts a local broker in a temporary state folder and two receivers (the production application
with one extra route, ``POST /bench/noop``, that reads the body and answers 202): one sending to
that broker, one pointed at a closed port (everything stays in the spool). Each phase runs
``--clients`` keep-alive connections in threads of this process for ``--seconds`` and prints
requests/s and p50/p99 latency, then the ratios against the no-op route. Loopback only; the
benchmark's temporary folders are removed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL_PUSH = ROOT.parent / "shared" / "real-events" / "github" / "push.single-commit.json"
SECRET = "bench-secret"  # noqa: S105


def serve() -> None:
    """The receiver as ``aftershock serve webhooks`` runs it, plus the no-op route (child process)."""
    import uvicorn
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from aftershock.settings import load_settings
    from receiver.serve import _app, _bind

    async def noop(request: Request) -> Response:
        await request.body()
        return JSONResponse({"status": "accepted"}, 202)

    settings = load_settings()
    sock = _bind("127.0.0.1", 0)
    app = _app(settings, sock)
    app.router.routes.append(Route("/bench/noop", noop, methods=["POST"]))
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])


def start_receiver(bootstrap: str, work: Path, name: str) -> tuple[subprocess.Popen[bytes], int]:
    log = work / f"{name}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSHOCK_")} | {
        "AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS": bootstrap,
        "AFTERSHOCK_KAFKA__TOPIC_PREFIX": f"bench{uuid.uuid4().hex[:8]}.",
        "AFTERSHOCK_WEBHOOKS__SPOOL_DIR": str(work / name),
        "AFTERSHOCK_WEBHOOKS__GITHUB_SECRET": SECRET,
    }
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, __file__, "--serve"], env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", log.read_text())
        if found:
            return proc, int(found.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise SystemExit(f"receiver did not start: {log.read_text()[-2000:]}")


def run_phase(port: int, path: str, body: bytes, headers: dict[str, str], seconds: float,
              clients: int) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) of ``clients`` keep-alive connections posting for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    stop_at = time.monotonic() + seconds

    def client(mine: list[float]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            conn.request("POST", path, body, headers | {"X-GitHub-Delivery": uuid.uuid4().hex})
            response = conn.getresponse()
            response.read()
            if response.status != 202:
                raise SystemExit(f"{path}: HTTP {response.status}")
            mine.append(time.perf_counter() - start)
        conn.close()

    threads = [threading.Thread(target=client, args=(lat,)) for lat in latencies]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    every = sorted(x for lat in latencies for x in lat)
    return len(every) / elapsed, every[len(every) // 2] * 1000, every[int(len(every) * 0.99)] * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    from aftershock.broker.local import LocalBroker
    from aftershock.settings import BrokerSettings

    body = REAL_PUSH.read_bytes() if REAL_PUSH.is_file() else json.dumps(
        {"ref": "refs/heads/main", "after": "a" * 40, "before": "b" * 40, "commits": [],
         "repository": {"full_name": "acme/bench", "html_url": "https://example.com"}}).encode()
    headers = {"X-GitHub-Event": "push", "Content-Type": "application/json",
               "X-Hub-Signature-256": "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()}
    print(f"load average at start: {os.getloadavg()[0]:.1f}; body {len(body)} bytes; "
          f"{args.clients} clients x {args.seconds:.0f} s per phase", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as tmp:
        work = Path(tmp)
        broker = LocalBroker(BrokerSettings(state_dir=work / "broker"))
        state, _ = broker.start()
        procs = []
        try:
            up, up_port = start_receiver(state.bootstrap, work, "up")
            down, down_port = start_receiver(f"127.0.0.1:{free_port()}", work, "down")
            procs = [up, down]
            results = {
                "no-op route": run_phase(up_port, "/bench/noop", body, headers, args.seconds, args.clients),
                "github, broker up": run_phase(up_port, "/webhooks/github", body, headers, args.seconds,
                                               args.clients),
                "github, broker down": run_phase(down_port, "/webhooks/github", body, headers,
                                                 args.seconds, args.clients),
            }
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=60)
            broker.stop()
    base = results["no-op route"][0]
    for name, (rate, p50, p99) in results.items():
        print(f"{name:22s} {rate:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:7.2f} ms  "
              f"{rate / base:5.2f}x the no-op route")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
