"""The writer: one path written once, into a sibling temp directory, then an atomic swap.

Paths are ours (slugs), but the guard still refuses anything that could leave the output
directory. The whole tree is written into a temp directory next to ``out`` and swapped into
place with one ``renameat2(RENAME_EXCHANGE)`` on Linux, so a build killed at any moment
leaves the old site or the new one at ``out``, never half of one and never none
(SECURITY.md §6.5, T14). Where the exchange is unsupported, two renames leave one short
window without a site. The old site is removed once the new one is in place; a big one
(``DETACH_FROM`` files) by a detached process, so the build ends when its site is published.

``Writer()`` keeps files in memory until ``commit``; ``Writer.staged(out)`` writes each file
into the temp directory as it is added (a build never holds the whole site in memory) and can
``reuse`` a file of the previous build, hard-linked, when the inputs it was made from are the
same (an incremental build).
"""

from __future__ import annotations

import ctypes
import errno
import gc
import os
import re
import shutil
import stat
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from agentops_index.errors import BuildError, InputError
from agentops_index.snapshot.store import fsync_dir, gzipped

# Lower-case names that start with a letter, a digit or "_" (never "." or "-"): the browser
# search's name shards spell a non-ASCII first character as "_<hex>_" (search/names/_524d_.json).
_PATH = re.compile(r"^(?:[a-z0-9_][a-z0-9._-]*/)*[a-z0-9_][a-z0-9._-]*$")
# Files that prove a directory is a site we built, so replacing it loses nothing else.
SITE_MARKERS = ("index.html", "api/v1/schema.json")
DETACH_FROM = 10_000  # files in a site from which the old one is removed by a detached process
COMPRESS_QUEUE = 32  # files waiting for ``add_gzipped``'s thread at most
ASIDE = ".aside"  # the temp directory's folder of files set aside for ``commit``'s step (not published)


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
    """Temp and old trees of builds that were killed, and old sites whose remover was (their process is gone)."""
    for path in out.parent.glob(f".{out.name}.*-*"):
        kind, _, pid = path.name.rpartition("-")
        if kind.endswith((".tmp", ".old", ".gone")) and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class DuplicatePath(BuildError):
    """Two outputs claimed the same path: a slug collision or a bug of ours."""


