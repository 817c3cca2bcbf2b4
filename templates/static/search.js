// In-browser search: Pagefind finds candidates; rank.js ranks them with the command line's formula.
// Every string from the index is shown with textContent, never as HTML (SECURITY.md R-12).
import * as rank from './rank.js';

const script = document.currentScript || document.querySelector('script[data-root]');
const root = new URL(script.dataset.root, location.href);
const form = document.getElementById('search');
const input = document.getElementById('q');
const status = document.getElementById('status');
const list = document.getElementById('results');
const chips = document.getElementById('chips');
// Category names by slug, as the category select shows them (read once: cards and chips use them).
const CATEGORY_NAMES = new Map([...form.elements.category.options].map((o) => [o.value, o.textContent]));
const RISK = ['none', 'info', 'notice', 'elevated', 'high'];
const CLIENT_NAMES = { codex: 'Codex', cursor: 'Cursor', skill: 'Agent Skill', 'agent-plugins': 'Agent Plugins' };
const FACETS = ['category', 'marketplace', 'component', 'client', 'licence', 'risk'];
const BATCH = 24; // result fragments loaded at once
const SHOWN = 20;
const PAIR_DEPTH = 12; // results of each two-word search considered
// How a listing matches, which is also the order of answers (search/query.py): the id typed, the
// name typed, a name begun, every word in the name; then the rest. Within each, by score.
const EXACT_ID = 4;
const EXACT = 3;
const PREFIX = 2;
const NAMED = 1;

let pagefind = null;
let config = null;
let nameShards = null; // the shard prefixes of search/names/
const loaded = new Map(); // path -> parsed JSON (or null)
const searches = new Map(); // query -> Pagefind's answer

async function fetchJson(path) {
  if (!loaded.has(path)) {
    loaded.set(path, fetch(new URL(path, root)).then((r) => (r.ok ? r.json() : null)).catch(() => null));
  }
  return loaded.get(path);
}

// Once per page: the idle warm-up and a first search share one load, and a failed one is tried
// again by the next search.
let loading = null;
function load() {
  if (!loading) {
    loading = (async () => {
      const module = await import(new URL('pagefind/pagefind.js', root).href);
      // The command line does not favour short pages; its class weights are the pages' Pagefind weights.
      await module.options({ ranking: { pageLength: 0 } });
      await module.init();
      const settings = await fetchJson('search/config.json');
      if (!settings) throw new Error('search/config.json did not load');
      nameShards = (await fetchJson('search/names.json')) || [];
      config = settings;
      pagefind = module;
    })().catch((error) => {
      loading = null;
      loaded.delete('search/config.json');
      loaded.delete('search/names.json');
      throw error;
    });
  }
  return loading;
}

// A quoted search: the words themselves, not every word they begin (Pagefind's last word is a prefix).
function exact(text) {
  return `"${text.replace(/"/g, '')}"`;
}

async function pf(text) {
  if (!searches.has(text)) searches.set(text, pagefind.search(text));
  return searches.get(text);
}

// The pages holding a word itself (or a phrase, words in a row). Pagefind does not rank a quoted
// search, and reads quoted words as one phrase, so each word is asked alone.
const holders = new Map();
async function holding(text) {
  if (!holders.has(text)) holders.set(text, pf(exact(text)).then((s) => new Set(s.results.map((r) => r.id))));
  return holders.get(text);
}

// How many pages hold a joined name's word ("datapipeline") or both its halves ("data", "pipeline").
async function typedCount(concept) {
  const [joined, first, second] = await Promise.all([concept.text, ...concept.halves].map(holding));
  const out = new Set(joined);
  for (const id of first) if (second.has(id)) out.add(id);
  return out.size;
}

// Pagefind's ranked answer for the words, kept to the pages that hold each word itself.
async function rankedHolding(texts) {
  const sets = await Promise.all(texts.map(holding));
  return (await pf(texts.join(' '))).results.filter((r) => sets.every((s) => s.has(r.id)));
}

function fileName(prefix) {
  return Array.from(prefix).map((ch) => (/^[a-z0-9]$/.test(ch) ? ch : `_${ch.codePointAt(0).toString(16)}_`)).join('');
}

