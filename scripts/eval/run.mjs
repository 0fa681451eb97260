// `npm run eval`: search quality as a number. Ranks every labelled query against the corpus of real servers' manifests with
// mcplex's own search index (dist/), and prints recall@1, recall@3, MRR and the worst misses. Beside queries.json (whose
// odd half is held out) it ranks holdouts it never lists misses of (HOLDOUTS: more queries over the same corpus)
// and queries-extra.json (queries over corpus-extra.json: servers the search was never tuned on, ranked among both),
// and the holdouts again with older versions of some servers in place (corpus-old.json: descriptions that drifted).
// Usage: node scripts/eval/run.mjs [--json] [--misses N] [--tune]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const DIR = path.join(ROOT, 'scripts/eval');
/** How deep the ranking is read: a target found below this counts as a miss (reciprocal rank 0). */
const DEPTH = 10;

/** More queries over the same corpus, whose misses the eval never lists. */
const HOLDOUTS = [
  { file: 'holdout.json', label: 'second holdout (written after the first tuning, never looked at)' },
  { file: 'holdout-blind.json', label: 'third holdout (written blind: its author saw only the corpus)' },
  { file: 'holdout-blind2.json', label: 'fourth holdout (written blind after the vocabulary rounds, never looked at)' },
];

/** The corpus (servers with their tools) and the labelled queries. */
export function loadEval() {
  const corpus = JSON.parse(fs.readFileSync(path.join(DIR, 'corpus.json'), 'utf8'));
  const queries = JSON.parse(fs.readFileSync(path.join(DIR, 'queries.json'), 'utf8'));
  const ids = new Set(corpus.servers.flatMap((s) => s.tools.map((t) => `${s.name}/${t.name}`)));
  const optional = (file) => (fs.existsSync(path.join(DIR, file)) ? JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) : []);
  const holdouts = HOLDOUTS.map((h) => ({ ...h, queries: optional(h.file) })).filter((h) => h.queries.length);
  for (const q of [...queries, ...holdouts.flatMap((h) => h.queries)]) {
    for (const id of [q.want, ...(q.also ?? [])]) if (!ids.has(id)) throw new Error(`"${q.q}" names ${id}, which the corpus lacks`);
  }
  // Servers the search was never tuned on, with queries over them (ranked against both corpora together).
  const extraFile = path.join(DIR, 'corpus-extra.json');
  const extra = fs.existsSync(extraFile) ? JSON.parse(fs.readFileSync(extraFile, 'utf8')) : { servers: [] };
  const extraQueries = extra.servers.length ? JSON.parse(fs.readFileSync(path.join(DIR, 'queries-extra.json'), 'utf8')) : [];
  for (const s of extra.servers) for (const t of s.tools) ids.add(`${s.name}/${t.name}`);
  for (const q of extraQueries) {
    for (const id of [q.want, ...(q.also ?? [])]) if (!ids.has(id)) throw new Error(`queries-extra.json: "${q.q}" names ${id}, which neither corpus has`);
  }
  // More servers with phrasings, and queries over them written blind to the phrasings (ranked with the corpus).
  const moreFile = path.join(DIR, 'corpus-more.json');
  const more = fs.existsSync(moreFile) ? JSON.parse(fs.readFileSync(moreFile, 'utf8')) : { servers: [] };
  const moreQueries = more.servers.length && fs.existsSync(path.join(DIR, 'queries-more.json')) ? JSON.parse(fs.readFileSync(path.join(DIR, 'queries-more.json'), 'utf8')) : [];
  const moreIds = new Set([...ids, ...more.servers.flatMap((s) => s.tools.map((t) => `${s.name}/${t.name}`))]);
  for (const q of moreQueries) {
    for (const id of [q.want, ...(q.also ?? [])]) if (!moreIds.has(id)) throw new Error(`queries-more.json: "${q.q}" names ${id}, which corpus-more.json lacks`);
  }
  const oldFile = path.join(DIR, 'corpus-old.json');
  const older = fs.existsSync(oldFile) ? JSON.parse(fs.readFileSync(oldFile, 'utf8')) : { servers: [] };
  return { corpus, queries, holdouts, extra, extraQueries, older, more, moreQueries };
}

/**
 * The holdouts' queries for the servers of `older`, ranked with those servers at their older versions in place
 * (queries whose tool the older version lacks are left out).
 */
async function olderVersionRanks(ToolIndex, corpus, older, holdouts) {
  const replaced = new Set(older.servers.map((s) => s.name));
  if (!replaced.size) return undefined;
  const entries = await corpusEntries({ servers: [...corpus.servers.filter((s) => !replaced.has(s.name)), ...older.servers] });
  const ids = new Set(entries.map((e) => `${e.server}/${e.name}`));
  const index = new ToolIndex(entries);
  const queries = holdouts.flatMap((h) => h.queries).filter((q) => replaced.has(q.want.split('/')[0]) && ids.has(q.want));
  return { ...figures(queries.map((q) => rank(index, q))), servers: older.servers.length };
}

