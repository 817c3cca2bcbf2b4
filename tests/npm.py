"""npm packages the tests and benchmarks need, installed once into a cache folder, pinned.

Claude Code (the validator oracle), axe-core (accessibility checks in the browser) and
Lighthouse (bench/lighthouse.py) come from npm; each goes into its own folder under
~/.cache/agentops-index so a clean checkout installs them itself and later runs reuse them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CACHE_ROOT = Path(os.environ.get("AGENTOPS_NPM_CACHE", Path.home() / ".cache" / "agentops-index"))


class NpmUnavailable(RuntimeError):
    """npm is not installed, so the package cannot be."""


def npm_package(package: str, version: str, wanted: str, folder: Path | None = None) -> Path:
    """The path ``wanted`` (relative to the install folder) of ``package@version``, installing it if needed."""
    folder = folder or CACHE_ROOT / package.rsplit("/", 1)[-1]
    target = folder / wanted
    installed = folder / "node_modules" / package / "package.json"
    if target.exists() and installed.exists() and f'"version": "{version}"' in installed.read_text():
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise NpmUnavailable(f"npm is not installed, so {package}@{version} cannot be installed")
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder), f"{package}@{version}"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0 or not target.exists():
        raise RuntimeError(f"npm install {package}@{version} failed:\n{done.stderr[-2000:]}")
    return target
