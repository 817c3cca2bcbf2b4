"""The writer: every output in memory first, one path written once, then an atomic swap.

Paths are ours (slugs), but the guard still refuses anything that could leave the output
directory. ``commit`` writes the whole tree into a sibling temp directory and swaps it into
place with one ``renameat2(RENAME_EXCHANGE)`` on Linux, so a build killed at any moment
leaves the old site or the new one at ``out``, never half of one and never none
(SECURITY.md §6.5, T14). Where the exchange is unsupported, two renames leave one short
window without a site.
"""

from __future__ import annotations

import ctypes
import errno
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


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically; False where the system or file system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def _remove_leftovers(out: Path) -> None:
    """Temp and old trees of builds that were killed (their process is gone)."""
    for path in out.parent.glob(f".{out.name}.*-*"):
        kind, _, pid = path.name.rpartition("-")
        if kind.endswith((".tmp", ".old")) and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
        _remove_leftovers(out)
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
        if out.exists() and exchange(tmp, out):
            fsync_dir(out.parent)
            shutil.rmtree(tmp, ignore_errors=True)  # it holds the old site now
            return
        # Without an atomic exchange, the one window without a site at ``out`` is between these renames.
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
