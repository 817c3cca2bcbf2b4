"""templates/static/rank.js agrees with the command line word for word (run under node).

The browser ranks search results with rank.js; the command line with search/terms.py,
search/spelling.py, Whoosh's Porter stemmer, rapidfuzz and jellyfish. Any difference in how a
word is cut, stemmed, keyed or corrected would make the two answer differently, so every
function is run on the same inputs in both and compared. Skipped, saying why, without node.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import jellyfish
import pytest
from rapidfuzz.distance import OSA

from agentops_index.render.browser_search import word_files
from agentops_index.search import spelling, terms
from agentops_index.search.concepts import extent
from agentops_index.search.query import ORDER
from agentops_index.search.records import project_all
from agentops_index.snapshot import store

REPO = Path(__file__).resolve().parents[1]
RANK = REPO / "templates" / "static" / "rank.js"
SAMPLE = store.load(REPO / "data" / "snapshots" / "latest.json")
RUNNER = """
import * as rank from %s;
import { readFileSync } from 'node:fs';
const calls = JSON.parse(readFileSync(0, 'utf8'));
const extra = { relevanceFrom: (concepts, classes, config, names) => rank.relevance(concepts, rank.classTerms(classes), config, false, names) };
const out = {};
for (const [name, args] of Object.entries(calls)) out[name] = args.map((a) => (extra[name] || rank[name])(...a));
process.stdout.write(JSON.stringify(out));
"""
EDGE = [
    "PRReviewToolkit",
    "GitHub",
    "iOS開発",
    "代码审查工具",
    "コミットメッセージ 生成",
    "k8s a11y",
    "Straße café naïve",
    "pr-review-toolkit@anthropics/claude-code",
    "CommitCoach HTTPServer getHTTPResponse",
    "laugh thumb align design walkthrough",
    "x y z 42 3d",
    "C# and C++ on .NET, F#; ASP.NET, c#sharp, C++11, node.js, Ｃ＃",
    "Modern C++20 on .NET8; ıc# c#c# (c#) c# c#.net x.net",
]


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Any:
    binary = shutil.which("node")
    if binary is None:
        pytest.skip("node is not installed: rank.js cannot be run (the browser tests cover it where chromium is)")
    script = tmp_path_factory.mktemp("rank") / "run.mjs"
    script.write_text(RUNNER % json.dumps(RANK.as_uri()))

    def call(**calls: list[list[Any]]) -> dict[str, list[Any]]:
        done = subprocess.run([binary, str(script)], input=json.dumps(calls), capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        result: dict[str, list[Any]] = json.loads(done.stdout)
        return result

    return call


def texts() -> list[str]:
    out = list(EDGE)
    for plugin in SAMPLE.plugins:
        u = plugin.untrusted
        out += [u.name.text, u.description.text if u.description else "", " ".join(k.text for k in u.keywords)]
        out += [d.untrusted.name.text for d in (*plugin.components.commands, *plugin.components.skills)]
    judged = tomllib.loads((REPO / "bench" / "search_judgments.toml").read_text())["query"]
    return out + [q["q"] for q in judged]


def words() -> list[str]:
    found = sorted({w for t in texts() for w in re.findall(r"[a-z]+", t.lower())})
    # Step 1b's cases (Whoosh's own stemmer misses them): doubled consonants, at/bl/iz, l/s/z kept.
    step1b = [
        "planning",
        "embedded",
        "settings",
        "optimizing",
        "enabling",
        "rotated",
        "calling",
        "buzzing",
        "succeeding",
        "hoping",
        "debugger",
        "formatters",
        "diffing",
        "runner",
    ]
    return [*found, *step1b, "laugh", "thumb", "align", "breadcrumb", "enough", "xavier", "schedule", "knight", "wright"]


def test_words_keys_and_stems_agree(node: Any) -> None:
    given = texts()
    vocabulary = words()
    got = node(
        porter=[[w] for w in vocabulary],
        stem=[[w] for w in vocabulary],
        tokens=[[t] for t in given],
        key=[[t] for t in given],
        splitHumps=[[t] for t in given],
        runs=[[t] for t in given],
    )
    assert got["porter"] == [terms.porter(w) for w in vocabulary]
    assert got["stem"] == [terms.stem(w) for w in vocabulary]
    assert got["tokens"] == [terms.tokens(t) for t in given]
    assert got["key"] == [terms.key(t) for t in given]
    assert got["splitHumps"] == [terms.split_humps(t) for t in given]
    assert got["runs"] == [terms.runs(t) for t in given]


def test_translations_agree(node: Any) -> None:
    """Words of other languages are looked up alike (accents, CJK runs, longest entry first)."""
    from agentops_index.config import load_search

    table = {k: list(v) for k, v in load_search().translations.items()}
    given = [
        *EDGE,
        "auditoría",
        "AUDITORIA",
        "Überprüfung",
        "ueberpruefung",
        "тесты",
        "Тест",
        "代码审查工具",
        "流程图",
        "웹",
        "웹사이트",
        "datenbankfehler",
        "Sicherheitsüberprüfung",
        "sicherheitsueberpruefung",
    ]
    given += [w for t in given for w in terms.runs(t)] + list(table)[:200]
    cases = [[terms.fold(w), table] for w in given]
    got = node(translation=cases)
    assert got["translation"] == [terms.translation(w, load_search().translations) for w, _ in cases]
    assert any(got["translation"])


def test_inflected_translations_agree(node: Any) -> None:
    """A table word with a plural or case ending, for a word the index does not know, is looked
    up alike: search.js asks rank.uninflected after rank.translation finds nothing."""
    from agentops_index.config import load_search

    table = load_search().translations
    given = [
        "sicherheitslücken",
        "Sicherheitslücken",
        "Sicherheitsprüfungen",
        "datenbankfehlern",
        "anforderungen",
        "datenbanken",
        "revisiones",
        "findens",
        "strategies",
    ]
    given += ["profiles", "access", "テスト", "prüf", "codes", "findenx", *[w + "s" for w in list(table)[:150]]]
    cases = [terms.fold(w) for w in given]
    got = node(translation=[[w, dict(table)] for w in cases], uninflected=[[w, dict(table)] for w in cases])
    browser = [whole or inflected for whole, inflected in zip(got["translation"], got["uninflected"], strict=True)]
    assert browser == [terms.translation(w, table, lambda _: False) for w in cases]
    assert terms.translation("sicherheitslücken", table, lambda _: False) == ["vulnerability"]
    assert terms.translation("sicherheitslücken", table) == []  # without knowing the index, whole words only
    # A word plugins say stays English, though a table word without its ending ("strategie") is there.
    assert terms.translation("strategies", table, lambda w: w == "strategies") == []


def test_function_phrases_are_left_out_alike(node: Any) -> None:
    """ "en busca de" (looking for) is dropped from a query as the command line drops it."""
    from agentops_index.config import load_search

    phrases = load_search().function_phrases
    given = [
        "revisar el código en busca de errores",
        "Código EN BÚSQUEDA de",
        "en busca de en busca de",
        "analyse à la recherche d'erreurs",
        "auf der Suche nach Fehlern",
        "в поисках ошибок",
        "code search en busca",
        *EDGE,
    ]
    cases = [[terms.cased_runs(t), [list(p) for p in phrases]] for t in given]
    got = node(withoutIdioms=cases)
    assert got["withoutIdioms"] == [terms.without_idioms(words, phrases) for words, _ in cases]
    assert terms.without_idioms(terms.cased_runs("revisar el código en busca de errores"), phrases) == [
        "revisar",
        "el",
        "código",
        "errores",
    ]


def test_name_prefixes_agree(node: Any) -> None:
    cases = [
        ["frontenddes", "frontend-design"],
        ["prd", "pr-describer"],
        ["playw", "playwright-cli"],
        ["react", "react-native"],
        ["claudemdman", "claude-md-management"],
        ["pr", "pr-review-toolkit"],
        ["prreviewto", "PRReviewToolkit"],
    ]
    got = node(alignedPrefix=cases)["alignedPrefix"]
    assert got == [terms.aligned_prefix(a, b) for a, b in cases]


def test_typo_rules_agree(node: Any) -> None:
    long_words = [w for w in words() if len(w) >= 5]
    pairs = [[a, b] for a, b in zip(long_words, long_words[1:] + long_words[:1], strict=True)]
    pairs += [["laravle", "laravel"], ["chnagelog", "changelog"], ["playwrite", "playwright"], ["ab", "ba"]]
    got = node(metaphone=[[w] for w in long_words], osa=pairs, maxEdits=[[w] for w in long_words])
    assert got["metaphone"] == [jellyfish.metaphone(w) for w in long_words]
    assert got["osa"] == [OSA.distance(a, b) for a, b in pairs]
    assert got["maxEdits"] == [spelling.max_edits(w) for w in long_words]


def test_corrections_agree(node: Any, tmp_path: Path) -> None:
    """The browser corrects from the site's word files what the command line corrects from its store."""
    from agentops_index.search.session import open_searcher

    typos = ["chnagelog", "kubernetis", "helpr", "terrafrom", "secrts", "dockr", "playwrite", "revew", "dokcerfile"]
    path = tmp_path / "latest.json"
    path.write_bytes((REPO / "data" / "snapshots" / "latest.json").read_bytes())
    with open_searcher(str(path)) as searcher:
        expected = [spelling.best(t, searcher.store) for t in typos]
        files = word_files(searcher.store)
    rows = {Path(path).stem: json.loads(body)["rows"] for path, body in files.items()}
    given = [[t, rows.get(t[0], []) + (rows.get(t[1], []) if t[1] != t[0] else [])] for t in typos]
    assert node(correction=given)["correction"] == expected
    assert any(expected)


