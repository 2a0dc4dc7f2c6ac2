"""Where the lake is: ``--lake`` if given, else ``AFTERSHOCK_LAKE__DIR`` (default ``./lake``).

Commands that write (ingest, backfill, ``import --lake``, ``simulate --lake``) create the folder;
commands that read (report, postmortem, query, rules, verify, compact, dashboards) refuse a
missing one with the same error and exit code 5."""

from __future__ import annotations

from pathlib import Path

from aftershock.errors import LakeError
from aftershock.settings import Settings


def resolve_lake(arg: Path | str | None, settings: Settings, *, create: bool = False) -> Path:
    """The lake folder for a command: created when ``create``, else it must exist."""
    lake = Path(arg) if arg is not None else Path(settings.lake.dir)
    if create:
        try:
            lake.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LakeError(f"cannot create lake folder {lake} ({exc.strerror}): pass --lake "
                            "with a writable folder or set AFTERSHOCK_LAKE__DIR") from exc
        return lake
    if not lake.is_dir():
        raise LakeError(f"lake folder {lake} does not exist (--lake / AFTERSHOCK_LAKE__DIR): land "
                        "events first (aftershock ingest run, import --lake, simulate --lake) or "
                        "pass --lake")
    return lake
