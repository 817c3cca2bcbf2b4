// Compare: two to four plugins side by side, read from their marketplaces' files of api/v1/
// (gzip-compressed JSON; DecompressionStream unpacks them). The picks live in the address
// (?p=<slug>&p=<slug>) and, so that "Compare" on another plugin's page adds to them, in this
// tab's sessionStorage. Everything from a record is set as text, never as HTML.
const MAX = 4;
const SLUG = /^[a-z0-9-]+(\/[a-z0-9-]+){2,}$/;
const KEY = 'agentops-compare';
const view = document.getElementById('compared');
const status = document.getElementById('compare-status');
const api = new URL(view.dataset.api, location.href);
const root = new URL(view.dataset.root, location.href);
const files = new Map(); // api path -> promise of its JSON

function stored() {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) || '[]');
    return Array.isArray(value) ? value.filter((s) => typeof s === 'string' && SLUG.test(s)) : [];
  } catch {
    return [];
  }
}

function save(picks) {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(picks));
  } catch {
    // storage refused (private mode): the address still holds the picks
  }
  const url = new URL(location.href);
  url.searchParams.delete('p');
  for (const slug of picks) url.searchParams.append('p', slug);
  history.replaceState(null, '', url);
}

// A plugin page's address ("https://…/plugins/owner/repo/name/") or its slug.
function slugOf(text) {
  let value = String(text).trim();
  if (/^[a-z]+:\/\//i.test(value) || value.startsWith('/')) {
    let path;
    try {
      path = new URL(value, location.href).pathname;
    } catch {
      return null;
    }
    const at = path.indexOf('/plugins/');
    value = at >= 0 ? path.slice(at + '/plugins/'.length) : '';
  }
  value = value.replace(/\/(index\.html)?$/, '').toLowerCase();
  return SLUG.test(value) ? value : null;
}

async function json(path) {
  if (!files.has(path)) {
    files.set(
      path,
      fetch(new URL(path, api)).then(async (response) => {
        if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
        const bytes = new Uint8Array(await response.arrayBuffer());
        // The file is gzip (a server may have unpacked it already, sending it with Content-Encoding).
        const unpacked = bytes[0] === 0x1f && bytes[1] === 0x8b ? new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip')) : new Blob([bytes]).stream();
        return JSON.parse(await new Response(unpacked).text());
      }),
    );
    files.get(path).catch(() => files.delete(path)); // a failed fetch is tried again next time
  }
  return files.get(path);
}

// The file of api/v1/ that holds a plugin's record, as its markdown view names it (its
// marketplace's slug is not always the start of the plugin's: copies and look-alike names).
async function fileOf(slug) {
  const response = await fetch(new URL(`plugins/${slug}/index.md`, root));
  if (!response.ok) throw new Error(`no plugin ${slug} in the index`);
  const line = (await response.text()).split('\n').find((l) => l.startsWith('- json: '));
  const found = line && line.match(/\/api\/v1\/(marketplaces\/[a-z0-9/_.-]+\.json\.gz) /);
  if (!found || found[1].includes('..')) throw new Error(`${slug}: its record's file is not named`);
  return found[1];
}

// A plugin's record: in its marketplace's file, or a later page of it.
async function record(slug) {
  let path = await fileOf(slug);
  for (let hops = 0; path && hops < 1000; hops++) {
    const file = await json(path);
    const found = (file.plugins || []).find((p) => p.slug === slug);
    if (found) return found;
    path = file.page && file.page.next;
  }
  throw new Error(`no plugin ${slug} in the index`);
}

function text(value) {
  return value && typeof value === 'object' && 'text' in value ? String(value.text) : value == null ? '' : String(value);
}

function cell(row, value, header = false) {
  const node = document.createElement(header ? 'th' : 'td');
  if (header) node.scope = 'row';
  if (value instanceof Node) node.append(value);
  else node.textContent = value;
  row.append(node);
  return node;
}

const KINDS = {
  commands: ['command', 'commands'],
  agents: ['agent', 'agents'],
  skills: ['skill', 'skills'],
  hooks: ['hook', 'hooks'],
  mcp_servers: ['MCP server', 'MCP servers'],
  lsp_servers: ['LSP server', 'LSP servers'],
};

