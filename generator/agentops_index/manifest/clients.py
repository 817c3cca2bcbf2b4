"""How each agent client reads one repository, each by its own rules (the ``clients`` command).

Claude Code (``claude plugin validate``'s rules, ``manifest/validate.py``), OpenAI's Codex CLI
(``manifest/codex.py``: it reads its own catalog, else Claude's, else Cursor's), Cursor (its
published schemas and CI checks, ``manifest/cursor.py``) and Agent Skills (the reference
validator, ``manifest/skills.py``) and Agent Plugins 1.0 (a root ``plugin.json``, by the spec's
schemas, ``manifest/agentplugins.py``). Each part names the rules that produced it, so a verdict is
never presented as another client's. A client with nothing to read in the repository is absent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentops_index.manifest import agentplugins, codex, cursor, skills
from agentops_index.manifest.checks import NOT_FOLLOWED, linked
from agentops_index.manifest.text import clean
from agentops_index.snapshot.assemble import plain_name

LINE_CAP = 500  # characters of a stranger's text in one line of the report

CLAUDE_RULES = "claude plugin validate (Claude Code 2.1.328)"


def report(root: Path) -> dict[str, Any]:
    """Every client's view of the repository at ``root``, as plain JSON data."""
    from agentops_index.manifest.validate import validate_marketplace

    where = clean(root.as_posix(), LINE_CAP)
    out: dict[str, Any] = {"target": where, "clients": {}}
    clients: dict[str, Any] = out["clients"]
    if linked(root, codex.CLAUDE_CATALOG):
        note = NOT_FOLLOWED.format(codex.CLAUDE_CATALOG)
        clients["claude"] = {"rules": CLAUDE_RULES, "catalog": codex.CLAUDE_CATALOG, "verdict": "unjudged", "note": note}
    elif (root / codex.CLAUDE_CATALOG).is_file():
        claude = validate_marketplace(root)
        clients["claude"] = {
            "rules": CLAUDE_RULES,
            "catalog": codex.CLAUDE_CATALOG,
            "verdict": claude.verdict,
            "errors": [_t(f"{f.path}: {f.message}") for f in claude.errors],
            "warnings": [_t(f"{f.path}: {f.message}") for f in claude.warnings],
            "install": [f"/plugin marketplace add {where}"],
        }
    seen = codex.read(root)
    if seen.file is not None:
        clients["codex"] = {
            "rules": codex.CLIENT,
            "catalog": seen.file,
            "reads_another_clients_catalog": seen.file != codex.CODEX_CATALOG,
            "verdict": _codex_verdict(seen),
            "marketplace": _t(seen.name),
            "error": _t(seen.error),
            "install": [f"codex plugin marketplace add {where}"] if seen.accepted else [],
            "entries": [
                {
                    "name": _t(e.name),
                    "source": e.kind,
                    "path": _t(e.path),
                    "url": _t(e.url),
                    "version": _t(e.version),
                    "installs": e.installs,
                    "error": _t(e.error),
                    # Only names that can be typed as they are make a command (no newline, space or ';').
                    "install": f"codex plugin add {e.name}@{seen.name}" if plain_name(e.name) and plain_name(seen.name) else None,
                }
                for e in seen.entries
            ],
            "not_listed": [{"name": _t(name), "reason": _t(why)} for name, why in seen.dropped],
        }
    judged = cursor.read(root)
    if judged is not None and judged.unjudged:
        clients["cursor"] = {"rules": cursor.RULES, "catalog": cursor.CATALOG, "verdict": "unjudged", "note": judged.unjudged}
    elif judged is not None:
        clients["cursor"] = {
            "rules": cursor.RULES,
            "catalog": cursor.CATALOG,
            "verdict": "pass" if judged.valid else "fail",
            "marketplace": _t(judged.name),
            "problems": [_problem(p) for p in judged.problems],
            "entries": [
                {
                    "name": _t(e.name),
                    "folder": _t(e.folder),
                    "version": _t(e.version),
                    "valid": e.valid,
                    "problems": [_problem(p) for p in e.problems],
                    "unjudged": e.unjudged,
                }
                for e in judged.entries
            ],
        }
    single = cursor.single(root) if judged is None else None
    if single is not None and single[1] is cursor.LINK:
        note = NOT_FOLLOWED.format(cursor.MANIFEST)
        clients["cursor"] = {"rules": cursor.RULES, "catalog": cursor.MANIFEST, "verdict": "unjudged", "note": note}
    elif single is not None:  # one Cursor plugin at the root, with no catalog (Cursor's template)
        clients["cursor"] = {
            "rules": cursor.RULES,
            "catalog": cursor.MANIFEST,
            "verdict": "pass" if not single[0] and isinstance(single[1], dict) else "fail",
            "marketplace": None,
            "problems": [_problem(p) for p in single[0]],
            "entries": [],
        }
    plugin = agentplugins.read(root)
    if plugin is not None:
        clients["agent-plugins"] = {
            "rules": agentplugins.RULES,
            "manifest": agentplugins.MANIFEST,
            "verdict": "unjudged" if plugin.unjudged else ("pass" if plugin.valid else "fail"),
            "name": _t(plugin.name),
            "note": plugin.unjudged,
            "problems": [
                {"file": p.file, "path": _t(p.path), "message": _t(p.message), "severity": p.severity} for p in plugin.problems
            ],
        }
    found = skills.judge_all(root)
    if found:
        clients["agent-skills"] = {
            "rules": skills.RULES,
            "verdict": "pass" if all(s.valid for s in found) else "fail",
            "skills": [
                {"folder": _t(s.folder), "name": _t(s.name), "valid": s.valid, "errors": [_t(e) for e in s.errors]} for s in found
            ],
        }
    return out


