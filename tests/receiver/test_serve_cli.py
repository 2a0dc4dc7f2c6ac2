"""``aftershock serve webhooks`` refuses bad settings on one line with exit 2 (real processes)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from aftershock.settings import Settings
from receiver.sources import configured
from tests.receiver.helpers import REPO


def serve(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSHOCK_")}
    return subprocess.run([sys.executable, "-m", "aftershock", "serve", "webhooks", *args], cwd=REPO,
                          env=base | env, capture_output=True, text=True, timeout=60, check=False)


def test_unsigned_sources_are_refused_off_loopback(tmp_path: Path) -> None:
    done = serve({"AFTERSHOCK_WEBHOOKS__ALLOW_UNSIGNED": "github",
                  "AFTERSHOCK_WEBHOOKS__SPOOL_DIR": str(tmp_path)}, "--host", "0.0.0.0")  # noqa: S104
    assert done.returncode == 2
    assert done.stderr.startswith("aftershock: AFTERSHOCK_WEBHOOKS__ALLOW_UNSIGNED (github) is for loopback")
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("name", "value", "words"), [
    ("ALLOW_UNSIGNED", "github,jenkins", "unknown sources ['jenkins']"),
    ("OPSGENIE_TOKEN", "t", "OPSGENIE_HEADER and AFTERSHOCK_WEBHOOKS__OPSGENIE_TOKEN go together"),
    ("MAX_BODY_BYTES", "ten", "AFTERSHOCK_WEBHOOKS__MAX_BODY_BYTES"),
])
def test_bad_settings_name_their_variable(name: str, value: str, words: str, tmp_path: Path) -> None:
    done = serve({f"AFTERSHOCK_WEBHOOKS__{name}": value})
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = serve({"AFTERSHOCK_WEBHOOKS__SPOOL_DIR": str(tmp_path),
                      "AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS": "127.0.0.1:9"}, "--port", str(port))
    assert done.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in done.stderr, done.stderr


def test_rotation_secrets_are_split_and_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AFTERSHOCK_WEBHOOKS__GITHUB_SECRET", " s1 , s2,")
    monkeypatch.setenv("AFTERSHOCK_WEBHOOKS__PAGERDUTY_SECRET", "p1")
    settings = Settings()
    sources = configured(settings.webhooks)
    assert sources["github"].secrets == (b"s1", b"s2")
    assert sources["pagerduty"].secrets == (b"p1",) and sources["gitlab"].secrets == ()
    assert "s1" not in repr(settings) and "p1" not in repr(settings.webhooks)