const ROWS = [
  ['Marketplace', (r) => r.marketplace],
  ['Validator', (r) => (r.valid ? `passes${r.warnings ? `, ${r.warnings} warning${r.warnings === 1 ? '' : 's'}` : ''}` : `${r.errors} error${r.errors === 1 ? '' : 's'}`)],
  ['Score', (r) => (r.score ? r.score.static.toFixed(2) : 'none')],
  ['Score parts', (r) => (r.score ? Object.entries(r.score.parts).map(([k, v]) => `${k} ${Number(v).toFixed(2)}`).join(', ') : '')],
  ['Penalties', (r) => (r.score && r.score.penalties.length ? r.score.penalties.map((p) => `${p.name.replace('_', ' ')} ×${p.factor}`).join(', ') : 'none')],
  ['Highest signal', (r) => r.risk || 'none'],
  ['What it can do', (r) => (r.capabilities || []).join('; ')],
  ['Components', (r) => Object.entries(r.counts || {}).filter(([, n]) => n).map(([k, n]) => `${n} ${(KINDS[k] || [k, k])[n === 1 ? 0 : 1]}`).join(', ') || 'none found'],
  ['Context cost', (r) => `about ${r.context_tokens} tokens a session`],
  ['Stars', (r) => (r.metrics ? String(r.metrics.stars) : 'no GitHub metrics')],
  ['Last push', (r) => (r.metrics && r.metrics.pushed_at ? r.metrics.pushed_at.slice(0, 10) : 'unknown')],
  ['Content last changed', (r) => (r.last_changed || '').slice(0, 10)],
  ['Licence', (r) => (r.metrics && r.metrics.license) || text(r.untrusted && r.untrusted.license) || 'none declared'],
  ['Install', (r) => (r.install && r.install.plugin_install) || 'no install command'],
];

let drawn = 0; // the newest render: an older one that finishes later draws nothing

async function render(picks) {
  const mine = ++drawn;
  if (!picks.length) {
    view.replaceChildren();
    status.textContent = 'Nothing to compare yet: add a plugin above, or choose Compare on a plugin page.';
    return;
  }
  status.textContent = `Loading ${picks.length} plugin${picks.length === 1 ? '' : 's'}…`;
  const loaded = await Promise.all(picks.map((slug) => record(slug).then((r) => ({ slug, r }), (e) => ({ slug, error: e.message }))));
  if (mine !== drawn) return;
  draw(loaded);
  const failed = loaded.filter((l) => l.error).length;
  status.textContent = `${loaded.length - failed} plugin${loaded.length - failed === 1 ? '' : 's'} compared${failed ? `; ${failed} could not be read` : ''}${loaded.length < 2 ? '. Add another to compare.' : '.'}`;
}

function draw(loaded) {
  const table = document.createElement('table');
  table.className = 'compare';
  const caption = document.createElement('caption');
  caption.className = 'visually-hidden';
  caption.textContent = 'The plugins compared, one column each';
  const head = document.createElement('tr');
  const corner = document.createElement('td');
  head.append(corner);
  for (const { slug, r } of loaded) {
    const th = document.createElement('th');
    th.scope = 'col';
    const link = document.createElement('a');
    link.href = new URL(`plugins/${slug}/`, root).href;
    link.textContent = r ? text(r.untrusted.display_name) || text(r.untrusted.name) : slug.split('/').pop();
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = 'Remove';
    remove.setAttribute('aria-label', `Remove ${link.textContent} from the comparison`);
    remove.addEventListener('click', () => update(current().filter((s) => s !== slug)));
    th.append(link, document.createElement('br'), remove);
    head.append(th);
  }
  const thead = document.createElement('thead');
  thead.append(head);
  const body = document.createElement('tbody');
  for (const [label, show] of ROWS) {
    const row = document.createElement('tr');
    cell(row, label, true);
    for (const { r, error } of loaded) cell(row, r ? show(r) : error || '…');
    body.append(row);
  }
  table.append(caption, thead, body);
  view.replaceChildren(table);
}

function current() {
  return new URLSearchParams(location.search).getAll('p').map(slugOf).filter(Boolean);
}

function update(picks) {
  const unique = [...new Set(picks)].slice(-MAX);
  save(unique);
  return render(unique);
}

document.getElementById('compare-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('add');
  const slug = slugOf(input.value);
  if (!slug) {
    status.textContent = 'Paste a plugin page address, or type owner/repo/name.';
    return;
  }
  input.value = '';
  update([...current(), slug]);
});
document.getElementById('clear').addEventListener('click', () => update([]));

// Picks already made in this tab come first; the one this page was opened for joins them.
update([...stored(), ...current()]);
