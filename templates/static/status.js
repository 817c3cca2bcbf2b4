// "Why isn't it listed?": looks a repository up in api/v1/sources.json and says what the index
// knows. Every string from the file is set as text, never as HTML (last_error quotes what a
// stranger published).
const answer = document.getElementById('answer');
const form = document.getElementById('status-form');
const input = document.getElementById('repo');
const root = new URL(answer.dataset.root, location.href);
const SLUG = /^[a-z0-9-]+(\/[a-z0-9-]+)*$/;
const REPO = /^[a-z0-9._-]+\/[a-z0-9._-]+$/;
let sources = null;

function load() {
  sources = sources || fetch(answer.dataset.sources).then((r) => {
    if (!r.ok) throw new Error(`sources.json: HTTP ${r.status}`);
    return r.json();
  });
  sources.catch(() => { sources = null; }); // tried again on the next lookup
  return sources;
}

// "https://github.com/Owner/Repo.git/" and "Owner/Repo" name the same repository.
function wanted(text) {
  return text.trim().replace(/^(https?:\/\/)?(www\.)?github\.com\//i, '').replace(/\.git$/i, '').replace(/\/+$/, '').toLowerCase();
}

function line(parent, tag, text) {
  const node = document.createElement(tag);
  node.textContent = text;
  parent.append(node);
  return node;
}

function link(parent, href, text) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  parent.append(a);
  return a;
}

function day(iso) {
  return (iso || '').slice(0, 10);
}

function show(repo, file) {
  answer.replaceChildren();
  const entry = file.sources.find((s) => s.id.toLowerCase() === repo);
  if (!entry) {
    line(answer, 'h2', `Never seen: ${repo}`);
    line(answer, 'p', `No crawl up to ${day(file.generated_at)} has found this repository. If it has a .claude-plugin/marketplace.json, it is found once GitHub's code search returns it; the section below says how to be added sooner.`);
    return;
  }
  const fix = entry.reason ? (Object.hasOwn(file.fixes, entry.reason) ? file.fixes[entry.reason] : file.other_fix) : null;
  const listed = entry.marketplace && SLUG.test(entry.marketplace);
  const heading = { fresh: 'Listed', stale: 'Listed from an earlier crawl (stale)', invalid: 'Found but unreadable', removed: 'Removed' }[entry.state] || entry.state;
  line(answer, 'h2', `${heading}: ${entry.id}`);
  const facts = line(answer, 'p', '');
  if (entry.state === 'fresh') facts.textContent = `${entry.plugins} plugin${entry.plugins === 1 ? '' : 's'} listed; crawled ${day(entry.last_crawled)}. `;
  else if (entry.state === 'stale') facts.textContent = `Stale since ${day(entry.stale_since) || 'the last crawl'}; last tried ${day(entry.last_crawled)}. The listing of ${entry.plugins} plugin${entry.plugins === 1 ? '' : 's'} from the last good crawl is kept. `;
  else if (entry.state === 'invalid') facts.textContent = `Its .claude-plugin/marketplace.json was found on ${day(entry.last_crawled)} but cannot be read. `;
  else facts.textContent = `The repository was gone on ${day(entry.last_crawled)}; its plugins are no longer listed. `;
  if (listed) link(facts, new URL(`marketplaces/${entry.marketplace}/`, root).href, 'Its marketplace page');
  if (entry.last_error) {
    const error = line(answer, 'p', 'Last error: ');
    line(error, 'code', entry.last_error);
  }
  if (fix) line(answer, 'p', `How to fix it: ${fix}`);
}

async function check(text) {
  const repo = wanted(text);
  if (!REPO.test(repo)) {
    answer.replaceChildren();
    line(answer, 'p', 'Type the repository as owner/repo, for example anthropics/claude-code.');
    return;
  }
  answer.replaceChildren();
  line(answer, 'p', 'Looking it up…');
  try {
    show(repo, await load());
  } catch (error) {
    answer.replaceChildren();
    line(answer, 'p', `The list of sources did not load (${error.message}).`);
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const url = new URL(location.href);
  url.searchParams.set('repo', input.value.trim());
  history.replaceState(null, '', url);
  check(input.value);
});

const asked = new URLSearchParams(location.search).get('repo');
if (asked) {
  input.value = asked;
  check(asked);
}