def test_relevance_agrees(node: Any, tmp_path: Path) -> None:
    """rank.js scores a plugin's class terms (its search card) as search/query.py scores the store:
    the same relevance, and the same verdict on every word being in the name."""
    from agentops_index.config import Ranking, load_search
    from agentops_index.render.browser_search import card, class_string, config
    from agentops_index.search.session import open_searcher

    settings = json.loads(config(load_search(), Ranking(), len(SAMPLE.plugins)))
    path = tmp_path / "latest.json"
    path.write_bytes((REPO / "data" / "snapshots" / "latest.json").read_bytes())
    queries = [
        "code review",
        "kubernetes deploy",
        "ci pipeline github actions",
        "write a changelog",
        "secrets",
        "k8s",
        "terraform plan",
        "software architect for microservices",  # a plugin named architect: one word of several
        "deploy to kubernetes",
    ]
    calls, expected = [], []
    with open_searcher(str(path)) as searcher:
        for text in queries:
            found = searcher._terms(searcher._words(text)[0])
            relevance, named, _ = searcher._relevance(found)
            docs = sorted(relevance, key=lambda d: -relevance[d])[:12]
            ids = {doc: row[0] for doc, row in searcher.store.listings(docs).items()}
            records = searcher.store.records(ids[d] for d in docs)
            weak = load_search().weak_words
            concepts = [
                {
                    "word": t.word,
                    "forms": t.forms,
                    "idf": t.idf,
                    "weak": all(w in weak for w in t.word.split()),
                    "held": len(extent(t, ORDER, searcher._docs, searcher._postings)[1]),  # search.js: pages saying it
                }
                for t in found
            ]
            for doc in docs:
                record = records[ids[doc]]
                names = [k for k in (terms.key(n) for n in card(record, Ranking())["names"]) if k]  # as search.js keys them
                calls.append([concepts, class_string(record), settings, names])
                expected.append((doc in named, None if doc in named else round(relevance[doc], 9)))
    got = node(relevanceFrom=calls)["relevanceFrom"]
    assert [(g["named"], None if g["named"] else round(g["relevance"], 9)) for g in got] == expected
    assert any(n for n, _ in expected) and any(not n for n, _ in expected)


