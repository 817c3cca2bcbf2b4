"""Pagefind beside the rendering: the browser's search index made on the second core while the
build renders, when the machine has the memory for both (``SearchIndex``; build.py)."""

from __future__ import annotations

import os
import pickle
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from jinja2 import Environment, Template

from agentops_index.config import Ranking
from agentops_index.render import browser_search
from agentops_index.render import pages as page_list
from agentops_index.render.contexts import Site
from agentops_index.render.environment import render_template
from agentops_index.render.processes import die_with_parent, raised, reraise
from agentops_index.render.writer import Writer
from agentops_index.snapshot.models import Snapshot

BESIDE_ENV = "AGENTOPS_PAGEFIND_BESIDE"  # 1: Pagefind runs beside the rendering; 0: after it; unset: by memory
# Bytes of memory per snapshot byte for the build and Pagefind at once (30,000 plugins: 228 MB -> 2.8 GB at peak).
BESIDE_FACTOR = 16
BESIDE_SPARE = 1 << 30  # and this much left over


def pagefind_beside(snapshot_path: Path) -> bool:
    """Whether Pagefind may run beside the rendering: when this machine has the memory for both
    at once (at 30,000 plugins the build peaks at 1.8 GB and Pagefind at 1.3 GB), else after it,
    once the rendering's memory is gone. ``AGENTOPS_PAGEFIND_BESIDE`` (1 or 0) decides instead."""
    forced = os.environ.get(BESIDE_ENV, "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    try:
        size = snapshot_path.stat().st_size
        with open("/proc/meminfo", encoding="ascii") as handle:
            fields = dict(line.split(":", 1) for line in handle if ":" in line)
        available = int(fields["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return False
    return available >= BESIDE_FACTOR * size + BESIDE_SPARE


class SearchIndex:
    """The browser's search index made beside the rendering, when the machine has the memory for
    both at once (``pagefind_beside``): a forked child writes each plugin's search record
    (``templates/search_record.html``, the page Pagefind reads, set aside in the staging
    directory) on the second core, idle while the JSON API, the bundles and the page contexts
    are made (one core each), then *becomes* Pagefind (exec: its copy of the build's memory is
    gone); the build waits for it after the pages. A record's template that fails comes back as
    the BuildError naming the page; Pagefind failing is a warning. Otherwise (``beside`` False)
    this does nothing: the page workers write the records and Pagefind runs at the swap, once
    the rendering's memory is gone."""

    def __init__(self, beside: bool = False) -> None:
        self.beside = beside
        self.pid = 0
        self.read = -1
        self.stderr: Any = None

    @classmethod
    def start(
        cls,
        writer: Writer,
        snapshot: Snapshot,
        snapshot_path: Path,
        records: list[dict[str, Any]],
        site: Site,
        env: Environment,
        ranking: Ranking,
        search: bool,
    ) -> SearchIndex:
        staging = writer.staging
        if not (search and snapshot.plugins and staging is not None and hasattr(os, "fork")):
            return cls()
        if not browser_search.available() or not pagefind_beside(snapshot_path):
            return cls()
        by_id = {r["id"]: r for r in records}
        plugin_pages = page_list.PluginPages.of(snapshot, site)
        out = cls(beside=True)
        out.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - Pagefind writes to it after we return; stop() closes it
        read, answer = os.pipe()  # not inherited by Pagefind: closed by the exec, so EOF says the records are written
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's coverage is not collected
            os.close(read)
            die_with_parent()
            try:
                templates: dict[str, Template] = {}
                for plugin in snapshot.plugins:
                    page = plugin_pages.page(plugin)
                    card = page.model_copy(update=page_list.search_record(by_id[plugin.id], ranking))
                    writer.set_aside(
                        page.path, render_template(env, site, templates, browser_search.SEARCH_RECORD, card, page.path)
                    )
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(out.stderr.fileno(), 2)
                argv = browser_search.command(staging)
                os.execv(argv[0], argv)
            except BaseException as exc:
                with os.fdopen(answer, "wb") as pipe:
                    pipe.write(raised(exc))
            os._exit(70)
        os.close(answer)
        out.pid, out.read = pid, read
        return out

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def finish(self) -> str | None:
        """Wait for the records and Pagefind: Pagefind's warning, or None (also when not beside)."""
        if not self.beside:
            return None
        with os.fdopen(self.read, "rb") as pipe:
            self.read = -1
            data = pipe.read()  # until the child became Pagefind, or failed
        if data:
            self._reap()
            reraise(pickle.loads(data), "writing the search records failed in a child process")
        deadline = time.monotonic() + browser_search.TIMEOUT
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = 0
                break
            if time.monotonic() > deadline:
                self.stop()
                return f"pagefind took longer than {browser_search.TIMEOUT} s and was stopped"
            time.sleep(0.05)
        code = os.waitstatus_to_exitcode(status)
        self.stderr.seek(0)
        stderr = self.stderr.read().decode("utf-8", errors="replace")
        return browser_search.failure(code, stderr) if code != 0 else None

    def stop(self) -> None:
        """Stop the child if it still runs (the build failed), and let go of what it held."""
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()
        if self.read >= 0:
            os.close(self.read)
            self.read = -1
        if self.stderr is not None:
            self.stderr.close()
            self.stderr = None

    def _reap(self) -> None:
        if self.pid:
            os.waitpid(self.pid, 0)
            self.pid = 0
