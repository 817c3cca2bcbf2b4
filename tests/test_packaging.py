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
    for required in (
        "agentops_index/templates/base.html",
        "agentops_index/templates/static/style.css",
        "agentops_index/data/categories.toml",
    ):
        assert required in names, required


@pytest.mark.slow
def test_unpacked_wheel_builds_the_site_outside_the_repo(tmp_path: Path) -> None:
    """The wheel alone (no checkout around it) finds its theme and taxonomy."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("agentops_index-*.whl")
    zipfile.ZipFile(wheel).extractall(tmp_path / "lib")
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {"PYTHONPATH": str(tmp_path / "lib"), "PATH": "/usr/bin:/bin", "SOURCE_DATE_EPOCH": "0"}
    sample = ROOT / "data" / "sample" / "proseware__frontend-kit"
    where = subprocess.run(
        [sys.executable, "-c", "import agentops_index; print(agentops_index.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(tmp_path / "lib")), where.stdout
    for args in (["crawl", "--from-dir", str(sample), "--out", "snap/latest.json"], ["build", "--snapshot", "snap/latest.json"]):
        run = subprocess.run(
            [sys.executable, "-m", "agentops_index", *args], cwd=work, env=env, capture_output=True, text=True, check=False
        )
        assert run.returncode == 0, run.stderr[-2000:]
    assert (work / "site" / "static" / "style.css").is_file()
    snapshot = (work / "snap" / "latest.json").read_text()
    assert '"category": "design"' in snapshot  # the packaged taxonomy mapped "frontend" onto design
