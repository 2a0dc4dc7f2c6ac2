"""Checkpoints of a lake on object storage: the state after every ``EVERY``-th entry, so a new
reader lists and reads the entries after the newest checkpoint instead of all of them.

``_manifest/checkpoints/<seq, 20 digits>.json`` holds the :class:`lake.manifest.State` after
entry ``seq`` (head, lake id, partition positions, live files), created create-only by the
writer that committed that entry, right after it (a writer killed in between leaves none: the
reader then starts from the one before). A checkpoint is a shortcut, not a record: the entries
stay, the next entry must chain onto the checkpoint's head (so a forged head stops the reader),
and ``verify`` replays every entry and reports a checkpoint that differs from the replay.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lake.manifest import State, canonical
from lake.storage import Store

CHECKPOINTS = "_manifest/checkpoints/"
EVERY = 500
_KEY = re.compile(r"_manifest/checkpoints/(\d{20})\.json")


def checkpoint_key(seq: int) -> str:
    return f"{CHECKPOINTS}{seq:020d}.json"


def encode(state: State) -> bytes:
    return canonical(summary(state)) + b"\n"


def summary(state: State) -> dict[str, Any]:
    """What a checkpoint holds (also what verify compares a replay with)."""
    return {"seq": state.seq, "head": state.head, "lake_id": state.lake_id,
            "positions": sorted([t, p, n] for (t, p), n in state.positions.items()),
            "live": state.live}


def decode(data: bytes) -> State:
    body = json.loads(data)
    return State(seq=body["seq"], head=body["head"], lake_id=body["lake_id"],
                 positions={(t, p): n for t, p, n in body["positions"]}, live=body["live"])


def write(store: Store, state: State) -> None:
    """Record ``state`` if its entry is a checkpoint's (create-only: a copy there is kept)."""
    if state.seq % EVERY == 0 and state.seq > 0:
        store.create(checkpoint_key(state.seq), encode(state))


def saved(store: Store) -> list[tuple[int, str]]:
    """(seq, key) of every checkpoint, oldest first."""
    found = []
    for key in store.keys(CHECKPOINTS):
        match = _KEY.fullmatch(key)
        if match is not None:
            found.append((int(match.group(1)), key))
    return found


def latest(store: Store) -> State | None:
    """The state of the newest checkpoint (None: none yet)."""
    found = saved(store)
    return decode(store.read(found[-1][1])) if found else None
