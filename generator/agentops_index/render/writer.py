"""The writer: every output in memory first, one path written once, then an atomic swap.

Paths are ours (slugs), but the guard still refuses anything that could leave the output
directory. ``commit`` writes the whole tree into a sibling temp directory and renames it
into place, so a failed build never leaves half a site (SECURITY.md §6.5).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from agentops_index.errors import InputError
from agentops_index.snapshot.store import fsync_dir

_PATH = re.compile(r"^(?:[a-z0-9][a-z0-9._-]*/)*[a-z0-9][a-z0-9._-]*$")
# Files that prove a directory is a site we built, so replacing it loses nothing else.
SITE_MARKERS = ("index.html", "api/v1/schema.json")


class DuplicatePath(Exception):
    """Two outputs claimed the same path: a slug collision or a bug of ours."""


class Writer:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def add(self, path: str, data: bytes | str) -> None:
        if not _PATH.match(path) or ".." in path.split("/"):
            raise ValueError(f"refusing to write outside the site: {path!r}")
        if path in self.files:
            raise DuplicatePath(f"two outputs for {path}")
        self.files[path] = data.encode("utf-8") if isinstance(data, str) else data

    @property
    def size(self) -> int:
        return sum(len(d) for d in self.files.values())

    def commit(self, out: Path, prepare: Callable[[Path], None] | None = None) -> None:
        """Write every file under a temp dir next to ``out``, run ``prepare`` on it, then swap it in."""
        out = Path(out)
        if out.exists() and not _replaceable(out):
            raise InputError(
                f"--out {out}: exists and is not an agentops-index site (no {' or '.join(SITE_MARKERS)}); refusing to replace it"
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            for path in sorted(self.files):
                target = tmp / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(self.files[path])
            if prepare is not None:
                prepare(tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        # The one window without a site at ``out`` is between these two renames.
        if out.exists():
            os.rename(out, old)
        try:
            os.rename(tmp, out)
        except BaseException:
            if old.exists():
                os.rename(old, out)
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        fsync_dir(out.parent)
        shutil.rmtree(old, ignore_errors=True)


def _replaceable(out: Path) -> bool:
    if out.is_symlink() or not out.is_dir():
        return False
    if not any(out.iterdir()):
        return True
    return all((out / marker).is_file() for marker in SITE_MARKERS)