/**
 * The tool entries mcplex would index for these servers (as search_tools builds them), for servers configured
 * without a `description` (so the summary is what each server says about itself).
 */
export async function corpusEntries(corpus) {
  const { serverSummary } = await import(pathToFileURL(path.join(ROOT, 'dist/surface/summary.js')).href);
  return corpus.servers.flatMap((s) =>
    s.tools.map((t) => ({
      server: s.name,
      name: t.name,
      description: t.description,
      title: t.title,
      inputSchema: t.inputSchema,
      serverSummary: serverSummary(undefined, s),
    })),
  );
}

/** Each feature of the ranking switched off on its own (a tuning patch), to show what it adds. */
const ABLATIONS = {
  'agent vocabulary (related words)': { vocabularyWeight: 0 },
  'spelling correction': { spellingWeight: 0 },
  'server named in the query': { mentionBoost: 0 },
  'whole tool name covered': { nameCoverage: 0 },
  'background clause weighed less': { contextWeight: 1 },
  'destructive tools held back': { destructiveWeight: 1 },
  'parameter names': { field: 'params' },
  'server name and summary': { field: 'server' },
  'description after its first sentence': { field: 'body' },
  'phrasings of well-known tools': { field: 'phrasings' },
};

/** The rank (1-based, 0 = not in the top DEPTH) of each query's target. */
function rank(index, q) {
  const ok = new Set([q.want, ...(q.also ?? [])]);
  return index.search(q.q, { limit: DEPTH }).findIndex((h) => ok.has(`${h.server}/${h.tool}`)) + 1;
}

function figures(ranks) {
  return {
    queries: ranks.length,
    recallAt1: round(ranks.filter((r) => r === 1).length / ranks.length),
    recallAt3: round(ranks.filter((r) => r >= 1 && r <= 3).length / ranks.length),
    mrr: round(ranks.reduce((s, r) => s + (r ? 1 / r : 0), 0) / ranks.length),
  };
}

/** Runs every query; returns the figures, each query's outcome, and (with `ablation`) what each feature adds. */
export async function runEval({ ablation = false } = {}) {
  const { ToolIndex, DEFAULT_TUNING } = await import(pathToFileURL(path.join(ROOT, 'dist/surface/search.js')).href);
  const { tokenize } = await import(pathToFileURL(path.join(ROOT, 'dist/surface/text.js')).href);
  const { corpus, queries, holdouts, extra, extraQueries, older, more, moreQueries } = loadEval();
  const entries = await corpusEntries(corpus);
  const index = new ToolIndex(entries);
  const both = new ToolIndex([...entries, ...(await corpusEntries(extra))]);
  const started = performance.now();
  const outcomes = queries.map((q, i) => {
    const hits = index.search(q.q, { limit: DEPTH });
    const ok = new Set([q.want, ...(q.also ?? [])]);
    const rank = hits.findIndex((h) => ok.has(`${h.server}/${h.tool}`)) + 1;
    const toolWords = new Set(tokenize(q.want.split('/')[1]));
    const sharesNoWord = !tokenize(q.q).some((w) => toolWords.has(w));
    return { ...q, rank, sharesNoWord, heldOut: i % 2 === 1, top: hits.slice(0, 3).map((h) => `${h.server}/${h.tool}`) };
  });
  const msPerQuery = (performance.now() - started) / queries.length;
  const of = (list) => figures(list.map((o) => o.rank));
  const byKind = {};
  for (const kind of [...new Set(queries.map((q) => q.kind))]) byKind[kind] = of(outcomes.filter((o) => o.kind === kind));
  const without = {};
  if (ablation) {
    for (const [name, patch] of Object.entries(ABLATIONS)) {
      const tuning = patch.field ? { fields: { ...DEFAULT_TUNING.fields, [patch.field]: { weight: 0, b: 0 } } } : patch;
      const other = new ToolIndex(entries, tuning);
      without[name] = figures(queries.map((q) => rank(other, q)));
    }
  }
  const tools = corpus.servers.reduce((n, s) => n + s.tools.length, 0);
  return {
    corpus: { servers: corpus.servers.length, tools, capturedAt: corpus.capturedAt },
    ...of(outcomes),
    noSharedWord: of(outcomes.filter((o) => o.sharesNoWord)),
    // Tuning looks only at the misses of the even-numbered queries; the odd-numbered half shows whether it generalises.
    tuningHalf: of(outcomes.filter((o) => !o.heldOut)),
    heldOutHalf: of(outcomes.filter((o) => o.heldOut)),
    holdouts: holdouts.map((h) => ({ file: h.file, label: h.label, ...figures(h.queries.map((q) => rank(index, q))) })),
    // Servers the search was never tuned on: only the misses of the even half were looked at, the odd half not at all.
    ...(extraQueries.length ? newServerFigures(extraQueries.map((q) => rank(both, q))) : {}),
    // Servers phrased by writers who never saw the queries over them (written blind), ranked with the corpus.
    ...(moreQueries.length ? { moreServers: await moreServerFigures(ToolIndex, entries, more, moreQueries) } : {}),
    // Descriptions drift between versions: the same holdout queries against older versions of their servers.
    olderVersions: await olderVersionRanks(ToolIndex, corpus, older, holdouts),
    byKind,
    ...(ablation ? { without } : {}),
    msPerQuery: round(msPerQuery, 2),
    outcomes,
  };
}