def test_a_typed_beginning_finds_names_in_the_shard_the_browser_reads() -> None:
    """search.js reads the shard of the longest prefix a typed key begins with (namesFor); when
    that shard holds no name the key begins, the shortest deeper prefix the key begins
    (deeperShard). A split prefix's own shard holds the shortest names below it, so a key typed
    between shards (above a chain of one-letter steps, or beside another branch) still finds the
    names it begins: the command line's start-of-name tier. Cases from a fresh review."""
    from agentops_index.config import Ranking
    from agentops_index.render.browser_search import SHARD_MAX, name_files

    base = project_all(SAMPLE)[0]
    layouts = [
        ["amazonawscom"] + [f"amazonawscom-amazonawscom-service{i}" for i in range(3 * SHARD_MAX)],
        [f"amber{i}" for i in range(12)] + [f"amazonawscom-amazonawscom-service{i}" for i in range(3 * SHARD_MAX)],
        ["front"] + [f"frontend-{c}{i}" for c in "abc" for i in range(SHARD_MAX)],
        [f"fra{i}" for i in range(20)] + [f"frontend-{c}{i}" for c in "abc" for i in range(SHARD_MAX)],
    ]

    def begun(files: dict[str, bytes], key: str) -> list[str]:  # namedListings' start-of-name keys
        prefixes = json.loads(files["search/names.json"])

        def shard(prefix: str) -> list[str]:
            return list(json.loads(files[f"search/names/{prefix}.json"])["keys"])

        best = max((p for p in prefixes if key.startswith(p)), key=len, default=None)
        keys = [k for k in (shard(best) if best else []) if k != key and k.startswith(key)]
        deeper = sorted((p for p in prefixes if len(p) > len(key) and p.startswith(key)), key=lambda p: (len(p), p))
        return keys or ([k for k in shard(deeper[0]) if k != key and k.startswith(key)] if deeper else [])

    for names in layouts:
        records = [{**base, "id": f"{n}@x/y", "slug": f"x/y/p{i}", "name": n, "display_name": None} for i, n in enumerate(names)]
        files = name_files(records, Ranking())
        for typed in ("amazonawscomamazonawscomserv", "amazonawscom", "amazo", "fron", "front", "fronten", "frontenda1"):
            if any(n.replace("-", "").startswith(typed) and n.replace("-", "") != typed for n in names):
                assert begun(files, typed), (typed, names[0])


