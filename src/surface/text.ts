// Text handling shared by the search index and the surfaces: word splitting, stemming, one-line summaries.
import porter2 from 'wink-porter2-stemmer';

/**
 * Split text into lowercase words: on anything that is not a letter or digit (so `_ - . /` and
 * whitespace/punctuation), and on camelCase / acronym boundaries (`getFileInfo` → get, file, info;
 * `readHTMLPage` → read, html, page), but not inside names (`GitHub` → github).
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const plain = text.replace(/['’]s\b/g, '');
  // ASCII text splits with a plain character class (much faster than the Unicode one).
  for (const chunk of plain.split(/^[\x00-\x7f]*$/.test(plain) ? /[^A-Za-z0-9]+/ : /[^\p{L}\p{N}]+/u)) {
    if (!chunk) continue;
    if (/^[a-z]+$/.test(chunk)) {
      out.push(chunk); // the common case, without the Unicode splitting below
      continue;
    }
    // A capitalised word with inner capitals is a name (GitHub, MongoDB, CircleCI), not an identifier to split.
    const name = /^\p{Lu}\p{Ll}/u.test(chunk) || /^\p{Lu}+s$/u.test(chunk); // or an acronym's plural: PRs, URLs
    const parts = chunk
      .replace(/(\p{Ll})(\p{Lu})/gu, name ? '$1$2' : '$1 $2') // fooBar → foo Bar
      .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, name ? '$1$2' : '$1 $2') // HTMLPage → HTML Page
      .replace(/(\p{L})(\p{N})/gu, '$1 $2') // base64 → base 64
      .replace(/(\p{N})(\p{L})/gu, '$1 $2')
      .split(' ');
    for (const p of parts) if (p) out.push(p.toLowerCase());
  }
  return out;
}

/** Words that carry no meaning for finding a tool; dropped from queries and documents. */
export const STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'been', 'but', 'by', 'can', 'could', 'do', 'does', 'for', 'from', 'had', 'has',
  'have', 'here', 'how', 'i', 'if', 'in', 'into', 'is', 'it', 'its', 'just', 'let', 'me', 'my', 'need', 'now', 'of', 'on', 'or',
  'our', 'please', 'should', 'so', 'some', 'than', 'that', 'the', 'their', 'them', 'then', 'there', 'these', 'this', 'those',
  'to', 'us', 'use', 'using', 'want', 'was', 'we', 'were', 'what', 'when', 'where', 'which', 'while', 'will', 'with', 'would',
  'you', 'your', 'i’d', 'll', 've', 're', 'd', 'm', 't', 'tool', 'tools', 'everything', 'anything', 'something', 'any', 'every',
  'called', 'named', 'whatever', 'exactly', 'also', 'really', 'actually', 'currently', 'again', 'thing', 'things', 'stuff', 'able',
]);

/**
 * Stems Porter2 gets wrong here: words it would conflate with others of a different meaning (terminal → termin,
 * like terminate), and irregular plurals it would keep apart from their singular (indices, children, people).
 */
const KEPT = new Map([
  ['terminal', 'terminal'],
  ['terminals', 'terminal'],
  ['indices', 'index'],
  ['matrices', 'matrix'],
  ['vertices', 'vertex'],
  ['appendices', 'appendix'],
  ['analyses', 'analysi'],
  ['diagnoses', 'diagnosi'],
  ['hypotheses', 'hypothesi'],
  ['crises', 'crisi'],
  ['theses', 'thesi'],
  ['alias', 'alias'],
  ['children', 'child'],
  ['people', 'person'],
  ['criteria', 'criterion'],
  ['schemata', 'schema'],
  ['leaves', 'leaf'],
  ['shelves', 'shelf'],
  ['halves', 'half'],
  ['mice', 'mous'],
]);

/** The index form of a word: lowercase Porter2 stem (`observations` → `observ`, `deployment` → `deploy`). */
export function stem(word: string): string {
  const w = word.toLowerCase();
  let s = KEPT.get(w) ?? stems.get(w);
  if (s === undefined) {
    // Porter2 leaves a vowel-less acronym's plural alone (dsns, prs): strip its s.
    s = porter2(/^[^aeiouy]{2,}s$/.test(w) ? w.slice(0, -1) : w);
    if (stems.size >= STEM_CACHE) stems.clear();
    stems.set(w, s);
  }
  return s;
}

/** Stems already computed (indexing stems the same description words on every search). */
const stems = new Map<string, string>();
const STEM_CACHE = 50_000;

const ABBREVIATION = /\b(?:e\.g|i\.e|vs|cf)$/i;

/** A list item's marker (`1. `, `- `), not part of what it says. */
const LIST_MARKER = /^(?:\d{1,2}[.)]|[-*•])\s+/;

/** A line that only labels what follows (`🎯 Purpose:`, `## Usage`, `---`), so it says nothing itself. */
function isLabel(line: string): boolean {
  const words = line.split(/\s+/).length;
  return !/\p{L}/u.test(line) || line.startsWith('#') || (line.endsWith(':') && words <= 4) || (/^[^\p{L}\p{N}]/u.test(line) && words <= 2);
}

/**
 * Collapse a (possibly multi-line, markdown-ish) description to a single short line: the first
 * non-empty line that is not a mere label or heading (`🎯 Purpose:`), less a list marker, cut at the
 * end of its first sentence, whitespace-collapsed, and truncated to `max` characters (with a
 * trailing `…` when cut).
 */
export function oneLine(description: string | undefined, max = 160): string {
  if (!description) return '';
  const lines = description
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const firstLine = lines.find((l) => !isLabel(l)) ?? lines[0];
  if (!firstLine) return '';
  let text = firstLine.replace(/\s+/g, ' ').replace(LIST_MARKER, '');

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
