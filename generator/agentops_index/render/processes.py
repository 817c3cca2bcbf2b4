"""Forked children of a build: the rendering of a big snapshot, the page workers and the search
records' child (``pagefind_beside``) run in them; a child's result or exception comes back
pickled through a pipe, and a child dies with its parent (Linux)."""

from __future__ import annotations

import os
import pickle
import traceback
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar, cast

T = TypeVar("T")


def spawn(work: Callable[[], Any]) -> tuple[int, int]:
    """Fork a child that runs ``work()`` and sends back, pickled through a pipe, ``("ok", result)``
    or ``("raise", exception, traceback)`` (the exception None when it does not pickle). The child
    dies with this process (Linux), so a killed build leaves no writer behind. Returns the
    child's pid and the pipe's reading end, for ``child_answer``."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(read)
        die_with_parent()
        try:
            payload = pickle.dumps(("ok", work()))
        except BaseException as exc:
            payload = raised(exc)
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write)
    return pid, read


def raised(exc: BaseException) -> bytes:
    """What a child sends back for an exception it is handling: ``("raise", exc, traceback)``
    pickled, the exception None when it does not pickle."""
    trace = traceback.format_exc()
    try:
        return pickle.dumps(("raise", exc, trace))
    except Exception:
        return pickle.dumps(("raise", None, trace))


def child_answer(pid: int, read: int, died: str) -> tuple[Any, ...]:
    """What a ``spawn`` child sent; ``("raise", None, died)`` when it died without an answer."""
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    answer: tuple[Any, ...] = pickle.loads(data) if data else ("raise", None, died)
    return answer


def forked(work: Callable[[], T]) -> T:
    """``work()`` run in a forked child; its result comes back, or its exception is raised here."""
    answer = child_answer(*spawn(work), "the build's child process died without an answer")
    if answer[0] == "ok":
        return cast(T, answer[1])
    reraise(answer, "the build failed in a child process")


def reraise(answer: tuple[Any, ...], failed: str) -> NoReturn:
    """Raise here what a child raised (``("raise", exception, traceback)``), or a RuntimeError
    saying ``failed`` with the child's traceback when its exception did not pickle."""
    if isinstance(answer[1], BaseException):
        raise answer[1]
    raise RuntimeError(f"{failed}:\n{answer[2]}")


def die_with_parent() -> None:
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
