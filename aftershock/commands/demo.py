"""``aftershock demo``: the main job end to end on a real broker.

Starts (or reuses) the broker, sends one event of every type to the audit topics, reads each back
from the partition and offset the broker acknowledged, and checks that what came back is what
was sent.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from typing import Any

from aftershock.errors import BrokerError, ExitCode


def register(sub: Any) -> None:
    demo = sub.add_parser(
        "demo",
        help="run the pipeline end to end on a real broker and print the evidence",
        description="Start or reuse a broker, send one audit event of every type, read each "
        "back by partition and offset, and compare.",
    )
    demo.set_defaults(handler="aftershock.commands.demo:run")


def run(args: argparse.Namespace, settings: Any) -> int:
    from aftershock.broker.resolve import bootstrap_servers
    from aftershock.settings import EVENT_TYPES
    from schemas.examples import example_event

    bootstrap = bootstrap_servers(settings, start_local=True)
    print(f"broker: {bootstrap}")
    events = [example_event(t, event_id=str(uuid.uuid4())) for t in EVENT_TYPES]
    sent = _send(bootstrap, settings, [(settings.kafka.topic_for(e.event_type), e) for e in events])
    back = _read_back(bootstrap, [(topic, part, off) for topic, part, off, _ in sent])
    ok = 0
    for topic, part, off, event in sent:
        got = back.get((topic, part, off))
        same = got is not None and json.loads(got)["event_id"] == event.event_id
        ok += same
        print(f"  {'ok ' if same else 'BAD'} {event.event_type:<14} {topic}[{part}]@{off} "
              f"{event.event_id}")
    print(f"round trip: {len(sent)} sent, {ok} read back identical")
    if ok != len(sent):
        print("aftershock: some events did not come back as sent", file=sys.stderr)
        return ExitCode.BROKER
    return ExitCode.OK


def _send(bootstrap: str, settings: Any, items: list[tuple[str, Any]]) -> list[tuple[str, int, int, Any]]:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", client_id="aftershock-demo")
    try:
        futures = [
            (topic, event, producer.send(topic, key=event.event_id.encode(),
                                         value=event.model_dump_json().encode()))
            for topic, event in items
        ]
        producer.flush(timeout=30)
        sent = []
        for topic, event, future in futures:
            meta = future.get(timeout=30)
            sent.append((topic, meta.partition, meta.offset, event))
        return sent
    finally:
        producer.close()


def _read_back(bootstrap: str, where: list[tuple[str, int, int]]) -> dict[tuple[str, int, int], bytes]:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=10_000, client_id="aftershock-demo")
    try:
        partitions = {TopicPartition(t, p) for t, p, _ in where}
        consumer.assign(list(partitions))
        for topic, part, off in where:
            consumer.seek(TopicPartition(topic, part), off)
        wanted = set(where)
        found: dict[tuple[str, int, int], bytes] = {}
        for record in consumer:
            key = (record.topic, record.partition, record.offset)
            if key in wanted:
                found[key] = record.value
            if len(found) == len(wanted):
                break
        if not found:
            raise BrokerError(f"nothing could be read back from {bootstrap}")
        return found
    finally:
        consumer.close()