/**
 * The queries over corpus-more.json ranked among its servers alone (a config of those servers), and among the corpus
 * too (their writer labelled no alternative from the corpus: a click on Playwright also clicks, but counts as a miss).
 */
async function moreServerFigures(ToolIndex, entries, more, queries) {
  const own = await corpusEntries(more);
  const alone = new ToolIndex(own);
  const among = new ToolIndex([...entries, ...own]);
  return {
    ...figures(queries.map((q) => rank(alone, q))),
    amongCorpus: figures(queries.map((q) => rank(among, q))),
    servers: more.servers.length,
  };
}

function newServerFigures(ranks) {
  return { newServers: figures(ranks), newServersTuning: figures(ranks.filter((_, i) => i % 2 === 0)), newServersHeldOut: figures(ranks.filter((_, i) => i % 2 === 1)) };
}

function round(x, d = 3) {
  return Math.round(x * 10 ** d) / 10 ** d;
}

/** Queries whose target ranked worst (missing from the top DEPTH first). */
export function worstMisses(outcomes, n) {
  const key = (o) => (o.rank === 0 ? DEPTH + 1 : o.rank);
  return outcomes.filter((o) => o.rank !== 1).sort((a, b) => key(b) - key(a)).slice(0, n);
}

async function main() {
  const args = process.argv.slice(2);
  const n = args.includes('--misses') ? Number(args[args.indexOf('--misses') + 1]) : 15;
  const r = await runEval({ ablation: !args.includes('--tune') });
  // --tune: misses of the tuning half only, so the held-out half stays unseen while tuning.
  if (args.includes('--tune')) r.outcomes = r.outcomes.filter((o) => !o.heldOut);
  if (args.includes('--json')) {
    const { outcomes, ...rest } = r;
    process.stdout.write(JSON.stringify({ ...rest, misses: worstMisses(outcomes, n) }, null, 2) + '\n');
    return;
  }
  const line = (name, f) => `  ${name.padEnd(40)} ${String(f.queries).padStart(4)}   ${f.recallAt1.toFixed(3)}   ${f.recallAt3.toFixed(3)}   ${f.mrr.toFixed(3)}`;
  const out = [
    `search eval: ${r.queries} queries over ${r.corpus.servers} servers, ${r.corpus.tools} tools (corpus captured ${r.corpus.capturedAt}); ${r.msPerQuery} ms per query`,
    `  ${'queries'.padEnd(40)} ${'n'.padStart(4)}   R@1     R@3     MRR`,
    line('all', r),
    line('sharing no word w/ tool', r.noSharedWord),
    line('tuning half (even)', r.tuningHalf),
    line('held-out half (odd)', r.heldOutHalf),
    ...r.holdouts.map((h) => line(h.file, h)),
    ...(r.newServers
      ? [line('new servers (queries-extra.json)', r.newServers), line('  their tuning half (even)', r.newServersTuning), line('  their held-out half (odd)', r.newServersHeldOut)]
      : []),
    ...(r.moreServers
      ? [line(`${r.moreServers.servers} more servers (queries-more.json)`, r.moreServers), line('  ranked among the corpus too', r.moreServers.amongCorpus)]
      : []),
    ...(r.olderVersions ? [line(`holdouts, ${r.olderVersions.servers} servers at older versions`, r.olderVersions)] : []),
    ...Object.entries(r.byKind).map(([k, f]) => line(`kind: ${k}`, f)),
    ...(r.without ? ['', 'without one feature (all queries):', ...Object.entries(r.without).map(([k, f]) => line(`− ${k}`.slice(0, 40), f))] : []),
    '',
    `worst misses (rank; 0 = not in the top ${DEPTH}):`,
    ...worstMisses(r.outcomes, n).map((o) => `  ${String(o.rank).padStart(2)}  "${o.q}" → ${o.want}\n        got ${o.top.join(', ')}`),
  ];
  process.stdout.write(out.join('\n') + '\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
