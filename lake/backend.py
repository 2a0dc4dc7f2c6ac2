"""The lake behind a location: a local folder (flock manifest, :mod:`lake.manifest`) or
``s3://bucket/prefix`` (create-only entry objects, :mod:`lake.object_manifest`). Writers and
the worker ask here, so the two kinds are chosen in one place."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from aftershock.settings import IngestSettings, LakeSettings
from lake.manifest import Manifest
from lake.object_manifest import ObjectManifest
from lake.object_witness import ObjectWitness
from lake.object_writer import ObjectLakeWriter
from lake.storage import is_remote, open_store
from lake.writer import LakeWriter

Location = Path | str  # a folder, or an s3:// URL
Writer = LakeWriter | ObjectLakeWriter


def open_writer(location: Location, ingest: IngestSettings, lake: LakeSettings) -> Writer:
    """The writer of the lake at ``location``; on object storage it anchors its commits in the
    object witness of ``lake`` (``anchor_store``)."""
    if not is_remote(location):
        return LakeWriter(Path(location), ingest)
    store = open_store(location, lake)
    return ObjectLakeWriter(store, ingest, ObjectWitness.from_settings(lake, store.url),
                            timedelta(seconds=lake.replaced_grace_s))


def open_manifest(location: Location, lake: LakeSettings) -> Manifest | ObjectManifest:
    """The manifest of ``location``, for reading where each partition ends."""
    if not is_remote(location):
        return Manifest(Path(location))
    return ObjectManifest(open_store(location, lake),
                          replaced_grace=timedelta(seconds=lake.replaced_grace_s))
