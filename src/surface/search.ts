// Relevance-ranked search over the tools of every server a session sees (the `search_tools` meta tool).
// BM25F over a tool's name, title, first sentence, the rest of its description, its parameter names and its
// server; each query word also looks for its shorthand and the agent vocabulary's related words, and a misspelt
// word for the index words one or two edits away. A query that names a server, or covers a tool's whole name,
// favours those tools. A well-known server's tool also matches the ways agents ask for it (data/phrasings.txt).
// Quality is a number: `npm run eval` (scripts/eval/) measures it on real servers' manifests.
import { oneLine, stem, STOP_WORDS, tokenize } from './text.js';
import { expansions, known } from './vocabulary.js';
import { parseQuery, type QueryPart } from './query.js';
import { parameterNames, signature } from './signature.js';
import { closeWords } from './spelling.js';
import { Bm25Collection } from './bm25.js';
import { isEnglish } from './english.js';
import { phrasingsFor } from './phrasings.js';

export interface ToolEntry {
  server: string;
  name: string;
  description?: string;
  title?: string;
  inputSchema?: Record<string, unknown>;
  /** One line on what the server is for (serverSummary()). */
  serverSummary?: string;
}

export interface SearchHit {
  server: string;
  tool: string;
  /** First sentence/line of the description, at most 160 characters. */
  description: string;
  /** Required parameters and their types, e.g. `(owner: string, repo: string, +3 optional)`. */
  signature: string;
  score: number;
}

export interface SearchOptions {
  /** Only return tools of this server. */
  server?: string;
  /** Maximum number of hits (default 10). */
  limit?: number;
}

const DEFAULT_LIMIT = 10;

/** Stems of the verbs of a tool that destroys something. */
const DESTRUCTIVE = new Set(['delet', 'remov', 'drop', 'kill', 'destroy', 'eras', 'purg', 'wipe', 'discard', 'uninstal', 'termin', 'revok', 'truncat', 'prune']);

type Field = 'name' | 'title' | 'lead' | 'body' | 'params' | 'server' | 'phrasings';
const FIELD_NAMES: Field[] = ['name', 'title', 'lead', 'body', 'params', 'server', 'phrasings'];

/** The knobs of the ranking; `npm run eval` measures each (its ablation table switches them off one at a time). */
export interface SearchTuning {
  /** Per field: weight and length normalisation (BM25F). */
  fields: Record<Field, { weight: number; b: number }>;
  /** BM25 term-frequency saturation. */
  k1: number;
  /** Weight of a match through a spelling correction (0: off). */
  spellingWeight: number;
  /** Weight of the agent vocabulary's related words (0: off); shorthand counts as the word itself. */
  vocabularyWeight: number;
  /** How much more a tool counts when the query names its server (`on GitHub`, `in mongo`). */
  mentionBoost: number;
  /** How much more a tool counts when the query covers every word of its name (in proportion to the share covered). */
  nameCoverage: number;
  /** How much the background of a query counts (what comes before its last `;` or sentence). */
  contextWeight: number;
  /** How much the words of a literal (a path, URL, id) count, against the kind of thing it names. */
  literalWeight: number;
  /** What a tool that destroys (delete, drop, kill…) counts when the query asks for no such thing (1: no guard). */
  destructiveWeight: number;
}

/** The tuning `search_tools` uses. */
export const DEFAULT_TUNING: SearchTuning = {
  fields: {
    name: { weight: 2.5, b: 0.3 },
    title: { weight: 2, b: 0.3 },
    lead: { weight: 1.5, b: 0.75 },
    body: { weight: 0.2, b: 0.75 },
    params: { weight: 0.6, b: 0.5 },
    server: { weight: 1, b: 0 },
    phrasings: { weight: 0.5, b: 0.75 },
  },
  k1: 1.2,
  spellingWeight: 0.7,
  vocabularyWeight: 0.8,
  literalWeight: 0.3,
  contextWeight: 0.5,
  mentionBoost: 1,
  nameCoverage: 1,
  destructiveWeight: 0.5,
};

interface Doc {
  server: string;
  name: string;
  /** The stems of its name (less its server's name: `slack_post_message` → post, messag). */
  nameStems: string[];
  description: string;
  signature: string;
}

/** One idea in a query: alternative phrases (each a list of stems) with the weight a match of each counts. */
interface Concept {
  alternatives: Array<{ stems: string[]; weight: number; capped: boolean }>;
  /** A related word is never more telling than the word the agent used (when the index holds that word). */
  idfCap: number;
}

