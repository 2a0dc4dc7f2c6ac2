"""Where the lake is: ``--lake`` if given, else ``AFTERSHOCK_LAKE__DIR`` (default ``./lake``).

Commands that write (ingest, backfill, ``import --lake``, ``simulate --lake``) create the folder;
commands that read (report, postmortem, query, rules, verify, compact, dashboards) refuse a
missing one with the same error and exit code 5. ``s3://bucket/prefix`` (as ``--lake`` or as
``AFTERSHOCK_LAKE__DIR``) is a lake on object storage (:func:`resolve_location`) for the commands
that support it (every command above but ``simulate --lake``); the others refuse it with exit
code 5."""

from __future__ import annotations

from pathlib import Path

from aftershock.errors import LakeError
from aftershock.settings import Settings

SCHEME = "s3://"


def resolve_location(arg: Path | str | None, settings: Settings, *,
                     create: bool = False) -> Path | str:
    """The lake of a command that also works on object storage: an ``s3://`` URL as given (its
    bucket must exist; the first commit creates the lake), else :func:`resolve_lake`."""
    chosen = arg if arg is not None else settings.lake.dir
    if isinstance(chosen, str) and chosen.startswith(SCHEME):
        return chosen
    return resolve_lake(chosen, settings, create=create)


def resolve_lake(arg: Path | str | None, settings: Settings, *, create: bool = False) -> Path:
    """The lake folder for a command: created when ``create``, else it must exist."""
    chosen = arg if arg is not None else settings.lake.dir
    if isinstance(chosen, str) and chosen.startswith(SCHEME):
        what = "--lake" if arg is not None else "AFTERSHOCK_LAKE__DIR"
        raise LakeError(f"{what} {chosen}: this command does not work on a lake on object storage "
                        "yet (see docs/object-storage.md)")
    lake = Path(chosen)
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
