// Relevance-ranked search over the tools of every configured MCP server (the `search_tools` meta tool).
// Backed by MiniSearch (BM25+). Tool names are split on `_ - . /` and camelCase so that
// `get_file_info`, `get-file-info` and `getFileInfo` all index as `get file info`.

import MiniSearch from 'minisearch';

export interface ToolEntry {
  server: string;
  name: string;
  description?: string;
  title?: string;
}

export interface SearchHit {
  server: string;
  tool: string;
  /** First sentence/line of the description, at most 160 characters. */
  description: string;
  score: number;
}

export interface SearchOptions {
  /** Only return tools of this server. */
  server?: string;
  /** Maximum number of hits (default 10). */
  limit?: number;
}

const DEFAULT_LIMIT = 10;

// Words that carry no meaning for tool lookup; dropped from both documents and queries.
const STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'i', 'if', 'in', 'into', 'is', 'it', 'its',
  'me', 'my', 'of', 'on', 'or', 'that', 'the', 'this', 'to', 'with', 'can', 'do', 'does', 'how', 'please',
  'some', 'want', 'would', 'you', 'your',
]);

/**
 * Split text into lowercase terms: on anything that is not a letter or digit (so `_ - . /` and
 * whitespace/punctuation), and on camelCase / acronym boundaries (`getFileInfo` → get, file, info;
 * `readHTMLPage` → read, html, page).
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const chunk of text.split(/[^\p{L}\p{N}]+/u)) {
    if (!chunk) continue;
    const parts = chunk
      .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2') // fooBar → foo Bar
      .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2') // HTMLPage → HTML Page
      .replace(/(\p{L})(\p{N})/gu, '$1 $2') // utf8 stays split from letters: base64 → base 64
      .replace(/(\p{N})(\p{L})/gu, '$1 $2')
      .split(' ');
    for (const p of parts) if (p) out.push(p.toLowerCase());
  }
  return out;
}

function processTerm(term: string): string | null {
  const t = term.toLowerCase();
  return STOP_WORDS.has(t) ? null : t;
}

const ABBREVIATION = /\b(?:e\.g|i\.e|vs|cf)$/i;

/**
 * Collapse a (possibly multi-line, markdown-ish) description to a single short line: the first
 * non-empty line, cut at the end of its first sentence, whitespace-collapsed, and truncated to
 * `max` characters (with a trailing `…` when cut).
 */
export function oneLine(description: string | undefined, max = 160): string {
  if (!description) return '';
  const firstLine = description
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  if (!firstLine) return '';
  let text = firstLine.replace(/\s+/g, ' ');

  // Cut after the first sentence terminator that is followed by whitespace (and is not an abbreviation).
  const re = /[.!?](?=\s)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const before = text.slice(0, m.index);
    if (m[0] === '.' && ABBREVIATION.test(before)) continue;
    text = text.slice(0, m.index + 1);
    break;
  }

  if (max <= 0) return '';
  if (text.length <= max) return text;
  if (max === 1) return '…';
  return text.slice(0, max - 1).trimEnd() + '…';
}

interface IndexedDoc {
  id: number;
  server: string;
  name: string;
  title: string;
  description: string;
}

function compareEntries(a: { server: string; name: string }, b: { server: string; name: string }): number {
  if (a.server !== b.server) return a.server < b.server ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}

export class ToolIndex {
  private readonly docs: IndexedDoc[] = [];
  private readonly mini: MiniSearch<IndexedDoc>;

  constructor(entries: Iterable<ToolEntry>) {
    const seen = new Set<string>();
    const unique: ToolEntry[] = [];
    for (const e of entries) {
      const key = `${e.server}\u0000${e.name}`;
      if (seen.has(key)) continue; // first occurrence wins
      seen.add(key);
      unique.push(e);
    }
    unique.sort(compareEntries);
    unique.forEach((e, id) => {
      this.docs.push({
        id,
        server: e.server,
        name: e.name,
        title: e.title ?? '',
        description: e.description ?? '',
      });
    });

    this.mini = new MiniSearch<IndexedDoc>({
      idField: 'id',
      fields: ['name', 'title', 'description', 'server'],
      storeFields: [],
      tokenize: (text) => tokenize(text),
      processTerm,
      searchOptions: {
        boost: { name: 3, title: 2, description: 1, server: 1 },
        combineWith: 'OR',
        prefix: (term) => term.length >= 3,
        fuzzy: (term) => (term.length >= 4 ? 0.2 : false),
        weights: { fuzzy: 0.45, prefix: 0.375 },
      },
    });
    this.mini.addAll(this.docs);
  }

  /** Number of indexed tools. */
  get size(): number {
    return this.docs.length;
  }

  search(query: string, opts: SearchOptions = {}): SearchHit[] {
    const limit = Math.max(0, Math.floor(opts.limit ?? DEFAULT_LIMIT));
    if (limit === 0) return [];
    const server = opts.server;
    const inServer = (d: IndexedDoc): boolean => server === undefined || d.server === server;

    if (query.trim() === '') {
      // docs are already sorted by (server, name)
      return this.docs
        .filter(inServer)
        .slice(0, limit)
        .map((d) => this.hit(d, 0));
    }

    const results = this.mini.search(query, {
      filter: server === undefined ? undefined : (r) => this.docs[r.id as number]?.server === server,
    });

    // MiniSearch already multiplies by the number of matched query terms; additionally scale by the
    // fraction of query terms matched so that documents covering more of the query rank higher.
    const queryTerms = new Set(tokenize(query).map(processTerm).filter((t): t is string => !!t));
    const total = Math.max(1, queryTerms.size);
    const hits: { doc: IndexedDoc; score: number }[] = [];
    for (const r of results) {
      const doc = this.docs[r.id as number];
      if (!doc || !inServer(doc)) continue;
      const coverage = Math.min(1, r.queryTerms.length / total);
      hits.push({ doc, score: r.score * coverage });
    }
    hits.sort((a, b) => b.score - a.score || compareEntries(a.doc, b.doc));
    return hits.slice(0, limit).map((h) => this.hit(h.doc, h.score));
  }

  private hit(d: IndexedDoc, score: number): SearchHit {
    return { server: d.server, tool: d.name, description: oneLine(d.description), score };
  }
}