// The names shard that holds a key: the longest shard prefix the key starts with.
async function namesFor(key) {
  let best = null;
  for (const prefix of nameShards) {
    if (key.startsWith(prefix) && (!best || prefix.length > best.length)) best = prefix;
  }
  if (!best && key.length >= 2) best = nameShards.find((p) => p.startsWith(key.slice(0, 2)) && key.startsWith(p.slice(0, key.length))) || null;
  return shardNamed(best);
}

// The shortest shard prefix longer than a key that begins with it: the names the key begins,
// when the shard namesFor reads holds none of them (render/browser_search.py's _shards).
function deeperShard(key) {
  let best = null;
  for (const prefix of nameShards) {
    if (prefix.length > key.length && prefix.startsWith(key) && (!best || prefix.length < best.length || (prefix.length === best.length && prefix < best))) best = prefix;
  }
  return best;
}

async function shardNamed(prefix) {
  const shard = prefix ? await fetchJson(`search/names/${fileName(prefix)}.json`) : null;
  if (!shard) return {};
  // Each card is written once; a key lists [card number, kind] for each of its listings.
  const out = Object.create(null); // a key may be "constructor": no inherited names
  for (const [k, rows] of Object.entries(shard.keys)) out[k] = rows.map(([at, kind]) => ({ ...shard.cards[at], kind }));
  return out;
}

// A table's own value for a key, never an inherited one ("constructor" is a word people type).
function own(table, key) {
  return table && Object.hasOwn(table, key) ? table[key] : undefined;
}

async function wordsFor(letter) {
  return /^[a-z]$/.test(letter || '') ? ((await fetchJson(`search/words/${letter}.json`)) || { rows: [] }).rows : [];
}

// --- the query ---------------------------------------------------------------------------

async function inVocabulary(word) {
  return (await wordsFor(word[0])).some(([w]) => w === word);
}

// Known as written, or by its stem (search/query.py's _indexed): "crashing" where "crashes" is written.
async function known(word) {
  const stem = rank.stem(word);
  return (await wordsFor(word[0])).some(([w]) => w === word || (w[0] === stem[0] && rank.stem(w) === stem));
}

// The query's words: a CamelCase word the vocabulary does not have is split ("PRReviewToolkit");
// a word of another language is searched as its English words, and kept when the index holds it.
// In a query of another language its function words ("de", "für") are left out, and it is said
// to be foreign (query.py's _words).
async function words(text) {
  const out = [];
  let foreign = false;
  for (const cased of rank.withoutIdioms(rank.casedRuns(text), config.function_phrases || [])) {
    const folded = rank.fold(cased);
    const table = config.translations || {};
    let english = rank.translation(folded, table);
    if (!english.length) {
      // A table word with an ending, when the index does not know the word (query.py's _words).
      const bare = rank.uninflected(folded, table);
      if (bare.length && !(await holding(folded)).size && !(await known(folded))) english = bare;
    }
    if (english.length) {
      foreign = true;
      // As query.py's _words: a Chinese, Japanese or Korean run is kept; another word when known.
      if (rank.isCjk(folded) || (await holding(folded)).size || (await known(folded))) out.push(folded);
      out.push(...english);
      continue;
    }
    const base = rank.compoundBase(folded, config.compound_suffixes || []);
    // "vuejs", which no plugin says: "vue", when a plugin is named so (query.py's _words). Known by
    // the vocabulary, as the command line knows it: Pagefind reads "Vue.js" as "vuejs".
    if (base && !(await known(folded))) {
      out.push((own(await namesFor(base), base) || []).length ? base : folded);
      continue;
    }
    const parts = rank.humps(cased);
    if (parts.length > 1 && !(await inVocabulary(folded))) out.push(...parts);
    else out.push(folded);
  }
  const joining = new Set(config.function_words || []);
  return { ws: foreign ? out.filter((w) => !joining.has(rank.unaccented(w))) : out, foreign };
}

