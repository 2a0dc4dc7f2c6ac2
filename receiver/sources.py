"""The sources the receiver takes deliveries from: how each is verified, which adapter maps it,
and which header carries its delivery id (kept for the dedupe horizon)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from aftershock.settings import WebhooksSettings, secrets_of
from receiver import signatures
from receiver.signatures import Verdict

Check = Callable[[Mapping[str, str], bytes, Sequence[bytes]], Verdict]


@dataclass(frozen=True)
class Source:
    name: str  # as in the URL: POST /webhooks/<name>
    adapter: str | None  # adapters.registry name; None: native aftershock events
    check: Check
    secret_setting: str  # the setting that holds its secret(s)
    delivery_headers: tuple[str, ...]  # first present one is the delivery id
    secrets: tuple[bytes, ...] = ()


_GENERIC = ("Idempotency-Key",)
_SOURCES: tuple[Source, ...] = (
    Source("github", "github", signatures.github, "GITHUB_SECRET", ("X-GitHub-Delivery", *_GENERIC)),
    Source("gitlab", "gitlab", signatures.gitlab, "GITLAB_TOKEN",
           ("Idempotency-Key", "X-Gitlab-Event-UUID")),
    Source("pagerduty", "pagerduty", signatures.pagerduty, "PAGERDUTY_SECRET",
           ("X-Webhook-Id", *_GENERIC)),
    Source("opsgenie", "opsgenie", signatures.bearer, "OPSGENIE_TOKEN", _GENERIC),
    Source("cdevents", "cdevents", signatures.bearer, "CDEVENTS_TOKEN", ("Ce-Id", *_GENERIC)),
    Source("claude-code", "claude-code", signatures.bearer, "CLAUDE_CODE_TOKEN", _GENERIC),
    Source("aftershock", None, signatures.bearer, "AFTERSHOCK_TOKEN", _GENERIC),
)
NAMES = tuple(source.name for source in _SOURCES)


def configured(settings: WebhooksSettings) -> dict[str, Source]:
    """Every source with the secrets its settings hold (none: refused unless allowed unsigned)."""
    values = {
        "github": settings.github_secret, "gitlab": settings.gitlab_token,
        "pagerduty": settings.pagerduty_secret, "opsgenie": settings.opsgenie_token,
        "cdevents": settings.cdevents_token, "claude-code": settings.claude_code_token,
        "aftershock": settings.aftershock_token,
    }
    out: dict[str, Source] = {}
    for source in _SOURCES:
        check = source.check
        if source.name == "opsgenie" and settings.opsgenie_header:
            check = _named_header(settings.opsgenie_header)
        out[source.name] = Source(source.name, source.adapter, check, source.secret_setting,
                                  source.delivery_headers, tuple(secrets_of(values[source.name])))
    return out


def _named_header(name: str) -> Check:
    def check(headers: Mapping[str, str], body: bytes, tokens: Sequence[bytes]) -> Verdict:
        return signatures.token_header(name, headers, tokens)

    return check


def delivery_id(source: Source, headers: Mapping[str, str]) -> str | None:
    """The sender's id of this delivery (the same on every retry), if it sends one."""
    lowered = {key.lower(): value for key, value in headers.items()}
    for name in source.delivery_headers:
        value = lowered.get(name.lower(), "").strip()
        if value:
            return value[:256]
    return None

