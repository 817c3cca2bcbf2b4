"""Deterministic bytes and atomic files for everything we publish (SECURITY.md §6.5).

``dumps`` is the only JSON writer of published data: sorted keys, two-space indent, no
NaN, real UTF-8, one trailing newline. orjson writes it (a 228 MB snapshot in 0.6 s, where the
standard library's indenting encoder, pure Python, takes 9 s), the same bytes but for a float
under 1e-4 (``0.00005``, not ``5e-05``; ``1e-7``, not ``1e-07``): orjson is pinned, as its float
format has changed between releases. The standard library takes over for what orjson refuses
(a lone surrogate, an integer past 64 bits, a key that is not a string). orjson would write NaN
as null: the models refuse NaN and infinities instead (``allow_inf_nan=False``).

``write_atomic`` writes a temp file in the target directory, fsyncs it, renames it over the
target and fsyncs the directory, so a reader sees the old file or the new one, never half of
either.
"""

from __future__ import annotations

import gc
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from agentops_index.errors import InputError
from agentops_index.snapshot.models import READABLE_VERSIONS, SCHEMA_VERSION, SHARED_TEXTS, Snapshot

SNAPSHOT_CAP = 512 * 1024 * 1024  # refuse to load a snapshot bigger than this


def dumps(value: BaseModel | Any, compact: bool = False) -> bytes:
    """Canonical JSON bytes of a model or plain JSON value (``compact``: no indentation)."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", by_alias=True)
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | (0 if compact else orjson.OPT_INDENT_2)) + b"\n"
    except orjson.JSONEncodeError:
        pass  # the standard library serializes it, or says what is wrong with it
    layout: dict[str, Any] = {"separators": (",", ":")} if compact else {"indent": 2}
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False, **layout)
    return (text + "\n").encode("utf-8")


def gzipped(data: bytes, level: int = 9) -> bytes:
    """``data`` gzip-compressed the same way on every build and Python: no time in the header,
    and its operating-system byte always 255 ("unknown"; Python 3.11 and 3.12 write 3, 3.13 255)."""
    import gzip

    out = bytearray(gzip.compress(data, compresslevel=level, mtime=0))
    out[9] = 255
    return bytes(out)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that no reader ever sees a partial file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    """Persist a rename: fsync the directory that holds it (a no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load(path: Path) -> Snapshot:
    """Read and strictly validate a snapshot; one-line errors name the file and the field.

    The cyclic garbage collector is paused while pydantic builds the models: a 30,000-plugin
    snapshot is about a million objects, and the collections their allocation triggers cost
    three times the validation itself (10 s against 2.6 s). The bytes are parsed once; a
    snapshot that fails validation is parsed again only to say which schema version it has.

    Equal third-party strings are read as one Text (``models.SHARED_TEXTS``): copies listed in
    several marketplaces, skills shared by a marketplace's plugins, keywords and licences repeat
    them, and a Text model costs about 600 bytes beside its string. A frozen model is a value,
    so sharing one changes nothing; the loaded snapshot takes 11% less memory on the corpora's
    4,612 real plugins, 22% less on bench/world.py's 30,000.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"snapshot {path}: cannot read ({exc.strerror or exc})") from exc
    if size > SNAPSHOT_CAP:
        raise InputError(f"snapshot {path}: {size} bytes is over the {SNAPSHOT_CAP}-byte cap")
    data = path.read_bytes()
    paused = gc.isenabled()
    gc.disable()
    token = SHARED_TEXTS.set({})  # equal strings of the snapshot read as one Text (models.py)
    try:
        snapshot = Snapshot.model_validate_json(data)
    except ValidationError as exc:
        _check_version(path, data)
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"snapshot {path}: {where}: {first['msg']} ({exc.error_count()} problems)") from exc
    finally:
        SHARED_TEXTS.reset(token)
        if paused:
            gc.enable()
    if snapshot.schema_version != SCHEMA_VERSION:
        # Validated already: its version is read from the model, not by parsing 200 MB again.
        _refuse_version(path, snapshot.schema_version)
        written_as = snapshot.schema_version
        snapshot = snapshot.model_copy(update={"schema_version": SCHEMA_VERSION})  # an older one, read as this one
        snapshot._written_as = written_as
    return snapshot


def _check_version(path: Path, data: bytes) -> None:
    """Raise the error that names the schema version, when the file is JSON of another version."""
    try:
        version = json.loads(data).get("schema_version")
    except (ValueError, RecursionError, AttributeError) as exc:
        raise InputError(f"snapshot {path}: not a JSON object ({exc})") from exc
    _refuse_version(path, version)


def _refuse_version(path: Path, version: object) -> None:
    """Raise the error that names the schema version, unless this agentops-index reads it."""
    if version not in READABLE_VERSIONS:
        readable = " and ".join(str(v) for v in sorted(READABLE_VERSIONS))
        raise InputError(
            f"snapshot {path}: schema_version is {version!r}, this agentops-index reads {readable}; re-run `agentops-index crawl`"
        )


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the snapshot, as published at api/v1/schema.json."""
    schema = Snapshot.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "schema.json", **schema}


def build_time() -> tuple[str, float]:
    """ "Now" for published data: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the clock.

    Returns the ISO-8601 UTC string and the epoch seconds.
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is not None and raw.strip():
        try:
            epoch = float(int(raw.strip()))
        except ValueError as exc:
            from agentops_index.errors import ConfigError

            raise ConfigError(f"SOURCE_DATE_EPOCH: {raw!r} is not an integer number of seconds") from exc
    else:
        epoch = float(int(time.time()))
    stamp = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return stamp, epoch