// Unknown words corrected as search/spelling.py corrects them (a word Pagefind finds is known).
async function corrections(ws) {
  const fixes = {};
  for (const word of new Set(ws)) {
    if (!rank.maxEdits(word) || !/[a-z]/.test(word) || rank.STOP_WORDS.has(word)) continue;
    // A word Pagefind finds exactly is known; only one it does not find needs the vocabulary (a
    // word of the same stem makes it known, as on the command line) before it is corrected.
    if ((await holding(word)).size || (await known(word))) continue;
    const rows = [...(await wordsFor(word[0])), ...(word[1] && word[1] !== word[0] ? await wordsFor(word[1]) : [])];
    const fixed = rank.correction(word, rows, config.min_correction);
    if (fixed && fixed !== word) fixes[word] = fixed;
  }
  return fixes;
}

// Stems of every multi-word synonym -> the words it stands for (search/concepts.py's phrase_map),
// and how search.toml spells the phrase, its stop words included ("end to end"); made once, as the
// command line keeps its phrase map, with the length of the longest phrase.
let phraseTable = null;
function phrases() {
  if (phraseTable) return phraseTable;
  const out = new Map();
  for (const [word, alternatives] of Object.entries(config.synonyms)) {
    for (const alternative of alternatives) {
      const stems = rank.tokens(alternative).join(' ');
      if (stems.includes(' ')) {
        if (!out.has(stems)) out.set(stems, { keys: [], spelled: new Set() });
        const known = out.get(stems);
        if (!known.keys.includes(word)) known.keys.push(word);
        known.spelled.add(alternative.toLowerCase().split(/[\s-]+/).join(' '));
      }
    }
  }
  phraseTable = { known: out, longest: Math.max(0, ...[...out.keys()].map((k) => k.split(' ').length)) };
  return phraseTable;
}

function forms(word, stems) {
  const out = [stems];
  for (const alternative of own(config.synonyms, word) || []) {
    const alt = rank.tokens(alternative);
    if (alt.length && !out.some((f) => f.join(' ') === alt.join(' '))) out.push(alt);
  }
  return out;
}

async function named(word) {
  return (await wordsFor(word[0])).some(([w, , isNamed]) => w === word && isNamed);
}