class Writer:
    def __init__(self, staging: Path | None = None, previous: Path | None = None) -> None:
        self.files: dict[str, bytes] = {}  # in memory until commit (no staging directory)
        self.staging = staging
        self.previous = previous  # a previous build: a file with the same bytes there is linked, not written
        self.paths: set[str] = set()
        self.size = 0
        self.reused = 0
        self._dirs: set[str] = set()
        self.aside: dict[str, bytes] = {}  # files for the build's own use, not published (see ``set_aside``)
        self._compressing: list[tuple[str, Future[bytes]]] = []  # see ``add_gzipped``
        self._pool: ThreadPoolExecutor | None = None

    @classmethod
    def staged(cls, out: Path) -> Writer:
        """A writer that writes straight into the temp directory ``commit`` will swap in at ``out``."""
        out = Path(out)
        if out.exists() and not _replaceable(out):
            raise InputError(
                f"--out {out}: exists and is not an agentops-index site (no {' or '.join(SITE_MARKERS)}); refusing to replace it"
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(out)
        tmp = _tmp(out)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        return cls(tmp)

    def _claim(self, path: str) -> None:
        if not _PATH.match(path) or ".." in path.split("/"):
            raise ValueError(f"refusing to write outside the site: {path!r}")
        if path in self.paths:
            raise DuplicatePath(f"two outputs for {path}")
        self.paths.add(path)

    def _target(self, path: str) -> Path:
        assert self.staging is not None
        folder = path.rpartition("/")[0]
        if folder and folder not in self._dirs:
            (self.staging / folder).mkdir(parents=True, exist_ok=True)
            while folder and folder not in self._dirs:
                self._dirs.add(folder)
                folder = folder.rpartition("/")[0]
        return self.staging / path

    def add(self, path: str, data: bytes | str) -> None:
        self._claim(path)
        data = data.encode("utf-8") if isinstance(data, str) else data
        self.size += len(data)
        if self.staging is None:
            self.files[path] = data
            return
        target = self._target(path)
        if self.previous is not None and _same(self.previous / path, data):
            try:
                os.link(self.previous / path, target)
                return
            except OSError:
                pass
        _write(target, data)

    def add_gzipped(self, path: str, data: bytes, level: int = 9) -> None:
        """``add(path, store.gzipped(data, level))``, compressed by this writer's thread while the
        caller goes on (zlib lets go of the interpreter while it compresses: the JSON API's gzip
        files, about 3 s at 30,000 plugins, overlap the bundles and the page contexts) and
        written by ``settle``. The path is claimed now."""
        import gzip  # noqa: F401  (imported here, not first by the thread)

        self._claim(path)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gzip")
        self._compressing.append((path, self._pool.submit(gzipped, data, level)))
        # Files compressed already are written now, and at most COMPRESS_QUEUE wait: the memory
        # held stays a few files' worth, however far the caller runs ahead of the thread.
        while self._compressing and (self._compressing[0][1].done() or len(self._compressing) > COMPRESS_QUEUE):
            self._write_compressed(*self._compressing.pop(0))

    def _write_compressed(self, path: str, future: Future[bytes]) -> None:
        self.paths.discard(path)
        self.add(path, future.result())

    def settle(self) -> None:
        """Write every file given to ``add_gzipped``, once compressed, and end the thread (call it
        before forking, so no thread is left running, and before ``commit``). If a compression
        failed, its error is raised and the thread is ended all the same."""
        try:
            while self._compressing:
                self._write_compressed(*self._compressing.pop(0))
        finally:
            self._end_thread()

    def _end_thread(self) -> None:
        """Forget the files still waiting for compression and end the thread."""
        self._compressing = []
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def set_aside(self, path: str, data: bytes | str) -> None:
        """Write ``path`` under ``ASIDE`` in the temp directory: an input of a ``commit`` step
        (the pages Pagefind indexes), removed before the site is swapped in, never published."""
        if not _PATH.match(path) or ".." in path.split("/"):
            raise ValueError(f"refusing to write outside the site: {path!r}")
        data = data.encode("utf-8") if isinstance(data, str) else data
        if self.staging is None:
            self.aside[path] = data
            return
        _write(self._target(f"{ASIDE}/{path}"), data)  # never a site path: those start with no "."

    def reuse(self, path: str, source: Path) -> bool:
        """Take ``path`` from a previous build's file at ``source`` (a hard link, else a copy);
        False when there is no such file, and nothing is claimed."""
        if self.staging is None:
            return False
        try:
            found = os.lstat(source)  # one call: a regular file (never a link to one), and its size
        except OSError:
            return False
        if not stat.S_ISREG(found.st_mode):
            return False
        self._claim(path)
        target = self._target(path)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        self.size += found.st_size
        self.reused += 1
        return True

    def discard(self) -> None:
        """Forget a staged build (``--strict`` failed, or an error): the site at ``out`` stays as it was."""
        self._end_thread()
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)

    def commit(self, out: Path, prepare: Callable[[Path], None] | None = None, count: int | None = None) -> None:
        """Write every file under a temp dir next to ``out`` (unless already staged there), run
        ``prepare`` on it, then swap it in. ``count``: how many files the site has, when other
        processes wrote them (else this writer's count)."""
        self.settle()
        site_files = len(self.paths) if count is None else count
        out = Path(out)
        if self.staging is not None:
            tmp = self.staging
            if tmp != _tmp(out):
                raise ValueError(f"{tmp} is not the staging directory of {out}")
        else:
            if out.exists() and not _replaceable(out):
                raise InputError(
                    f"--out {out}: exists and is not an agentops-index site (no {' or '.join(SITE_MARKERS)}); refusing to replace it"
                )
            out.parent.mkdir(parents=True, exist_ok=True)
            _remove_leftovers(out)
            tmp = _tmp(out)
            shutil.rmtree(tmp, ignore_errors=True)
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        try:
            for folder, files in (("", self.files), (ASIDE + "/", self.aside)):
                for path in sorted(files):
                    target = tmp / (folder + path)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(files[path])
            if prepare is not None:
                prepare(tmp)
            shutil.rmtree(tmp / ASIDE, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if out.exists() and exchange(tmp, out):
            fsync_dir(out.parent)
            _remove_old(tmp, site_files)  # it holds the old site now
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
        _remove_old(old, site_files)


def _remove_old(tree: Path, files: int) -> None:
    """Remove the old site, once the new one (of ``files`` files) is in place: a big one by a
    detached process, so the build ends as soon as its site is published."""
    if not tree.exists():
        return
    if files < DETACH_FROM or not hasattr(os, "fork") or not _remove_detached(tree):
        shutil.rmtree(tree, ignore_errors=True)


def _remove_detached(tree: Path) -> bool:
    """Hand ``tree`` to a grandchild in its own session that holds none of our files (a caller
    reading our output is not kept waiting) and removes it. The grandchild first renames it to
    ``.<out>.gone-<its pid>`` and says so through a pipe, so this returns only once the name is
    free for the next build; a remover killed before it is done (a CI job's or a container's end)
    leaves that tree, which the next build removes (``_remove_leftovers``). False when ``tree``
    could not be handed over: then the caller removes it."""
    out_name = tree.name.removeprefix(".").rpartition(".")[0]
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return False
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        try:
            os.close(read)
            os.setsid()
            if os.fork() == 0:
                gc.disable()  # a fork of a big process: never walk (and so copy) its heap
                gone = tree.with_name(f".{out_name}.gone-{os.getpid()}")
                try:
                    os.rename(tree, gone)
                except OSError:
                    os.write(write, b"0")
                    os._exit(0)
                os.write(write, b"1")
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.closerange(3, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 65536)
                shutil.rmtree(gone, ignore_errors=True)
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as pipe:
        return pipe.read(1) == b"1"


def _write(target: Path, data: bytes) -> None:
    """``target`` created (or truncated) holding ``data``: what ``open(target, "wb")`` does, without
    the buffered file object, which cost half the time of writing a small page (a site has 100,000)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _same(path: Path, data: bytes) -> bool:
    """Whether the regular file at ``path`` holds exactly ``data`` (reading is cheaper than writing)."""
    try:
        if path.is_symlink() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _tmp(out: Path) -> Path:
    return out.with_name(f".{out.name}.tmp-{os.getpid()}")


def _replaceable(out: Path) -> bool:
    if out.is_symlink() or not out.is_dir():
        return False
    if not any(out.iterdir()):
        return True
    return all((out / marker).is_file() for marker in SITE_MARKERS)
