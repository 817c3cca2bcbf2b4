"""Findings: what validation says about a file, with a stable code, a JSON path and a message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem. ``path`` is printed as Claude Code prints it; ``file`` is relative to the target.

    ``note`` findings are ours alone (BOM, duplicate keys, replaced bytes): Claude Code
    does not report them, so they never change a verdict.
    """

    code: str
    path: str
    message: str
    severity: Severity = "error"
    file: str = ""

    def as_dict(self) -> dict[str, str]:
        out = {"path": self.path, "code": self.code, "message": self.message}
        if self.file:
            out["file"] = self.file
        return out


@dataclass(slots=True)
class Report:
    """Everything validation found for one target, in the order it was found."""

    target: str
    kind: Literal["marketplace", "plugin", "unknown"] = "unknown"
    findings: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "note"]

    @property
    def verdict(self) -> Literal["pass", "warn", "fail"]:
        if self.errors:
            return "fail"
        return "warn" if self.warnings else "pass"

    def as_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "kind": self.kind,
            "verdict": self.verdict,
            "errors": [f.as_dict() for f in self.errors],
            "warnings": [f.as_dict() for f in self.warnings],
            "notes": [f.as_dict() for f in self.notes],
        }