// The query's concepts, as search/query.py's _terms makes them, with their rarity.
async function concepts(ws) {
  // Each kept word with its place in the query: a phrase is searched as typed, stop words and all.
  const kept = ws.map((w, at) => [w, rank.STOP_WORDS.has(w) ? [] : rank.tokens(w, new Set()), at]).filter(([, s]) => s.length);
  const { known, longest } = phrases();
  const out = [];
  const seen = new Set();
  for (let i = 0; i < kept.length; ) {
    const [word, stems] = kept[i];
    let concept = null;
    // The longest synonym phrase the words begin ("test driven development" is tdd), then a
    // name's two halves (search/concepts.py).
    for (let size = Math.min(longest, kept.length - i); size > 1 && !concept; size--) {
      const span = kept.slice(i, i + size);
      const phrase = span.flatMap(([, s]) => s);
      if (known.has(phrase.join(' '))) {
        const { keys, spelled: written } = known.get(phrase.join(' '));
        const spelled = [phrase];
        for (const key of keys) {
          for (const f of forms(key, rank.tokens(key, new Set()))) if (!spelled.some((g) => g.join(' ') === f.join(' '))) spelled.push(f);
        }
        // Pagefind is asked the phrase as typed when search.toml writes it so, stop words and all
        // ("end to end"); else its words without them ("extract transform and load").
        const said = span.map(([w]) => w).join(' ');
        const typed = ws.slice(span[0][2], span[size - 1][2] + 1).join(' ');
        concept = { word: said, text: written.has(typed) ? typed : said, keys, forms: spelled };
        i += size;
      }
    }
    if (!concept && i + 1 < kept.length) {
      const [next, more] = kept[i + 1];
      if (rank.joinable(word, next) && (await named(word + next))) {
        concept = { word: `${word} ${next}`, text: word + next, halves: [word, next], forms: [rank.tokens(word + next, new Set()), [...stems, ...more]] };
        i += 2;
      }
    }
    if (!concept) {
      concept = { word, text: word, forms: forms(word, stems) };
      i += 1;
    }
    const id = concept.forms[0].join(' ');
    if (!seen.has(id)) {
      seen.add(id);
      out.push(concept);
    }
  }
  // A synonym that is another word of the query is that word's, not counted twice (query.py's _terms).
  const primaries = new Set(out.map((c) => c.forms[0].join(' ')));
  for (const concept of out) concept.forms = [concept.forms[0], ...concept.forms.slice(1).filter((f) => !primaries.has(f.join(' ')))];
  const weak = new Set(config.weak_words);
  for (const concept of out) {
    const main = concept.text.split(' ');
    // A phrase of the spellings ("machine learning") is searched as its keys ("ml") too, with their spellings.
    const spelled = concept.keys ? concept.keys.flatMap((key) => [key, ...(own(config.synonyms, key) || [])]) : own(config.synonyms, concept.word) || [];
    // A name's two halves ("fast api") also bring the synonyms of the name they make; a phrase does not.
    // A name's halves typed apart are also searched as typed ("tailwind css": the pages that say the
    // two words, which the command line finds as the name's second form).
    concept.alternatives = [...new Set([...spelled, ...(concept.word.includes(' ') && !concept.keys ? own(config.synonyms, main[0]) || [] : []), ...(concept.halves ? [concept.halves.join(' ')] : [])])]
      .filter((alt) => alt !== concept.text && !primaries.has(rank.tokens(alt).join(' ')));
    // The word, not words it begins; a name's two halves count the pages holding the joined
    // word or both halves, as typed (query.py's _holding).
    const found = concept.halves ? await typedCount(concept) : (await holding(concept.text)).size;
    const isWeak = concept.word.split(' ').every((w) => weak.has(w));
    concept.weak = isWeak;
    concept.held = found; // the pages that say the word: a plugin named by a word many say is not that thing
    concept.idf = Math.log(1 + config.plugins / (1 + found)) * (isWeak ? config.weak_weight : 1);
  }
  return out;
}

// --- candidates, ranking, copies -----------------------------------------------------------

// A result's entry from its card (a names shard's, or a page's: render/browser_search.py's card()).
function entryOf(card) {
  return {
    id: card.id || card.slug,
    slug: card.slug,
    title: card.title || card.slug,
    desc: card.desc || '',
    market: card.market || '',
    category: card.category || '',
    verdict: card.verdict || '',
    valid: Number(card.valid),
    signal: card.signal || '',
    risk: RISK.indexOf(card.risk || 'none'),
    stars: Number(card.stars || 0),
    starred: card.stars !== null && card.stars !== undefined, // null: no GitHub metrics
    mult: Number(card.mult || 0) / 1e6,
    static: Number(card.static || 0),
    grp: card.grp || card.slug,
    canon: Number(card.canon || 0),
    also: Number(card.also || 0),
    components: (card.components || '').split(' '),
    clients: card.clients === undefined ? ['claude'] : String(card.clients).split(' ').filter(Boolean), // search/records.py's works_in
    counts: Array.isArray(card.n) ? card.n.map(Number) : [],
    licence: card.licence || '',
    updated: Number(card.updated || 0),
    terms: rank.classTerms(card.terms),
    names: (card.names || []).map(rank.key).filter(Boolean),
  };
}

// A result page's card: the id of its search record's hidden element, its spaces written _
// (render/browser_search.py's id_safe).
const ANCHOR = 'ao-search:';
function fromFragment(data) {
  const anchor = (data.anchors || []).find((a) => typeof a.id === 'string' && a.id.startsWith(ANCHOR));
  if (!anchor) return { slug: '' };
  try {
    return entryOf(JSON.parse(anchor.id.slice(ANCHOR.length).replace(/_/g, ' ')));
  } catch {
    return { slug: '' };
  }
}

