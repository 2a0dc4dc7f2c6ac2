"""The receiver as a real subprocess (``aftershock serve webhooks --port 0``) and real HTTP to it."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# test secrets (GitHub's is the one of its documented test vector)
GITHUB_SECRET = "It's a Secret to Everybody"  # noqa: S105
OLD_GITHUB_SECRET = "old-github-secret"  # noqa: S105
GITLAB_TOKEN = "gitlab-token-1"  # noqa: S105
PAGERDUTY_SECRETS = ("pd-secret-old", "pd-secret-new")
OPSGENIE_HEADER, OPSGENIE_TOKEN = "X-Team-Token", "opsgenie-token-1"
BEARER = "bearer-token-1"


def secrets_env() -> dict[str, str]:
    """Every source configured; GitHub and PagerDuty with two secrets each (rotation)."""
    return {
        "AFTERSHOCK_WEBHOOKS__GITHUB_SECRET": f"{OLD_GITHUB_SECRET},{GITHUB_SECRET}",
        "AFTERSHOCK_WEBHOOKS__GITLAB_TOKEN": GITLAB_TOKEN,
        "AFTERSHOCK_WEBHOOKS__PAGERDUTY_SECRET": ",".join(PAGERDUTY_SECRETS),
        "AFTERSHOCK_WEBHOOKS__OPSGENIE_HEADER": OPSGENIE_HEADER,
        "AFTERSHOCK_WEBHOOKS__OPSGENIE_TOKEN": OPSGENIE_TOKEN,
        "AFTERSHOCK_WEBHOOKS__CDEVENTS_TOKEN": BEARER,
        "AFTERSHOCK_WEBHOOKS__CLAUDE_CODE_TOKEN": BEARER,
    }


def hmac_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_headers(source: str, body: bytes, name: str = "") -> dict[str, str]:
    """The headers a correctly configured sender puts on ``body`` (``name``: the capture's file name)."""
    if source == "github":
        return {"X-GitHub-Event": name.split(".")[0],
                "X-Hub-Signature-256": "sha256=" + hmac_hex(GITHUB_SECRET, body)}
    if source == "gitlab":
        return {"X-Gitlab-Token": GITLAB_TOKEN}
    if source == "pagerduty":
        return {"X-PagerDuty-Signature": ",".join(f"v1={hmac_hex(s, body)}" for s in PAGERDUTY_SECRETS)}
    if source == "opsgenie":
        return {OPSGENIE_HEADER: OPSGENIE_TOKEN}
    return {"Authorization": f"Bearer {BEARER}"}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.body)  # type: ignore[no-any-return]


class Receiver:
    """``aftershock serve webhooks`` in its own process, on a free loopback port."""

    def __init__(self, env: Mapping[str, str], log: Path) -> None:
        base = {k: v for k, v in os.environ.items()
                if not k.startswith("AFTERSHOCK_") and k != "KAFKA_BOOTSTRAP_SERVERS"}
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "aftershock", "serve", "webhooks", "--port", "0"],
                cwd=REPO, env=base | dict(env), stdout=out, stderr=out)
        self.port = self._wait_port()

    def _wait_port(self, timeout_s: float = 60) -> int:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            text = self.log.read_text(errors="replace")
            found = re.findall(r"listening on http://127\.0\.0\.1:(\d+)", text)
            if found:
                return int(found[-1])
            if self.proc.poll() is not None:
                raise AssertionError(f"receiver exited {self.proc.returncode}: {text[-3000:]}")
            time.sleep(0.05)
        raise AssertionError(f"receiver did not start: {self.log.read_text()[-3000:]}")

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: Mapping[str, str] | None = None, chunked: bool = False) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=iter([body]) if chunked and body else body,
                         headers=dict(headers or {}), encode_chunked=chunked)
            response = conn.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            conn.close()

    def post(self, source: str, body: bytes, headers: Mapping[str, str] | None = None,
             chunked: bool = False) -> Reply:
        return self.request("POST", f"/webhooks/{source}", body, headers, chunked)

    def metrics(self) -> dict[str, float]:
        """``name{labels}`` -> value of every sample (prefix removed)."""
        text = self.request("GET", "/metrics").body.decode()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                out[name.removeprefix("aftershock_webhooks_")] = float(value)
        return out

    def wait_metric(self, name: str, predicate: object, timeout_s: float = 90) -> float:
        deadline = time.monotonic() + timeout_s
        while True:
            value = self.metrics().get(name, 0.0)
            if predicate(value):  # type: ignore[operator]
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"{name} = {value} after {timeout_s}s; log: "
                                     f"{self.log.read_text()[-2000:]}")
            time.sleep(0.2)

    def stop(self) -> str:
        """SIGTERM, then the log."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.log.read_text(errors="replace")
