// How agents ask for the tools of well-known servers (data/phrasings.txt), read on first use: a tool of a known
// name whose description still says what the phrasings were written for gets them as more text to match.
import fs from 'node:fs';
import { parseQuery } from './query.js';
import { STOP_WORDS, stem, tokenize } from './text.js';

const FILE = new URL('../../data/phrasings.txt', import.meta.url);

/** Share of a section's lead words a tool's description lead must hold for the section to apply. */
const LEAD_OVERLAP = 0.3;

interface Section {
  /** Stems of the lead the phrasings were written for. */
  lead: Set<string>;
  lines: string[];
  /** The lines as words, literals as their kind (computed on first use). */
  text?: string;
}

/** The meaningful stems of a lead sentence. */
function leadStems(lead: string): Set<string> {
  return new Set(tokenize(lead).filter((w) => !STOP_WORDS.has(w) && !/^\d+$/.test(w)).map(stem));
}

/** Parses data/phrasings.txt into sections by tool name; a line it cannot read is an error naming it. */
export function parsePhrasings(text: string): Map<string, Section[]> {
  const byName = new Map<string, Section[]>();
  let section: Section | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const head = /^\[(\S+) (\S+)\]\s*(.*)$/.exec(line);
    if (head) {
      section = { lead: leadStems(head[3]!), lines: [] };
      byName.set(head[2]!, [...(byName.get(head[2]!) ?? []), section]);
    } else if (section) section.lines.push(line);
    else throw new Error(`data/phrasings.txt line ${i + 1}: a phrasing before any [server tool] section`);
  });
  return byName;
}

let sections: Map<string, Section[]> | undefined;

/** The phrasings for a tool as one text (empty when none applies): by its name, if its lead still matches. */
export function phrasingsFor(name: string, lead: string): string {
  sections ??= parsePhrasings(fs.readFileSync(FILE, 'utf8'));
  const candidates = sections.get(name);
  if (!candidates) return '';
  const own = leadStems(lead);
  let best: Section | undefined;
  let bestShare = 0;
  for (const s of candidates) {
    const share = s.lead.size ? [...s.lead].filter((x) => own.has(x)).length / s.lead.size : 1;
    if (share >= LEAD_OVERLAP && share > bestShare) [best, bestShare] = [s, share];
  }
  if (!best) return '';
  best.text ??= best.lines.map((l) => parseQuery(l).map((p) => p.hint ?? p.phrase).join(' ')).join(' ');
  return best.text;
}