function wanted(entry, filters) {
  if (filters.category && entry.category !== filters.category) return false;
  if (filters.marketplace && entry.market.toLowerCase() !== filters.marketplace.toLowerCase()) return false;
  if (filters.component && !entry.components.includes(filters.component)) return false;
  if (filters.client && !entry.clients.includes(filters.client)) return false;
  if (filters.licence && entry.licence !== filters.licence) return false;
  if (filters.risk === 'high') return entry.risk === RISK.indexOf('high');
  if (filters.risk && entry.risk > RISK.indexOf(filters.risk)) return false;
  return true;
}

// The name key a query (its words) looks names up by (search/concepts.py's name_key): its own,
// or, when no plugin is named so and the query is one package-style name ("tailwindcss") or one
// typed apart ("tailwind css": a word and a suffix), its base when a plugin is named that.
async function nameKey(words) {
  const key = rank.key(words.join(' '));
  if (!key || words.length > 2 || (own(await namesFor(key), key) || []).length) return key;
  const base = rank.compoundBase(key, config.compound_suffixes || []);
  if (!base || (words.length === 2 && rank.key(words[0]) !== base)) return key;
  return (own(await namesFor(base), base) || []).length ? base : key;
}

// The listings whose name key is the query's (or begins with it), from search/names/.
async function namedListings(typed) {
  const out = [];
  const key = await nameKey(rank.withoutIdioms(rank.runs(typed), config.function_phrases || []));
  if (!key) return out;
  const shard = await namesFor(key);
  for (const card of own(shard, key) || []) out.push({ entry: entryOf(card), tier: card.kind === 'id' ? EXACT_ID : EXACT, relevance: 1, match: card.kind === 'id' ? 'the id' : 'the name' });
  if (key.length >= 3) {
    const begun = (names) => Object.keys(names).filter((k) => k !== key && k.startsWith(key));
    const deeper = begun(shard).length ? null : deeperShard(key);
    const names = deeper ? await shardNamed(deeper) : shard;
    const longer = begun(names).sort((a, b) => a.length - b.length || (a < b ? -1 : 1)).slice(0, 200);
    for (const k of longer) {
      for (const card of names[k]) {
        if (card.kind === 'name' && card.names.some((n) => rank.alignedPrefix(key, n))) {
          out.push({ entry: entryOf(card), tier: PREFIX, relevance: 0.85 + (0.1 * key.length) / k.length, match: 'the start of the name' });
        }
      }
    }
  }
  return out;
}

// Each copy group once, in order of its best hit, shown by its best-tier listing, then the one
// the index prefers (valid, the original, the best static score).
function collapse(rows) {
  const groups = new Map();
  for (const row of rows) {
    if (!groups.has(row.entry.grp)) groups.set(row.entry.grp, []);
    groups.get(row.entry.grp).push(row);
  }
  const preferred = (a, b) => b.tier - a.tier || b.entry.valid - a.entry.valid || b.entry.canon - a.entry.canon || b.entry.static - a.entry.static || (a.entry.id < b.entry.id ? -1 : 1);
  return [...groups.values()].map((members) => ({ ...[...members].sort(preferred)[0], score: members[0].score }));
}

function order(a, b) {
  return b.tier - a.tier || Math.round(b.score * 1e9) - Math.round(a.score * 1e9) || (a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0);
}

