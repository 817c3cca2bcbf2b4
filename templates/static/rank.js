// The ranking of agentops-index's search, for the browser: the same words, stems, name keys,
// typo rules and formula as the command line (generator/agentops_index/search/), so a query is
// answered alike in both. tests/test_browser_rank.py runs these functions under node and compares
// them with the Python ones word for word.
//
// Every string that comes from the index is data: it is compared and counted, never evaluated or
// written as HTML.

const CJK = '\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff';
const RUN = new RegExp(`[${CJK}]+|(?:(?![${CJK}])[\\p{L}\\p{N}])+`, 'gu');
const CJK_RUN = new RegExp(`^[${CJK}]`, 'u');
const LATIN = /^[a-z]+$/;
const HUMP = /[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z0-9]+/g;
const INNER_CAPITAL = /[a-z0-9][A-Z]|[A-Z]{2}[a-z]/;

export const STOP_WORDS = new Set(('a an and are as at be by can for from have if in is it may not of on or tbd that the this to us we when will ' +
  'with yet you your i me my our want need would like please how do does some something should could so just ' +
  'into onto using use via').split(' '));

// C++, C#, F# and .NET as the words cpp, csharp, fsharp and dotnet (search/terms.py's symbols),
// matched without a lookbehind, which Safari before 16.4 cannot parse.
const SYMBOL = /(^|[^A-Za-z0-9_.#+])(c\+\+(?![A-Za-z_+])|[cf]#(?![A-Za-z_#])|\.net(?![A-Za-z_]))/gi;
const SYMBOL_WORDS = { 'c++': 'cpp', 'c#': 'csharp', 'f#': 'fsharp', '.net': 'dotnet' };

export function symbols(text) {
  return /[#+.]/.test(text) ? text.replace(SYMBOL, (m, before, symbol) => `${before} ${SYMBOL_WORDS[symbol.toLowerCase()]} `) : text;
}

export function fold(text) {
  return text.normalize('NFKC').toLowerCase();
}

export function runs(text) {
  return symbols(fold(text)).match(RUN) || [];
}

export function casedRuns(text) {
  return symbols(text.normalize('NFKC')).match(RUN) || [];
}

// The words (as typed) without those inside one of the phrases (folded, unaccented words): "en busca
// de" (looking for) is not a search (search/terms.py's without_idioms).
export function withoutIdioms(words, phrases) {
  const plain = words.map((w) => unaccented(fold(w)));
  const dropped = new Set();
  for (const phrase of phrases) {
    for (let start = 0; start + phrase.length <= plain.length; start++) {
      if (phrase.every((w, i) => plain[start + i] === w)) for (let i = 0; i < phrase.length; i++) dropped.add(start + i);
    }
  }
  return words.filter((_, i) => !dropped.has(i));
}

function bigrams(run) {
  if (run.length === 1) return [run];
  const out = [];
  for (let i = 0; i < run.length - 1; i++) out.push(run.slice(i, i + 2));
  return out;
}

// --- the Porter stemmer, as Whoosh's whoosh.lang.porter writes it (its regular expressions are
// anchored at the start of the word, as Python's re.match anchors them).
const STEP2 = {
  ational: 'ate', tional: 'tion', enci: 'ence', anci: 'ance', izer: 'ize', bli: 'ble', alli: 'al', entli: 'ent',
  eli: 'e', ousli: 'ous', ization: 'ize', ation: 'ate', ator: 'ate', alism: 'al', iveness: 'ive', fulness: 'ful',
  ousness: 'ous', aliti: 'al', iviti: 'ive', biliti: 'ble', logi: 'log',
};
const STEP3 = { icate: 'ic', ative: '', alize: 'al', iciti: 'ic', ical: 'ic', ful: '', ness: '' };
const CONS_SEQ = '[^aeiouy]+';
const VOWEL_SEQ = '[aeiou]+';
const MGR0 = new RegExp(`^(${CONS_SEQ})?${VOWEL_SEQ}${CONS_SEQ}`);
const MEQ1 = new RegExp(`^(${CONS_SEQ})?${VOWEL_SEQ}${CONS_SEQ}(${VOWEL_SEQ})?$`);
const MGR1 = new RegExp(`^(${CONS_SEQ})?${VOWEL_SEQ}${CONS_SEQ}${VOWEL_SEQ}${CONS_SEQ}`);
const S_V = new RegExp(`^(${CONS_SEQ})?[aeiouy]`);
const C_V = new RegExp(`^${CONS_SEQ}[aeiouy][^aeiouwxy]$`);
const ED_ING = /^(.*)(ed|ing)$/;
const AT_BL_IZ = /^(at|bl|iz)$/;
const STEP1B = /^([^aeiouylsz])\1$/;
const STEP2_RE = new RegExp(`^(.+?)(${Object.keys(STEP2).join('|')})$`);
const STEP3_RE = new RegExp(`^(.+?)(${Object.keys(STEP3).join('|')})$`);
const STEP4_1 = /^(.+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)$/;
const STEP4_2 = /^(.+?)(s|t)(ion)$/;
const STEP5 = /^(.+?)e$/;

function whooshPorter(word) {
  let w = word;
  if (w.length < 3) return w;
  const firstIsY = w[0] === 'y';
  if (firstIsY) w = 'Y' + w.slice(1);
  if (w.endsWith('s')) {
    if (w.endsWith('sses')) w = w.slice(0, -2);
    else if (w.endsWith('ies')) w = w.slice(0, -2);
    else if (w[w.length - 2] !== 's') w = w.slice(0, -1);
  }
  if (w.endsWith('eed')) {
    if (MGR0.test(w.slice(0, -3))) w = w.slice(0, -1);
  } else {
    const m = ED_ING.exec(w);
    if (m && S_V.test(m[1])) {
      w = m[1];
      if (AT_BL_IZ.test(w)) w += 'e';
      else if (STEP1B.test(w)) w = w.slice(0, -1);
      else if (C_V.test(w)) w += 'e';
    }
  }
  if (w.endsWith('y') && S_V.test(w.slice(0, -1))) w = w.slice(0, -1) + 'i';
  let m = STEP2_RE.exec(w);
  if (m && MGR0.test(m[1])) w = m[1] + STEP2[m[2]];
  m = STEP3_RE.exec(w);
  if (m && MGR0.test(m[1])) w = m[1] + STEP3[m[2]];
  m = STEP4_1.exec(w);
  if (m) {
    if (MGR1.test(m[1])) w = m[1];
  } else {
    m = STEP4_2.exec(w);
    if (m && MGR1.test(m[1] + m[2])) w = m[1] + m[2];
  }
  m = STEP5.exec(w);
  if (m && (MGR1.test(m[1]) || (MEQ1.test(m[1]) && !C_V.test(m[1])))) w = m[1];
  if (w.endsWith('ll') && MGR1.test(w)) w = w.slice(0, -1);
  if (firstIsY) w = 'y' + w.slice(1);
  return w;
}

// What Porter's step 1b leaves of a word once it drops "ed" or "ing" (after step 1a), else null.
function step1bBase(word) {
  let w = word;
  if (w.endsWith('sses') || w.endsWith('ies')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  if (w.endsWith('eed')) return null;
  for (const suffix of ['ed', 'ing']) {
    if (w.endsWith(suffix) && /^[^aeiouy]*[aeiouy]/.test(w.slice(0, -suffix.length))) return w.slice(0, -suffix.length);
  }
  return null;
}

// Whoosh's Porter with step 1b as Porter wrote it, "ff" kept and -er's doubled consonant undone
// (search/terms.py's porter): "planning" is "plan", "debugger" "debug", "diffing" "diff".
export function porter(word) {
  const base = step1bBase(word);
  if (base !== null && /(at|bl|iz)$/.test(base)) return whooshPorter(base + 'e');
  const out = whooshPorter(word);
  if ((out === base || word === out + 'er' || word === out + 'ers') && /([^aeiouylszf])\1$/.test(out)) return out.slice(0, -1);
  return out;
}

// search/terms.py's STEM_OVERRIDES: words Porter would cut down to another word of this domain.
const STEM_OVERRIDES = {"accessibility": "accessibl", "accessible": "accessibl", "inaccessible": "accessibl", "localization": "localiz", "localizations": "localiz", "localisation": "localiz", "localize": "localiz", "localise": "localiz", "localized": "localiz", "localised": "localiz", "localizing": "localiz", "localising": "localiz", "organization": "organiz", "organizations": "organiz", "organisation": "organiz", "organisations": "organiz", "experiment": "experiment", "experiments": "experiment", "experimental": "experiment", "experimenting": "experiment", "experience": "experienc", "experiences": "experienc", "localizes": "localiz", "localises": "localiz", "localizer": "localiz", "localizers": "localiz", "localiser": "localiz", "organize": "organiz", "organise": "organiz", "organized": "organiz", "organised": "organiz", "organizes": "organiz", "organises": "organiz", "organizing": "organiz", "organising": "organiz", "organizer": "organiz", "organizers": "organiz", "organiser": "organiz", "experimented": "experiment", "experimentation": "experiment", "experienced": "experienc", "added": "add", "adding": "add", "embed": "embed", "embeds": "embed"};

export function stem(word) {
  if (Object.hasOwn(STEM_OVERRIDES, word)) return STEM_OVERRIDES[word];
  return LATIN.test(word) && word.length > 3 ? porter(word) : word;
}

export function tokens(text, stop = STOP_WORDS) {
  const out = [];
  for (const run of runs(text)) {
    if (CJK_RUN.test(run)) out.push(...bigrams(run));
    else if (!stop.has(run)) out.push(stem(run));
  }
  return out;
}

export function isCjk(word) {
  return CJK_RUN.test(word);
}

// A word without its accents ("auditoría" -> "auditoria"): search/terms.py's unaccented.
export function unaccented(word) {
  return word.normalize('NFD').replace(/\p{Mn}/gu, '');
}

export const LONGEST_CJK = 12;

// The English words for a query word of another language (search/terms.py's translation).
export function translation(word, table) {
  if (!CJK_RUN.test(word)) {
    const plain = unaccented(word);
    return Object.hasOwn(table, plain) ? [...table[plain]] : twoEntries(plain, table);
  }
  if (Object.hasOwn(table, word)) return [...table[word]];
  const out = [];
  let i = 0;
  while (i < word.length) {
    let size = Math.min(LONGEST_CJK, word.length - i);
    for (; size > 1; size--) {
      const piece = word.slice(i, i + size);
      if (Object.hasOwn(table, piece)) {
        out.push(...table[piece]);
        break;
      }
    }
    i += size > 1 ? size : 1;
  }
  return out;
}

export const INFLECTIONS = ['en', 'n', 'es', 's', 'e'];
export const UNINFLECTED = 5;

// A table word with a plural or case ending ("sicherheitslücken"): its English words, else []. The
// caller asks only for a word the index does not know (search/terms.py's translation with known).
export function uninflected(word, table) {
  if (CJK_RUN.test(word)) return [];
  const plain = unaccented(word);
  for (const ending of INFLECTIONS) {
    const bare = plain.slice(0, -ending.length);
    if (!plain.endsWith(ending) || bare.length < UNINFLECTED) continue;
    const english = Object.hasOwn(table, bare) ? [...table[bare]] : twoEntries(bare, table); // "sicherheitsprüfungen"
    if (english.length) return english;
  }
  return [];
}

export const COMPOUND_PART = 4;

// A compound of two table entries, the longest first part first (terms._two_entries).
function twoEntries(word, table) {
  for (let cut = word.length - COMPOUND_PART; cut >= COMPOUND_PART; cut--) {
    const head = word.slice(0, cut);
    const tail = word.slice(cut);
    if (!Object.hasOwn(table, tail)) continue;
    let headWords = Object.hasOwn(table, head) ? table[head] : null;
    if (headWords === null && head.endsWith('s') && head.length > COMPOUND_PART) {
      const bare = head.slice(0, -1);
      headWords = Object.hasOwn(table, bare) ? table[bare] : null;
    }
    if (headWords !== null) return [...headWords, ...table[tail]];
  }
  return [];
}

// "vuejs" -> "vue": a package-style name's base before a suffix of [compounds] (terms.compound_base).
export function compoundBase(word, suffixes) {
  for (const suffix of suffixes) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3 && /^[a-z]+$/.test(word)) return word.slice(0, -suffix.length);
  }
  return null;
}

export function humps(word) {
  if (!INNER_CAPITAL.test(word)) return [word];
  const parts = word.match(HUMP) || [];
  return parts.length > 1 && parts.join('') === word ? parts.map((p) => p.toLowerCase()) : [word];
}

export function splitHumps(text) {
  return text.replace(/[A-Za-z0-9]+/g, (w) => humps(w).join(' '));
}

export function key(text) {
  return runs(text).join('');
}

export function nameWords(name) {
  return runs(splitHumps(name));
}

export function alignedPrefix(queryKey, name, least = 3) {
  let done = '';
  for (const word of nameWords(name)) {
    const rest = queryKey.slice(done.length);
    if (!queryKey.startsWith(done) || !rest) return false;
    if (word.startsWith(rest) && (rest.length >= least || rest === word)) return true;
    done += word;
  }
  return false;
}

// Two query words may be the halves of one word only when one of them is short (search/query.py).
export function joinable(a, b) {
  return /^[\p{L}\p{N}]+$/u.test(a) && /^[\p{L}\p{N}]+$/u.test(b) && Math.min(a.length, b.length) <= 4;
}

// --- typos: the same limits as search/spelling.py --------------------------------------------

export function maxEdits(word) {
  return word.length <= 3 ? 0 : word.length < 8 ? 1 : 2;
}

// Optimal string alignment distance (insertions, deletions, substitutions, neighbours swapped).
export function osa(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

// Metaphone, as jellyfish computes it (its Rust implementation): the end of the word is the end.
export function metaphone(word) {
  let s = word.toLowerCase().normalize('NFKD');
  if (['kn', 'gn', 'pn', 'wr', 'ae'].some((p) => s.startsWith(p))) s = s.slice(1);
  const out = [];
  const isIn = (ch, set) => ch !== '' && set.includes(ch);
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    const next = i < s.length - 1 ? s[i + 1] : '';
    const nextnext = i < s.length - 2 ? s[i + 2] : '';
    if (c === next && c !== 'c') { i += 1; continue; }
    if ('aeiou'.includes(c)) {
      if (i === 0 || s[i - 1] === ' ') out.push(c);
    } else if (c === 'b') {
      if (!(i !== 0 && s[i - 1] === 'm') || next) out.push('b');
    } else if (c === 'c') {
      if ((next === 'i' && nextnext === 'a') || next === 'h') { out.push('x'); i += 1; }
      else if (isIn(next, 'iey')) { out.push('s'); i += 1; }
      else out.push('k');
    } else if (c === 'd') {
      if (next === 'g' && isIn(nextnext, 'iey')) { out.push('j'); i += 2; } else out.push('t');
    } else if ('fjlmnr'.includes(c)) {
      out.push(c);
    } else if (c === 'g') {
      if (isIn(next, 'iey')) out.push('j');
      else if (next === 'h' && !isIn(nextnext, 'aeiou')) i += 1;
      else if (next === 'n' && !nextnext) i += 1;
      else out.push('k');
    } else if (c === 'h') {
      if (i === 0 || isIn(next, 'aeiou') || !'aeiou'.includes(s[i - 1])) out.push('h');
    } else if (c === 'k') {
      if (i === 0 || s[i - 1] !== 'c') out.push('k');
    } else if (c === 'p') {
      if (next === 'h') { out.push('f'); i += 1; } else out.push('p');
    } else if (c === 'q') {
      out.push('k');
    } else if (c === 's') {
      if (next === 'h') { out.push('x'); i += 1; }
      else if (next === 'i' && isIn(nextnext, 'oa')) { out.push('x'); i += 2; }
      else out.push('s');
    } else if (c === 't') {
      if (next === 'i' && isIn(nextnext, 'oa')) out.push('x');
      else if (next === 'h') { out.push('0'); i += 1; }
      else if (next !== 'c' || nextnext !== 'h') out.push('t');
    } else if (c === 'v') {
      out.push('f');
    } else if (c === 'w') {
      if (i === 0 && next === 'h') { i += 1; out.push('w'); }
      else if (isIn(next, 'aeiou')) out.push('w');
    } else if (c === 'x') {
      if (i === 0) {
        if (next === 'h' || (next === 'i' && isIn(nextnext, 'oa'))) out.push('x'); else out.push('s');
      } else { out.push('k'); out.push('s'); }
    } else if (c === 'y') {
      if (isIn(next, 'aeiou')) out.push('y');
    } else if (c === 'z') {
      out.push('s');
    } else if (c === ' ') {
      if (out.length && out[out.length - 1] !== ' ') out.push(' ');
    }
    i += 1;
  }
  return out.join('').toUpperCase();
}

function plausible(word, candidate, distance) {
  return distance <= 1 || candidate[0] === word[0];
}

// The correction of one unknown word from [word, groups using it, named 0/1, metaphone] rows, or null.
export function correction(word, rows, minLength = 4) {
  const edits = maxEdits(word);
  if (!edits) return null;
  let best = null;
  for (const [w, df, named] of rows) {
    if (Math.abs(w.length - word.length) > edits || (!named && df < 2) || w.length < minLength) continue;
    const d = osa(word, w);
    if (d > edits || !plausible(word, w, d)) continue;
    const rank = [d, w[0] !== word[0] ? 1 : 0, -named, -df, w];
    if (!best || less(rank, best.rank)) best = { w, rank };
  }
  if (best) return best.w;
  if (word.length >= 6 && /^[a-z]+$/.test(word)) {
    const code = metaphone(word);
    for (const [w, df, named, sound] of rows) {
      if (!named || sound !== code) continue;
      const d = osa(word, w);
      if (d > 3 || !plausible(word, w, d)) continue;
      const rank = [d, -df, w];
      if (!best || less(rank, best.rank)) best = { w, rank };
    }
  }
  return best ? best.w : null;
}

function less(a, b) {
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i]) return true;
    if (a[i] > b[i]) return false;
  }
  return false;
}