def _t(value: str | None) -> str | None:
    """A stranger's text as the report may print it: normalized (no control sequences, no lone
    surrogates) and capped."""
    return None if value is None else clean(value, LINE_CAP)


def _codex_verdict(seen: codex.CodexCatalog) -> str:
    if seen.unjudged:
        return "unjudged"
    return "fail" if not seen.accepted or any(e.installs is False for e in seen.entries) else "pass"


def failed(value: dict[str, Any]) -> bool:
    return any(part["verdict"] == "fail" for part in value["clients"].values())


def _problem(problem: cursor.Problem) -> dict[str, str | None]:
    return {"file": problem.file, "path": _t(problem.path), "message": _t(problem.message)}


def lines(value: dict[str, Any]) -> list[tuple[str, str]]:
    """The report as (level, line) pairs for a terminal; level is ok, warn, fail or info."""
    out: list[tuple[str, str]] = []
    clients = value["clients"]
    if not clients:
        return [
            ("fail", f"{value['target']}: no catalog of Claude Code, Codex or Cursor, no Agent Plugins plugin and no Agent Skill")
        ]
    if "claude" in clients and clients["claude"]["verdict"] == "unjudged":
        out.append(("info", f"Claude Code  {clients['claude']['note']}"))
    elif "claude" in clients:
        c = clients["claude"]
        out.append(
            (
                _level(c["verdict"]),
                f"Claude Code  {c['catalog']}: {c['verdict']}, {_count(len(c['errors']), 'error')}, {_count(len(c['warnings']), 'warning')}  [{c['rules']}]",
            )
        )
        out += [("fail", f"  error   {e}") for e in c["errors"]] + [("warn", f"  warning {w}") for w in c["warnings"]]
    if "codex" in clients:
        c = clients["codex"]
        read = f"reads {c['catalog']}" + (" (it has no catalog of its own)" if c["reads_another_clients_catalog"] else "")
        if c["verdict"] == "unjudged":
            out.append(("info", f"Codex        {c['error']}"))
        elif c["error"]:
            out.append(("fail", f"Codex        {read}: refused: {c['error']}  [{c['rules']}]"))
        else:
            installs = sum(1 for e in c["entries"] if e["installs"])
            remote = sum(1 for e in c["entries"] if e["installs"] is None)
            summary = f"{len(c['entries'])} listed, {installs} install" + (f", {remote} remote (not judged)" if remote else "")
            out.append((_level(c["verdict"]), f"Codex        {read}: marketplace {c['marketplace']}, {summary}  [{c['rules']}]"))
            out += [("fail", f"  {e['name']}: {e['error']}") for e in c["entries"] if e["installs"] is False]
            out += [("info", f"  not listed: {d['name']}: {d['reason']}") for d in c["not_listed"]]
    if "cursor" in clients and clients["cursor"]["verdict"] == "unjudged":
        out.append(("info", f"Cursor       {clients['cursor']['note']}"))
    elif "cursor" in clients:
        c = clients["cursor"]
        bad = [*c["problems"], *(p for e in c["entries"] for p in e["problems"])]
        out.append(
            (_level(c["verdict"]), f"Cursor       {c['catalog']}: {c['verdict']}, {_count(len(bad), 'problem')}  [{c['rules']}]")
        )
        out += [("fail", f"  {p['file']} {p['path'] or '(entry)'}: {p['message']}") for p in bad]
    if "agent-plugins" in clients:
        c = clients["agent-plugins"]
        if c["verdict"] == "unjudged":
            out.append(("info", f"Agent Plugins {c['note']}"))
        else:
            bad = [p for p in c["problems"] if p["severity"] == "error"]
            head = (
                f"Agent Plugins {c['manifest']}: plugin {c['name']}, {c['verdict']}, {_count(len(bad), 'error')}  [{c['rules']}]"
            )
            out.append((_level(c["verdict"]), head))
            out += [
                ("fail" if p["severity"] == "error" else "warn", f"  {p['file']} {p['path'] or '(document)'}: {p['message']}")
                for p in c["problems"]
            ]
    if "agent-skills" in clients:
        c = clients["agent-skills"]
        wrong = [s for s in c["skills"] if not s["valid"]]
        out.append(
            (_level(c["verdict"]), f"Agent Skills {_count(len(c['skills']), 'skill')}, {len(wrong)} invalid  [{c['rules']}]")
        )
        out += [("fail", f"  {s['folder']}: {'; '.join(s['errors'])}") for s in wrong]
    return out


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _level(verdict: str) -> str:
    return {"pass": "ok", "warn": "warn", "fail": "fail", "unjudged": "info"}[verdict]
