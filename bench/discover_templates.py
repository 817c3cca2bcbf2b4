"""Which workflow template discover and orchestrate plan for an intent, against blind judgments.

    .venv/bin/python bench/discover_templates.py [--judgments bench/template_judgments.toml] [--verbose]

Each judged intent has the template a judge chose from the templates' titles, descriptions and
stage roles alone (``best``; ``none`` when no template is a sensible plan, as for a single task
such as "read pdf files"), and others the judge would accept (``ok``). How the judgments were
made is written at the top of the judgments file. Printed: how often the chosen template is the
judge's best, is acceptable (best or ok), and how often a template is proposed where the judge
wanted none, or none where the judge wanted one. No snapshot is needed: the choice reads only
the intent, the categories' words (data/categories.toml) and the templates (data/workflows/).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))

from agentops_index.assistant.discover import categories, choose, keywords  # noqa: E402
from agentops_index.bundles.workflows import load_templates  # noqa: E402
from agentops_index.snapshot.categories import load_taxonomy  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judgments", type=Path, default=ROOT / "bench" / "template_judgments.toml")
    parser.add_argument("--verbose", action="store_true", help="print every intent that misses")
    args = parser.parse_args()
    judged = tomllib.loads(args.judgments.read_text())["intent"]
    templates, lexicon = load_templates(), load_taxonomy().lexicon
    best = ok = false_plan = no_plan = 0
    for item in judged:
        words = keywords(item["q"])
        chosen = choose(templates, words, categories(words, lexicon))
        got = chosen.id if chosen else "none"
        accepted = {item["best"], *item.get("ok", [])}
        best += got == item["best"]
        ok += got in accepted
        false_plan += got != "none" and item["best"] == "none" and got not in accepted
        no_plan += got == "none" and item["best"] != "none"
        if args.verbose and got not in accepted:
            print(f"  {item['q']!r}: chose {got}, judged {item['best']} (ok {item.get('ok', [])})")
    n = len(judged)
    wanted_none = sum(1 for i in judged if i["best"] == "none")
    print(f"{n} intents ({wanted_none} judged to need no template)")
    print(f"  chosen = judge's best:     {best / n:.3f} ({best})")
    print(f"  chosen acceptable:         {ok / n:.3f} ({ok})")
    print(f"  a plan where none fits:    {false_plan} of {wanted_none}")
    print(f"  no plan where one fits:    {no_plan} of {n - wanted_none}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