export async function ranked(text, filters) {
  await load();
  let { ws, foreign } = await words(text);
  // A query of another language is not spelled as English ("crear" is not "clear").
  const fixes = foreign ? {} : await corrections(ws);
  const corrected = Object.keys(fixes).length > 0;
  if (corrected) ws = ws.map((w) => fixes[w] || w);
  const asked = corrected ? ws.join(' ') : text;
  const found = await concepts(ws);
  const rows = new Map(); // slug -> row
  for (const row of await namedListings(asked)) {
    row.score = row.relevance * row.entry.mult;
    if (wanted(row.entry, filters) && (!rows.has(row.entry.slug) || rows.get(row.entry.slug).tier < row.tier)) rows.set(row.entry.slug, row);
  }
  // Candidates: pages holding every word first (Pagefind's AND), then pages holding two of them
  // (the rarer the pair, the earlier), then pages Pagefind ranks high for one rare word: each
  // word's results add its rarity, less the lower they rank.
  const narrowing = Object.values(filters).some(Boolean);
  // Pagefind reads the last word of a query as a prefix ("mem" finds "memory"), so its ranked answers
  // are kept to the pages its quoted (exact) searches find.
  let all = [];
  if (found.length) all = (await rankedHolding(found.map((c) => c.text))).slice(0, narrowing ? 5 * BATCH : 2 * BATCH);
  // A word's synonyms answer too ("kubernetes" finds k8s-helper): the best pages holding each
  // synonym in its place, one for every two pages holding the words as typed. Only one-word
  // synonyms here (each phrase would load the index of each of its words); phrases when widening.
  const synonymous = [];
  for (const concept of found) {
    for (const alternative of concept.alternatives.filter((a) => !/[\s-]/.test(a))) {
      synonymous.push(...(await rankedHolding(found.map((c) => (c === concept ? alternative : c.text)))).slice(0, PAIR_DEPTH));
    }
  }
  const candidates = [];
  const seen = new Set();
  const add = (results) => {
    for (const r of results) if (!seen.has(r.id)) { seen.add(r.id); candidates.push(r); }
  };
  for (let i = 0; i < Math.max(all.length, 2 * synonymous.length); i++) {
    if (i < all.length) add([all[i]]);
    if (i % 2 === 1 && (i - 1) / 2 < synonymous.length) add([synonymous[(i - 1) / 2]]);
  }
  // Enough pages hold every word: they are the answer. Too few: widen to pages holding some.
  const widen = all.length < BATCH && (found.length > 1 || found.some((c) => c.alternatives.length));
  if (widen) {
    if (found.length > 2 && found.length <= 5) {
      const pairs = [];
      for (let i = 0; i < found.length; i++) for (let j = i + 1; j < found.length; j++) pairs.push([found[i], found[j]]);
      pairs.sort((a, b) => b[0].idf + b[1].idf - (a[0].idf + a[1].idf));
      // The best of each pair, interleaved, so no one pair fills the batch.
      const lists = [];
      for (const [a, b] of pairs) lists.push((await rankedHolding([a.text, b.text])).slice(0, PAIR_DEPTH));
      for (let i = 0; i < PAIR_DEPTH; i++) for (const list of lists) if (i < list.length) add([list[i]]);
      // A pair with a word's one-word synonym ("security" for "vulnerability"): the command line counts a
      // synonym in the name, so the few best pages of each such pair are candidates too.
      const spelled = [];
      for (const [a, b] of pairs) {
        for (const [one, other] of [[a, b], [b, a]]) {
          for (const alt of one.alternatives.filter((w) => !/[\s-]/.test(w))) spelled.push((await rankedHolding([alt, other.text])).slice(0, PAIR_DEPTH / 2));
        }
      }
      for (let i = 0; i < PAIR_DEPTH / 2; i++) for (const list of spelled) if (i < list.length) add([list[i]]);
    }
    const weight = new Map();
    const pages = new Map();
    for (const concept of found) {
      const mine = new Map();
      const own = await holding(concept.text);
      const forms = own.size < BATCH ? [concept.text, ...concept.alternatives] : [concept.text];
      for (const form of forms) {
        (await rankedHolding([form])).forEach((r, rank) => {
          const value = concept.idf / (1 + rank / 10);
          if (!mine.has(r.id) || mine.get(r.id) < value) mine.set(r.id, value);
          pages.set(r.id, r);
        });
      }
      for (const [id, value] of mine) weight.set(id, (weight.get(id) || 0) + value);
    }
    const any = [...weight.entries()].sort(([a, wa], [b, wb]) => wb - wa || (a < b ? -1 : 1));
    add(any.map(([id]) => pages.get(id)));
  }
  // One batch of result fragments when pages hold every word, two when widened, more for facets.
  const limit = narrowing ? 5 * BATCH : widen ? 3 * BATCH : 2 * BATCH;
  const least = widen ? 2 * BATCH : BATCH;
  for (let start = 0; start < Math.min(candidates.length, limit) && (start < least || rows.size < SHOWN); start += BATCH) {
    const datas = await Promise.all(candidates.slice(start, start + BATCH).map((r) => r.data()));
    for (const data of datas) {
      const entry = fromFragment(data);
      if (!entry.slug || !wanted(entry, filters)) continue;
      // Names typed or begun were found in search/names/; a page adds how well its words match.
      const scored = rank.relevance(found, entry.terms, config, false, entry.names);
      const tier = scored.named ? NAMED : 0;
      const relevance = scored.relevance;
      const match = scored.named ? 'every word in the name' : '';
      const row = { entry, tier, relevance, match, score: relevance * entry.mult };
      const had = rows.get(entry.slug);
      if (!had || row.tier > had.tier) rows.set(entry.slug, row);
    }
  }
  // search/query.py's floor: a match far weaker than the best one is left out.
  const best = Math.max(0, ...[...rows.values()].filter((r) => r.tier <= NAMED).map((r) => r.relevance));
  for (const [slug, row] of rows) if (row.tier <= NAMED && row.relevance < config.floor * best) rows.delete(slug);
  for (const row of rows.values()) row.score = row.relevance * row.entry.mult;
  const results = collapse([...rows.values()].sort(order)).sort(order);
  return { results, corrected: corrected ? asked : null, total: results.length, more: candidates.length > limit };
}

