"""Reading the stored verdicts of the real CLI (../shared/corpus/oracle) and comparing with ours."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentops_index.manifest.findings import Report

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"
MARKETPLACES = CORPUS / "marketplaces"
ORACLE = CORPUS / "oracle"
WIDE = SHARED / "corpus-wide"
WIDE_MARKETPLACES = WIDE / "marketplaces"
WIDE_ORACLE = WIDE / "oracle"
FORMATS = SHARED / "corpus-formats"  # other clients' catalogs, and their verdicts in oracle/


def formats_oracle(suffix: str) -> list[str]:
    """The corpus-formats folders with a recorded verdict ``<folder><suffix>`` (``.codex.json``...),
    or ``["(absent)"]``, which a test turns into a skip, when the corpus is not there."""
    folder = FORMATS / "oracle"
    found = sorted(p.name[: -len(suffix)] for p in folder.glob(f"*{suffix}")) if folder.is_dir() else []
    return found or ["(absent)"]


def cli_findings(report: dict[str, Any]) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """(errors, warnings) of a `claude plugin validate --json` report as (path, message) multisets."""
    errors: Counter[tuple[str, str]] = Counter()
    warnings: Counter[tuple[str, str]] = Counter()
    parts = [report.get("manifest") or {}, *(report.get("contents") or [])]
    for part in parts:
        for item in part.get("errors") or []:
            errors[(item["path"], item["message"])] += 1
        for item in part.get("warnings") or []:
            warnings[(item["path"], item["message"])] += 1
    return errors, warnings


def cli_verdict(exit_code: int, warnings: Counter[tuple[str, str]]) -> str:
    if exit_code != 0:
        return "fail"
    return "warn" if warnings else "pass"


def our_findings(report: Report) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    return (
        Counter((f.path, f.message) for f in report.errors),
        Counter((f.path, f.message) for f in report.warnings),
    )


@dataclass
class Comparison:
    name: str
    ours: str
    theirs: str
    missing_errors: list[tuple[str, str]] = field(default_factory=list)
    extra_errors: list[tuple[str, str]] = field(default_factory=list)
    missing_warnings: list[tuple[str, str]] = field(default_factory=list)
    extra_warnings: list[tuple[str, str]] = field(default_factory=list)
    their_error_paths: int = 0
    matched_error_paths: int = 0

    @property
    def agrees(self) -> bool:
        return self.ours == self.theirs


def compare(name: str, ours: Report, exit_code: int, cli_report: dict[str, Any]) -> Comparison:
    their_errors, their_warnings = cli_findings(cli_report)
    our_errors, our_warnings = our_findings(ours)
    their_paths = Counter(path for path, _ in their_errors.elements())
    our_paths = Counter(path for path, _ in our_errors.elements())
    return Comparison(
        name=name,
        ours=ours.verdict,
        theirs=cli_verdict(exit_code, their_warnings),
        missing_errors=sorted((their_errors - our_errors).elements()),
        extra_errors=sorted((our_errors - their_errors).elements()),
        missing_warnings=sorted((their_warnings - our_warnings).elements()),
        extra_warnings=sorted((our_warnings - their_warnings).elements()),
        their_error_paths=sum(their_paths.values()),
        matched_error_paths=sum((their_paths & our_paths).values()),
    )


def stored_marketplaces(oracle: Path = ORACLE, marketplaces: Path = MARKETPLACES) -> list[tuple[str, Path, dict[str, Any]]]:
    """(name, marketplace folder, stored result) for every marketplace the CLI validated."""
    out = []
    for oracle_file in sorted(oracle.glob("*.json")):
        if oracle_file.name == "probes.json":
            continue
        stored = json.loads(oracle_file.read_text())
        out.append((oracle_file.stem, marketplaces / oracle_file.stem, stored))
    return out


def stored_plugin_dirs() -> list[tuple[str, Path, dict[str, Any]]]:
    """(label, plugin directory, stored result) for every plugin dir the CLI validated."""
    out = []
    for oracle_file in sorted((ORACLE / "plugins").glob("*.json")):
        stored = json.loads(oracle_file.read_text())
        for relative, result in sorted(stored["plugins"].items()):
            folder = MARKETPLACES / oracle_file.stem / relative
            if folder.is_dir() and "exit" in result:
                out.append((f"{oracle_file.stem}:{relative}", folder, result))
    return out
