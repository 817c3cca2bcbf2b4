// In-browser search: Pagefind finds the text; each result's meta (ours) narrows, sorts and ranks.
// Every string from the index is shown with textContent, never as HTML (SECURITY.md R-12).
const script = document.currentScript || document.querySelector('script[data-root]');
const root = new URL(script.dataset.root, location.href);
const form = document.getElementById('search');
const input = document.getElementById('q');
const status = document.getElementById('status');
const list = document.getElementById('results');
const RISK = ['none', 'info', 'notice', 'elevated', 'high'];
let pagefind = null;
let vocabulary = null;

function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

// The closest known word to each unknown one (distance <= 2), or null when nothing changes.
async function corrected(query) {
  if (!vocabulary) {
    vocabulary = new Set(await (await fetch(new URL('search/vocabulary.json', root))).json());
  }
  let changed = false;
  const words = query.toLowerCase().split(/\s+/).filter(Boolean).map((word) => {
    if (vocabulary.has(word) || word.length < 4) return word;
    let best = null;
    let bestDistance = 3;
    for (const known of vocabulary) {
      if (Math.abs(known.length - word.length) > 2) continue;
      const d = distance(word, known);
      if (d < bestDistance || (d === bestDistance && best !== null && known < best)) { best = known; bestDistance = d; }
    }
    if (best) { changed = true; return best; }
    return word;
  });
  return changed ? words.join(' ') : null;
}

async function load() {
  if (!pagefind) {
    pagefind = await import(new URL('pagefind/pagefind.js', root).href);
    await pagefind.init();
  }
}

function entryOf(data) {
  const meta = data.meta;
  return { slug: meta.slug, name: meta.title || meta.slug, category: meta.category, marketplace: meta.marketplace,
    components: (meta.components || '').split(' '), licence: meta.licence, risk: RISK.indexOf(meta.risk),
    score: Number(meta.score), stars: Number(meta.stars), updated: Number(meta.updated) };
}

function wanted(entry, filters) {
  if (filters.category && entry.category !== filters.category) return false;
  if (filters.marketplace && entry.marketplace !== filters.marketplace) return false;
  if (filters.component && !entry.components.includes(filters.component)) return false;
  if (filters.licence && entry.licence !== filters.licence) return false;
  if (filters.risk && entry.risk > RISK.indexOf(filters.risk) && filters.risk !== 'high') return false;
  if (filters.risk === 'high' && entry.risk !== RISK.indexOf('high')) return false;
  return true;
}

function render(rows, total, query, asked) {
  list.replaceChildren();
  for (const row of rows) {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = new URL(`plugins/${row.entry.slug}/`, root).href;
    link.textContent = row.entry.name;
    const meta = document.createElement('p');
    meta.className = 'meta';
    meta.textContent = `${row.entry.marketplace} · ${row.entry.category} · score ${row.entry.score / 1000}`;
    const excerpt = document.createElement('p');
    excerpt.textContent = row.excerpt;
    item.append(link, meta, excerpt);
    list.append(item);
  }
  const fixed = asked ? `No match for “${asked}”; showing results for “${query}”. ` : '';
  status.textContent = fixed + (total ? `${total} plugin${total === 1 ? '' : 's'} for “${query}”${rows.length < total ? `, showing ${rows.length}` : ''}` : `No plugin matches “${query}”.`);
}

async function run() {
  const params = new URLSearchParams(new FormData(form));
  const query = (params.get('q') || '').trim();
  history.replaceState(null, '', `?${params}`);
  if (!query) { list.replaceChildren(); status.textContent = ''; return; }
  status.textContent = 'Searching…';
  await load();
  const filters = Object.fromEntries(['category', 'marketplace', 'component', 'licence', 'risk'].map((k) => [k, params.get(k) || '']));
  let found = await pagefind.debouncedSearch(query, {}, 150);
  if (!found) return;
  let shown = query;
  if (found.results.length === 0) {
    const better = await corrected(query);
    if (better) {
      const retry = await pagefind.search(better);
      if (retry.results.length) { found = retry; shown = better; }
    }
  }
  // Relevance from Pagefind's order, combined with the published static score (data/ranking.toml).
  // Result fragments load in parallel batches; facets narrow them as they arrive. The default
  // (best match, no facet) needs one batch; a facet or another sort looks further down the list.
  const sort = params.get('sort') || 'score';
  const narrowing = sort !== 'score' || Object.values(filters).some(Boolean);
  const candidates = found.results.slice(0, 120);
  const rows = [];
  for (let start = 0; start < candidates.length && rows.length < (narrowing ? 60 : 20); start += 24) {
    const batch = candidates.slice(start, start + 24);
    const datas = await Promise.all(batch.map((result) => result.data()));
    datas.forEach((data, offset) => {
      const entry = entryOf(data);
      if (entry.slug && wanted(entry, filters)) {
        rows.push({ entry, excerpt: data.content.slice(0, 200), relevance: 1 - (start + offset) / candidates.length });
      }
    });
  }
  const key = {
    score: (r) => -(0.4 * r.relevance + 0.6 * r.entry.score / 1000),
    stars: (r) => -r.entry.stars,
    updated: (r) => -r.entry.updated,
    name: (r) => r.entry.name.toLowerCase(),
  }[sort];
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.entry.slug < b.entry.slug ? -1 : 1));
  render(rows.slice(0, 30), narrowing ? rows.length : found.results.length, shown, shown !== query ? query : null);
}

// A catalog with many marketplaces offers them as suggestions, loaded when the field is first used.
const marketField = document.getElementById('f-marketplace');
if (marketField && marketField.dataset.list) {
  marketField.addEventListener('focus', async () => {
    const list = document.getElementById('marketplace-list');
    if (list.childElementCount) return;
    for (const id of await (await fetch(marketField.dataset.list)).json()) {
      const option = document.createElement('option');
      option.value = id;
      list.append(option);
    }
  }, { once: true });
}

form.addEventListener('submit', (event) => { event.preventDefault(); run(); });
form.addEventListener('change', () => run());
input.addEventListener('input', () => run());
document.addEventListener('keydown', (event) => {
  if (event.key === '/' && document.activeElement !== input) { event.preventDefault(); input.focus(); }
});
const initial = new URLSearchParams(location.search);
for (const [name, value] of initial) { if (form.elements[name]) form.elements[name].value = value; }
if (initial.get('q')) run();