function compareEntries(a: { server: string; name: string }, b: { server: string; name: string }): number {
  if (a.server !== b.server) return a.server < b.server ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}

/** A description less its lead sentence (wherever that stands: after a label, an indent or a list marker). */
function rest(description: string, lead: string): string {
  const text = description.replace(/\s+/g, ' ');
  const core = lead.endsWith('…') ? lead.slice(0, -1) : lead;
  const at = core ? text.indexOf(core) : -1;
  return at < 0 ? text : text.slice(0, at) + text.slice(at + core.length);
}

/** Stems of the meaningful words of a text (numbers say little about what a tool does). */
function stems(words: string[]): string[] {
  return words.filter((w) => !STOP_WORDS.has(w) && !/^\d+$/.test(w)).map(stem);
}

/** A search index over a set of tools; build one per search (it is cheap) or keep it while the manifests hold. */
export class ToolIndex {
  private readonly docs: Doc[] = [];
  private readonly tools: Bm25Collection<Field>;
  /** Each server's name as words (`google-maps` → google, maps), to notice a query that names the server. */
  private readonly serverWords = new Map<string, string[]>();
  /** Every word the index holds, as written (for spelling correction). */
  private readonly words = new Set<string>();
  private readonly tuning: SearchTuning;
  /** Scratch space for best(): one alternative's scores, and how many of its words each tool holds. */
  private phrase?: Float64Array;
  private held?: Uint8Array;

  constructor(entries: Iterable<ToolEntry>, tuning: Partial<SearchTuning> = {}) {
    this.tuning = { ...DEFAULT_TUNING, ...tuning };
    this.tools = new Bm25Collection(this.tuning.fields, this.tuning.k1);
    const seen = new Set<string>();
    const unique: ToolEntry[] = [];
    for (const e of entries) {
      const key = `${e.server}\u0000${e.name}`;
      if (seen.has(key)) continue; // first occurrence wins
      seen.add(key);
      unique.push(e);
    }
    unique.sort(compareEntries);
    for (const e of unique) {
      const lead = oneLine(e.description, 400);
      const text: Record<Field, string> = {
        name: e.name,
        title: e.title ?? '',
        lead,
        body: rest(e.description ?? '', lead),
        params: parameterNames(e.inputSchema).join(' '),
        server: `${e.server} ${e.serverSummary ?? ''}`,
        phrasings: phrasingsFor(e.name, lead),
      };
      const fields = {} as Record<Field, string[]>;
      for (const f of FIELD_NAMES) {
        const words = tokenize(text[f]);
        for (const w of words) this.words.add(w);
        fields[f] = stems(words);
      }
      this.tools.add(fields);
      this.serverWords.set(e.server, tokenize(e.server).filter((w) => !STOP_WORDS.has(w)));
      const own = tokenize(e.name).filter((w) => !this.serverWords.get(e.server)?.includes(w));
      const nameStems = [...new Set(own.filter((w) => !STOP_WORDS.has(w)).map(stem))];
      this.docs.push({ server: e.server, name: e.name, nameStems, description: oneLine(e.description), signature: signature(e.inputSchema) });
    }
  }

  /** Number of indexed tools. */
  get size(): number {
    return this.docs.length;
  }

  /** The best-matching tools, best first; an empty query lists tools in (server, name) order. */
  search(query: string, opts: SearchOptions = {}): SearchHit[] {
    const limit = Math.max(0, Math.floor(opts.limit ?? DEFAULT_LIMIT));
    if (limit === 0) return [];
    const inServer = (d: Doc): boolean => opts.server === undefined || d.server === opts.server;
    const parts = parseQuery(query);
    const concepts = this.parse(parts);
    const named = this.tuning.mentionBoost > 0 ? this.mentioned(parts) : new Set<string>();
    if (concepts.length === 0) {
      return query.trim() === '' ? this.docs.filter(inServer).slice(0, limit).map((d) => this.hit(d, 0)) : [];
    }
    const total = new Float64Array(this.docs.length);
    for (const concept of concepts) {
      const best = this.best(concept);
      for (let i = 0; i < best.length; i++) total[i] = total[i]! + best[i]!;
    }
    const said = new Set(concepts.flatMap((c) => c.alternatives.flatMap((a) => a.stems)));
    const hits: Array<{ doc: Doc; score: number }> = [];
    const destroys = [...said].some((x) => DESTRUCTIVE.has(x));
    this.docs.forEach((doc, i) => {
      if (total[i]! <= 0 || !inServer(doc)) return;
      const boost = named.has(doc.server) ? 1 + this.tuning.mentionBoost : 1;
      const covered = doc.nameStems.length ? doc.nameStems.filter((x) => said.has(x)).length / doc.nameStems.length : 0;
      const guard = !destroys && doc.nameStems.some((x) => DESTRUCTIVE.has(x)) ? this.tuning.destructiveWeight : 1;
      hits.push({ doc, score: guard * boost * total[i]! * (1 + this.tuning.nameCoverage * covered) });
    });
    hits.sort((a, b) => b.score - a.score || compareEntries(a.doc, b.doc));
    return hits.slice(0, limit).map((h) => this.hit(h.doc, h.score));
  }

