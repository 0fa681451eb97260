// The words coding agents use for a need, against the words servers use in tool names and descriptions: the agent
// vocabulary in data/vocabulary.txt (shorthand, groups of near-synonyms, one-way meanings), read on first use.
import fs from 'node:fs';
import { stem } from './text.js';

const FILE = new URL('../../data/vocabulary.txt', import.meta.url);

/** Longest phrase (in words) that the vocabulary knows. */
export const MAX_PHRASE = 4;

/** One way to read a query word: a phrase of terms, and how much a match of it counts against the word itself. */
export interface Expansion {
  words: string[];
  /** Shorthand means exactly its expansion; a group member only something close. */
  shorthand: boolean;
}

interface Vocabulary {
  /** Abbreviation → the words it stands for. */
  shorthand: Map<string, string[]>;
  /** Word or phrase → the phrases (as word lists) it also looks for: group members both ways, meanings one way. */
  related: Map<string, string[][]>;
  /** The same, keyed by the stems of each phrase: a word in a form the vocabulary lacks (`errors`, `labelled`). */
  byStem: Map<string, string[][]>;
}

/** A phrase's words as stems. */
function stems(phrase: string): string {
  return phrase.split(' ').map(stem).join(' ');
}

/** Parses data/vocabulary.txt; a line it cannot read is an error naming it (the file ships with mcplex). */
export function parseVocabulary(text: string): Vocabulary {
  const shorthand = new Map<string, string[]>();
  const related = new Map<string, string[][]>();
  const link = (from: string, to: string) => {
    const list = related.get(from) ?? [];
    if (from !== to && !list.some((l) => l.join(' ') === to)) list.push(to.split(' '));
    related.set(from, list);
  };
  // A phrase a query can hold has at most MAX_PHRASE words (a longer one would never be looked up).
  const phrase = (s: string, line: number, max = MAX_PHRASE): string => {
    const p = s.trim().toLowerCase().replace(/\s+/g, ' ');
    if (!p || p.split(' ').length > max) throw new Error(`data/vocabulary.txt line ${line}: "${s.trim()}" is not a phrase of 1–${max} words`);
    return p;
  };
  let section = '';
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const n = i + 1;
    if (!line || line.startsWith('#')) return;
    if (/^\[\w+\]$/.test(line)) {
      section = line.slice(1, -1);
      return;
    }
    if (section === 'shorthand' && line.includes(':')) {
      const [word, long] = line.split(':');
      shorthand.set(phrase(word!, n), long!.trim().split(/\s+/));
    } else if (section === 'groups' && line.includes('|')) {
      const members = line.split('|').map((m) => phrase(m, n));
      for (const m of members) for (const other of members) link(m, other);
    } else if (section === 'means' && line.includes('=>')) {
      const [from, to] = line.split('=>');
      for (const target of to!.split(',')) link(phrase(from!, n), phrase(target, n, Infinity));
    } else throw new Error(`data/vocabulary.txt line ${n}: cannot read "${line}" in section [${section}]`);
  });
  const byStem = new Map<string, string[][]>();
  for (const [key, list] of related) {
    const k = stems(key);
    const merged = byStem.get(k) ?? [];
    for (const l of list) if (!merged.some((m) => m.join(' ') === l.join(' ')) && stems(l.join(' ')) !== k) merged.push(l);
    byStem.set(k, merged);
  }
  return { shorthand, related, byStem };
}

let vocabulary: Vocabulary | undefined;

function loaded(): Vocabulary {
  return (vocabulary ??= parseVocabulary(fs.readFileSync(FILE, 'utf8')));
}

/** Phrases already looked up (a query reads every run of up to MAX_PHRASE words), bounded. */
const looked = new Map<string, string[][] | undefined>();
const LOOKED = 20_000;

/** The vocabulary's related phrases for a query phrase: as written, else in another form of its words. */
function related(phrase: string): string[][] | undefined {
  if (looked.has(phrase)) return looked.get(phrase);
  if (looked.size >= LOOKED) looked.clear();
  const v = loaded();
  const out = v.related.get(phrase) ?? v.byStem.get(stems(phrase));
  looked.set(phrase, out);
  return out;
}

/** The expansions of a query word or phrase (`words` joined by spaces), not counting the word itself. */
export function expansions(phrase: string): Expansion[] {
  const out: Expansion[] = [];
  const short = loaded().shorthand.get(phrase);
  if (short) out.push({ words: short, shorthand: true });
  for (const words of related(phrase) ?? []) out.push({ words, shorthand: false });
  return out;
}

/** True if the vocabulary knows this word or phrase (in some form). */
export function known(phrase: string): boolean {
  return loaded().shorthand.has(phrase) || related(phrase) !== undefined;
}
