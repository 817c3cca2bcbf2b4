"""The built wheel ships the theme and the console script."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_templates_and_package(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("agentops_index-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "agentops_index/cli.py" in names
    assert any(n.startswith("agentops_index/templates/") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "agentops-index = agentops_index.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
