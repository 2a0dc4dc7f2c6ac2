"""Subcommands of ``receiver`` (argparse only: nothing heavy is imported here)."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Add ``aftershock serve webhooks`` to the ``aftershock`` parser."""
    serve = sub.add_parser("serve", help="run a long-lived service (webhooks)",
                           description="Run a long-lived service.")
    services = serve.add_subparsers(dest="service", metavar="SERVICE", required=True)
    hooks = services.add_parser(
        "webhooks",
        help="receive webhooks of GitHub, GitLab, PagerDuty, Opsgenie, CDEvents, Claude Code hooks",
        description="Receive webhook deliveries on POST /webhooks/{source} (github, gitlab, pagerduty, "
        "opsgenie, cdevents, claude-code, aftershock), verify each as its sender documents it, "
        "dedupe by the sender's delivery id, map it to audit events and append them to an fsync'd "
        "spool before answering 2xx; a thread sends the spool to Kafka (kept while the broker is "
        "down). GET /healthz, /readyz and /metrics (Prometheus). Secrets and limits: "
        "AFTERSHOCK_WEBHOOKS__* (receiver/README.md). SIGTERM or Ctrl-C stops it; what is not sent "
        "yet stays in the spool for the next start.",
    )
    hooks.add_argument("--host", help="address to listen on (default AFTERSHOCK_WEBHOOKS__HOST, "
                       "127.0.0.1)")
    hooks.add_argument("--port", type=int, help="port (default AFTERSHOCK_WEBHOOKS__PORT, 8787; 0 picks "
                       "a free one, printed at start)")
    hooks.set_defaults(handler="receiver.serve:run")