// --- the page ----------------------------------------------------------------------------

// A card's component counts (render/browser_search.py's CARD_COUNTS), with the icon class of each.
const KINDS = [['commands', 'command'], ['agents', 'agent'], ['skills', 'skill'], ['hooks', 'hook'], ['mcp', 'MCP server'], ['lsp', 'LSP server']];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function hidden(text) {
  return el('span', 'visually-hidden', text);
}

// A result as the site's plugin cards show one (templates/_macros.html's plugin_card).
function card(row) {
  const e = row.entry;
  const item = el('li', 'result card');
  const head = el('div', 'head');
  const link = el('a', '', e.title);
  link.href = new URL(`plugins/${e.slug}/`, root).href;
  const heading = el('h2');
  heading.append(link);
  head.append(heading, ' ', el('span', e.valid ? 'badge good k k-good' : 'badge bad k k-bad', e.valid ? e.verdict.replace(/, \d+ warnings?$/, '') || 'passes' : e.verdict));
  if (e.risk >= RISK.indexOf('elevated')) head.append(' ', el('span', `badge level-${RISK[e.risk]}`, `${RISK[e.risk]} risk`));
  for (const name of e.clients.filter((c) => c !== 'claude')) head.append(' ', el('span', 'badge client', CLIENT_NAMES[name] || name));
  item.append(head);
  if (e.desc) item.append(el('p', 'desc', e.desc));
  const meta = el('p', 'meta', [e.market, CATEGORY_NAMES.get(e.category) || e.category].filter(Boolean).join(' · '));
  if (e.also) meta.append(' · ', el('span', 'k k-copies', `also in ${e.also} other marketplace${e.also === 1 ? '' : 's'}`));
  if (e.signal) meta.append(` · ${RISK[e.risk]}: ${e.signal}`);
  item.append(meta);
  const facts = el('ul', 'facts-line');
  KINDS.forEach(([kind, label], i) => {
    const n = e.counts[i] || 0;
    if (n) facts.append(el('li', `k k-${kind}`, `${n} ${label}${n === 1 ? '' : 's'}`));
  });
  if (!facts.childElementCount) facts.append(el('li', '', 'no components found'));
  if (e.starred) {
    const stars = el('li', 'k k-stars', e.stars.toLocaleString('en'));
    stars.append(hidden(' stars'));
    facts.append(stars);
  }
  if (e.updated) {
    const day = String(e.updated);
    const when = el('li', 'k k-updated');
    when.append(hidden('updated '), el('time', '', `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`));
    facts.append(when);
  }
  const compare = el('a', 'compare-link', 'Compare');
  compare.href = new URL(`compare/?p=${encodeURIComponent(e.slug)}`, root).href;
  compare.setAttribute('aria-label', `Compare ${e.title} with other plugins`);
  const last = el('li');
  last.append(compare);
  facts.append(last);
  item.append(facts);
  return item;
}