  /**
   * Per tool, the score of a concept's best-scoring alternative. A phrase (`pull request`, `search memory`) counts
   * only for a tool that holds all its words: a tool with one of them is not about the phrase.
   */
  private best(concept: Concept): Float64Array {
    const n = this.docs.length;
    const best = new Float64Array(n);
    const phrase = (this.phrase ??= new Float64Array(n));
    const held = (this.held ??= new Uint8Array(n));
    for (const alt of concept.alternatives) {
      phrase.fill(0);
      const several = alt.stems.length > 1;
      if (several) held.fill(0);
      for (const s of alt.stems) this.tools.addScores(s, phrase, alt.capped ? concept.idfCap : Infinity, several ? held : undefined);
      for (let i = 0; i < n; i++) {
        const score = phrase[i]!;
        if (score === 0 || (several && held[i]! < alt.stems.length)) continue;
        if (alt.weight * score > best[i]!) best[i] = alt.weight * score;
      }
    }
    return best;
  }

  /** The query's ideas, each with the alternatives that match it. */
  private parse(parts: QueryPart[]): Concept[] {
    return parts.map((part) => this.concept(part)).filter((c) => c.alternatives.length > 0);
  }

  /** Servers the query names (every word of the server's name, or its shorthand, is in the query). */
  private mentioned(parts: QueryPart[]): Set<string> {
    const said = new Set<string>();
    for (const p of parts) {
      if (p.hint) continue;
      for (const w of p.phrase.split(' ')) said.add(w);
      for (const e of expansions(p.phrase)) if (e.shorthand) for (const w of e.words) said.add(w);
    }
    const out = new Set<string>();
    for (const [server, words] of this.serverWords) if (words.length && words.every((w) => said.has(w))) out.add(server);
    return out;
  }

  /** A query idea's alternatives: its words, their shorthand and related words, a spelling correction. */
  private concept(part: QueryPart): Concept {
    const alternatives: Concept['alternatives'] = [];
    const t = this.tuning;
    const scale = part.context ? t.contextWeight : 1;
    const add = (words: string[], weight: number, capped = false) => {
      const s = words.filter((w) => !STOP_WORDS.has(w)).map(stem);
      if (s.length) alternatives.push({ stems: s, weight: weight * scale, capped });
    };
    const related = (p: string, scale: number) => {
      for (const e of expansions(p)) add(e.words, scale * (e.shorthand ? 1 : t.vocabularyWeight), !e.shorthand);
    };
    if (part.hint) {
      add([part.hint], 1);
      related(part.hint, 1);
      if (part.phrase) add(part.phrase.split(' '), t.literalWeight);
      return { alternatives, idfCap: Infinity };
    }
    const { phrase } = part;
    add(phrase.split(' '), 1);
    const said = alternatives[0]?.stems.map((x) => this.tools.idf(x)).filter((x) => x > 0) ?? [];
    const idfCap = said.length ? Math.max(...said) : Infinity;
    related(phrase, 1);
    if (phrase.includes(' ')) return { alternatives, idfCap };
    const own = stem(phrase);
    if (t.spellingWeight > 0 && !part.proper && !this.words.has(phrase) && !known(phrase) && !this.tools.has(own) && !isEnglish(phrase)) {
      for (const word of closeWords(phrase, this.words)) {
        add([word], t.spellingWeight);
        related(word, t.spellingWeight);
      }
    }
    return { alternatives, idfCap };
  }

  private hit(d: Doc, score: number): SearchHit {
    return { server: d.server, tool: d.name, description: d.description, signature: d.signature, score };
  }
}
