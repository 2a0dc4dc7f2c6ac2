"""Where the lake is: ``--lake`` if given, else ``AFTERSHOCK_LAKE__DIR`` (default ``./lake``).

Commands that write (ingest, backfill, ``import --lake``, ``simulate --lake``) create the folder;
commands that read (report, postmortem, query, rules, verify, compact, dashboards) refuse a
missing one with the same error and exit code 5. ``--lake s3://bucket/prefix`` is a lake on
object storage (:func:`resolve_location`) for the commands that support it so far; the others
refuse it with exit code 5."""

from __future__ import annotations

from pathlib import Path

from aftershock.errors import LakeError
from aftershock.settings import Settings

SCHEME = "s3://"


def resolve_location(arg: Path | str | None, settings: Settings, *,
                     create: bool = False) -> Path | str:
    """The lake of a command that also works on object storage: an ``s3://`` URL as given (its
    bucket must exist; the first commit creates the lake), else :func:`resolve_lake`."""
    if isinstance(arg, str) and arg.startswith(SCHEME):
        return arg
    return resolve_lake(arg, settings, create=create)


def resolve_lake(arg: Path | str | None, settings: Settings, *, create: bool = False) -> Path:
    """The lake folder for a command: created when ``create``, else it must exist."""
    if isinstance(arg, str) and arg.startswith(SCHEME):
        raise LakeError(f"--lake {arg}: this command does not work on a lake on object storage yet "
                        "(ingest run, backfill, import, verify, query and compact do; see "
                        "docs/object-storage.md)")
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