// The categories of a query's results, as chips with how many of these results each holds (a
// narrowed search may find more): one press narrows to a category, a second widens again. The
// category select stays the one place the filter lives; the pressed chip keeps the focus.
function chipsFor(rows) {
  const chosen = form.elements.category.value;
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.slug : undefined;
  const counts = new Map();
  for (const row of rows) counts.set(row.entry.category, (counts.get(row.entry.category) || 0) + 1);
  const top = [...counts].filter(([slug]) => slug && CATEGORY_NAMES.has(slug)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 8);
  chips.replaceChildren(...top.map(([slug, n]) => {
    const button = el('button', '', CATEGORY_NAMES.get(slug));
    button.type = 'button';
    button.setAttribute('aria-pressed', String(slug === chosen));
    button.dataset.slug = slug;
    button.append(' ', el('span', 'count', `${n}`), hidden(` of these results`));
    button.addEventListener('click', () => {
      form.elements.category.value = slug === chosen ? '' : slug;
      run();
    });
    const li = el('li');
    li.append(button);
    return li;
  }));
  if (focused !== undefined) {
    const again = [...chips.querySelectorAll('button')].find((b) => b.dataset.slug === focused);
    if (again) again.focus();
  }
}

function render(rows, query, asked) {
  list.replaceChildren(...rows.slice(0, SHOWN).map(card));
  chipsFor(rows);
  const fixed = asked ? `No match for “${asked}”; showing results for “${query}”. ` : '';
  const shown = Math.min(rows.length, SHOWN);
  status.textContent = fixed + (rows.length ? `${rows.length} plugin${rows.length === 1 ? '' : 's'} for “${query}”${shown < rows.length ? `, showing ${shown}` : ''}` : `No plugin matches “${query}”.`);
}

let asked = 0;

async function run() {
  const params = new URLSearchParams(new FormData(form));
  const query = (params.get('q') || '').trim();
  history.replaceState(null, '', `?${params}`);
  if (!query) { list.replaceChildren(); chips.replaceChildren(); status.textContent = ''; return; }
  const mine = ++asked;
  status.textContent = 'Searching…';
  const filters = Object.fromEntries(FACETS.map((k) => [k, params.get(k) || '']));
  let answer;
  try {
    answer = await ranked(query, filters);
  } catch {
    if (mine === asked) status.textContent = 'The search index did not load; try again in a moment.';
    return;
  }
  if (mine !== asked) return; // a newer query is on its way
  const sort = params.get('sort') || 'score';
  const key = { stars: (r) => -r.entry.stars, updated: (r) => -r.entry.updated, name: (r) => r.entry.title.toLowerCase() }[sort];
  const rows = key ? [...answer.results].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : order(a, b))) : answer.results;
  render(rows, answer.corrected || query, answer.corrected ? query : null);
}

// A catalog with many marketplaces offers them as suggestions, loaded when the field is first used.
const marketField = document.getElementById('f-marketplace');
if (marketField && marketField.dataset.list) {
  marketField.addEventListener('focus', async () => {
    const datalist = document.getElementById('marketplace-list');
    if (datalist.childElementCount) return;
    for (const id of await (await fetch(marketField.dataset.list)).json()) {
      const option = document.createElement('option');
      option.value = id;
      datalist.append(option);
    }
  }, { once: true });
}

let timer = null;
form.addEventListener('submit', (event) => { event.preventDefault(); run(); });
form.addEventListener('change', () => run());
input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 200); });
document.addEventListener('keydown', (event) => {
  if (event.key === '/' && document.activeElement !== input) { event.preventDefault(); input.focus(); }
});
// Pagefind's runtime (its script, worker, WebAssembly and index metadata) loads while the page is
// idle, so typing a query costs only what that query needs.
const warm = () => load().catch(() => {});
if ('requestIdleCallback' in window) requestIdleCallback(warm, { timeout: 3000 }); else setTimeout(warm, 500);
const initial = new URLSearchParams(location.search);
for (const [name, value] of initial) { if (form.elements[name]) form.elements[name].value = value; }
if (initial.get('q')) run();
