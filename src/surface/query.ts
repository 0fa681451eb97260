// How a search query is read: agents mix what they want done with the things to do it to (paths, URLs, ids,
// quoted text, channel names). The need is matched against tools; a literal only says what kind of thing it is.
import { STOP_WORDS, tokenize } from './text.js';
import { known, MAX_PHRASE } from './vocabulary.js';

/** One idea of a query: a word or a vocabulary phrase, or a literal with the kind of thing it names. */
export interface QueryPart {
  /** Lowercase words joined by single spaces. */
  phrase: string;
  /** Written with capitals (a name such as Alice or Denver): never spell-corrected. */
  proper: boolean;
  /** For a literal (path, URL, id…): the kind of thing it is (`file`, `url`…); its own words count for little. */
  hint?: string;
  /** Said before the request, as its background (`The deploy is stuck; check the rollout`): counts for less. */
  context?: boolean;
}

/** File extensions that make a dotted word a file name (`utils.js`), not code (`document.title`). */
const EXTENSIONS = new Set(
  ('js mjs cjs ts tsx jsx json jsonl md mdx txt yaml yml toml ini cfg conf env lock log csv tsv xml html htm css scss ' +
    'py rb go rs java kt swift c h cc cpp hpp cs php sh bash zsh ps1 sql db sqlite proto graphql gql vue svelte ' +
    'png jpg jpeg gif svg webp ico pdf zip gz tgz tar wasm bin exe dll so dylib mp3 mp4 wav mov ipynb dockerfile').split(' '),
);

/** Top-level domains that make a dotted word a host name (`docs.example.com`). */
const DOMAINS = new Set('com org net io dev ai app co edu gov uk de fr jp cn ru eu us ca au in nl se ch it es br me info biz cloud site xyz'.split(' '));

/** Quoted text: "…", “…”, ‘…’, `…`, and '…' when its quotes stand apart from words (not the apostrophe of it's or users'). */
const QUOTED = /"[^"]*"|“[^”]*”|‘[^’]*’|`[^`]*`|(?<![\p{L}\p{N}])'[^']*'(?![\p{L}\p{N}])/gu;

/** A git branch by its usual prefix (`feature/auth`, `release/2.1`, `origin/main`), not a path. */
const BRANCH = /^(?:feature|feat|fix|bugfix|hotfix|release|chore|refactor|origin|upstream)\/[\w.\/-]+$/i;

/** What a literal chunk of a query names, or undefined for ordinary words. */
function literalKind(chunk: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(chunk) || /^www\./i.test(chunk)) return 'url';
  if (/^#\d+$/.test(chunk)) return 'number'; // an issue or pull request number (#204), not a channel
  if (/^#[\p{L}\p{N}_-]+$/u.test(chunk)) return 'channel';
  if (/^@[\p{L}\p{N}_.-]+$/u.test(chunk)) return 'user';
  if (/^-?\d+([.,]\d+)?$/.test(chunk)) return 'number';
  if (/^v?\d+(\.\d+){1,3}([-+][\w.]+)?$/.test(chunk)) return 'version';
  if (BRANCH.test(chunk)) return 'branch';
  if (/^~\/?[\w./-]*$/.test(chunk)) return 'path';
  if (/^\.[\w-]+(\.[\w-]+)*$/.test(chunk)) return 'file'; // a dotfile: .env.production, .gitignore
  if (/^[\w.-]*[/\\][\w./\\-]*$/.test(chunk) && /\w/.test(chunk)) {
    if (chunk.endsWith('/') || chunk.endsWith('\\')) return 'directory';
    return /\.\w{1,10}$/.test(chunk) ? 'file' : 'path';
  }
  if (/^[\w-]+(\.[\w-]+)+$/.test(chunk)) {
    const last = chunk.slice(chunk.lastIndexOf('.') + 1).toLowerCase();
    return EXTENSIONS.has(last) ? 'file' : DOMAINS.has(last) ? 'url' : 'code';
  }
  if (/[()[\]{}=<>]/.test(chunk) && /\w/.test(chunk)) return 'code';
  if (/\d/.test(chunk) && /\p{L}/u.test(chunk) && !/^[\p{L}]+\d?$/u.test(chunk)) return 'identifier';
  return undefined;
}

/** Words after which the next idea is one the agent does not want (`without cloning`, `not npm`). */
const NEGATIONS = new Set(['without', 'not', 'no', 'never', 'except', 'instead', 'don’t', 'dont', 'avoid']);

/** The words of a query written with a capital (other than a sentence-initial one): names, not typos. */
function properWords(chunks: string[]): Set<string> {
  const out = new Set<string>();
  chunks.forEach((chunk, i) => {
    for (const w of chunk.split(/[^\p{L}\p{N}]+/u)) {
      if (/\p{Lu}/u.test(w.slice(1)) || (i > 0 && /^\p{Lu}/u.test(w))) out.add(w.toLowerCase());
    }
  });
  return out;
}

/** Longest query read, in characters, and most ideas taken from it (a search never stalls on a pasted file). */
const MAX_QUERY = 1000;
const MAX_PARTS = 40;

/** Splits a query into its ideas: literals first, then vocabulary phrases (longest first), then single words. */
export function parseQuery(text: string): QueryPart[] {
  const query = text.slice(0, MAX_QUERY);
  // Agents give the background first and the request last: `…; <request>` or `…. <request>`.
  const breaks = [...query.matchAll(/[;.!?](?=\s)/g)];
  const last = breaks.length ? breaks[breaks.length - 1]!.index! + 1 : 0;
  if (last > 0 && query.slice(last).trim()) {
    return [...parseQuery(query.slice(0, last)).map((p) => ({ ...p, context: true })), ...parseQuery(query.slice(last))].slice(0, MAX_PARTS);
  }
  // Quoted text is content (a message, a commit message), and a "lat, lng" pair is a place.
  const unquoted = query.replace(QUOTED, ' ').replace(/-?\d+\.\d+\s*,\s*-?\d+\.\d+/g, ' coordinates ');
  const chunks = unquoted
    .split(/\s+/)
    .map((c) => c.replace(/^[("'[{]+|[)"'\]},;:!?]+$|\.$/g, ''))
    .filter(Boolean);
  const proper = properWords(chunks);
  const parts: QueryPart[] = [];
  let words: string[] = [];
  let negated = false;
  const flush = () => {
    for (let i = 0; i < words.length; ) {
      let n = Math.min(MAX_PHRASE, words.length - i);
      while (n > 1 && !known(words.slice(i, i + n).join(' '))) n--;
      const phrase = words.slice(i, i + n).join(' ');
      i += n;
      if (n === 1 && NEGATIONS.has(phrase)) negated = true;
      if (n === 1 && (STOP_WORDS.has(phrase) || NEGATIONS.has(phrase) || /^\d+$/.test(phrase))) continue;
      if (negated) negated = false;
      else parts.push({ phrase, proper: proper.has(phrase) });
    }
    words = [];
  };
  for (const chunk of chunks) {
    const hint = literalKind(chunk);
    if (!hint) {
      words.push(...tokenize(chunk));
      continue;
    }
    flush();
    const own = tokenize(chunk).filter((w) => !/^\d+$/.test(w));
    if (negated) negated = false;
    else parts.push({ phrase: own.join(' '), proper: true, hint });
  }
  flush();
  return parts.slice(0, MAX_PARTS);
}