def test_names_shards_stay_short_and_distinct_under_hostile_names() -> None:
    """Hundreds of names sharing a long CJK prefix (or names that differ only in an accent) must
    neither make a file name the file system refuses nor write two shards to one file; hundreds
    sharing a long ASCII prefix (one marketplace's generated API plugins) still split."""
    from agentops_index.config import Ranking
    from agentops_index.render.browser_search import NAME_BYTES, SHARD_MAX, name_files

    base = project_all(SAMPLE)[0]
    long_cjk = "代码审查工具" * 12
    generated = [f"amazonaws-com-amazonaws-com-service{i}" for i in range(3 * SHARD_MAX)]
    names = [f"{long_cjk}{i}" for i in range(3 * SHARD_MAX)] + ["éa", "ue9a", "e9a"] + generated
    records = [{**base, "id": f"{n}@x/y", "slug": f"x/y/p{i}", "name": n, "display_name": None} for i, n in enumerate(names)]
    files = name_files(records, Ranking())
    prefixes = json.loads(files["search/names.json"])
    shards = [p for p in files if p.startswith("search/names/")]
    assert len(shards) == len(prefixes)  # one file per shard: no two prefixes share a file name
    assert max(len(Path(p).name.encode()) for p in shards) <= NAME_BYTES + len(".json")
    ascii_shards = [json.loads(files[p]) for p in shards if Path(p).name.startswith("amazonaws")]
    assert len(ascii_shards) > 2 and all(len(body["keys"]) <= SHARD_MAX for body in ascii_shards)
    for path in shards:  # each card once in its shard, every key pointing at a card
        body = json.loads(files[path])
        ids = [c["id"] for c in body["cards"]]
        assert len(ids) == len(set(ids))
        assert all(0 <= at < len(ids) and kind in ("name", "id") for rows in body["keys"].values() for at, kind in rows)