// --- relevance and the score: search/query.py's formula -----------------------------------------

// A plugin's stemmed terms by class, from its Pagefind meta ("n=a b;k=c;c1=d;...").
export function classTerms(text) {
  const out = {};
  for (const part of (text || '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at)] = new Set(part.slice(at + 1).split(' ').filter(Boolean));
  }
  return out;
}

// The strongest class weight at which a plugin holds a concept (any form), and in how many classes.
export function holding(concept, terms, classes, synonym = 1) {
  let strength = 0;
  let own = 0;
  let places = 0;
  let named = false; // in the name, as the word or a synonym
  for (const [cls, weight] of Object.entries(classes)) {
    const set = terms[cls];
    if (!set) continue;
    const has = (form) => form.every((s) => set.has(s));
    if (concept.forms.some(has)) {
      places += 1;
      // A synonym counts config.synonym of the word itself (search/query.py's SYNONYM).
      const value = has(concept.forms[0]) ? weight : weight * synonym;
      if (value > strength) strength = value;
      if (cls === 'n') named = true;
      if ((cls === 'n' || cls === 'k' || cls === 'd') && weight > own) own = weight;
    }
  }
  return { strength, own, places, named };
}

// Whether a plugin's name keys hold one query word or its stem, not a weak one (search/concepts.py's named_by_a_word).
function namedBy(concept, names, config) {
  if (concept.weak || !concept.word || concept.word.includes(' ')) return false;
  if (!(concept.held <= config.name_word_rare * config.plugins)) return false; // a word many plugins say names little
  return [concept.word, ...concept.forms[0]].some((w) => names.includes(key(w)));
}

// Relevance in [0, 1] of one plugin for the query's concepts (each {word, forms, idf, weak, held}) and
// its name keys, and the tier.
export function relevance(concepts, terms, config, anyWord = false, names = []) {
  const classes = config.classes;
  const total = concepts.reduce((s, c) => s + c.idf, 0) || 1;
  let sum = 0;
  let best = 0;
  let allNamed = concepts.length > 0;
  const top = Math.max(...concepts.map((c) => c.idf), 1e-9);
  let covered = 0; // concepts (weak words aside) the name holds, and their summed rarity
  let coveredIdf = 0;
  for (const concept of concepts) {
    const held = holding(concept, terms, classes, config.synonym);
    const weight = concept.idf / total;
    if (held.strength > 0) {
      sum += weight * ((1 - config.spread) * held.strength + (config.spread * Math.min(held.places, config.spread_cap)) / config.spread_cap);
      // A plugin named by one of several query words is that thing (search/query.py's NAME_WORD).
      if (concepts.length > 1 && names.length && namedBy(concept, names, config)) sum += config.name_word * weight;
    }
    if (!held.named) allNamed = false;
    else if (concepts.length > 1 && !concept.weak && concept.held <= config.name_word_rare * config.plugins) {
      covered += 1;
      coveredIdf += concept.idf;
    }
    best = Math.max(best, (concept.idf / top) * held.own);
  }
  const nameWords = (terms.n && terms.n.size) || 1;
  if (allNamed) return { relevance: 0.7 + 0.1 * Math.min(1, concepts.length / nameWords), named: true };
  // A plugin whose name the query's few-said words cover is what was asked for (search/concepts.py's name_cover).
  if (covered) sum += (config.name_cover * Math.min(1, covered / nameWords) * coveredIdf) / total;
  const value = anyWord ? config.any_best * best + (1 - config.any_best) * sum : sum;
  return { relevance: config.text_ceiling * Math.min(1, value), named: false };
}
