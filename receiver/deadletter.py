"""The dead letter of a delivery that cannot become events: its raw bytes (secrets redacted, cut to
fit one Kafka record) and the reason, for the dead-letter topic.

Headers follow the ingest worker's (Kafka Connect's dead-letter-queue convention)::

    __connect.errors.topic                   webhook:<source>
    __connect.errors.exception.class.name    error class
    __connect.errors.exception.message       one-line reason (redacted)
    __connect.errors.reason                  not_json | unmapped | invalid | oversized_event
    aftershock.raw.sha256                    SHA-256 of the body as received (hex)
    aftershock.raw.bytes                     its length; longer than the value when it was cut
    aftershock.webhook.delivery_id           the sender's delivery id (empty when none)
    aftershock.webhook.received_at           RFC 3339, UTC
    aftershock.webhook.signature             verified | unsigned
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from aftershock.sdk.spool import SpooledRecord
from schemas.redaction import redact_text

MAX_RAW_BYTES = 900_000  # a dead letter stays one record under Kafka's default 1 MiB request


@dataclass(frozen=True)
class Receipt:
    """What the receiver knows of one delivery, kept with every event and dead letter of it."""

    source: str
    delivery_id: str | None
    received_at: datetime
    signature: str  # verified | unsigned

    def attributes(self) -> dict[str, str]:
        out = {"webhook_source": self.source, "webhook_received_at": self.received_at.isoformat(),
               "webhook_signature": self.signature}
        if self.delivery_id:
            out["webhook_delivery_id"] = self.delivery_id
        return out


def redacted_raw(raw: bytes) -> bytes:
    """``raw`` with secrets replaced by ``[REDACTED:<kind>]`` (as received when none is found)."""
    text = raw.decode(errors="replace")
    clean, found = redact_text(text)
    return clean.encode() if found else raw


def dead_letter(topic: str, receipt: Receipt, raw: bytes, reason: str, error: Exception) -> SpooledRecord:
    value = redacted_raw(raw)[:MAX_RAW_BYTES]  # redacted whole: a cut never halves a secret
    message = redact_text(" ".join(str(error).split()))[0][:2000]
    headers = (
        ("__connect.errors.topic", f"webhook:{receipt.source}".encode()),
        ("__connect.errors.exception.class.name", type(error).__name__.encode()),
        ("__connect.errors.exception.message", message.encode()),
        ("__connect.errors.reason", reason.encode()),
        ("aftershock.raw.sha256", hashlib.sha256(raw).hexdigest().encode()),
        ("aftershock.raw.bytes", str(len(raw)).encode()),
        ("aftershock.webhook.delivery_id", (receipt.delivery_id or "").encode()),
        ("aftershock.webhook.received_at", receipt.received_at.isoformat().encode()),
        ("aftershock.webhook.signature", receipt.signature.encode()),
    )
    key = receipt.delivery_id.encode() if receipt.delivery_id else None
    return SpooledRecord(topic, key, value, headers)
