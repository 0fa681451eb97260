// Editing .env text so that the `dotenv` parser mcplex reads it with gives back every value byte for byte.
import { parse } from 'dotenv';

/**
 * One definition as dotenv's parser matches it (its own line pattern): an optional `export`, the name, `=` or `: `,
 * then a single-, double- or back-quoted value (which may span lines) or a bare one, and an optional comment.
 */
const DEFINITION = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

/**
 * The ways a value can be written, in order of preference (double quotes are what people write). In double quotes
 * dotenv turns `\n` and `\r` into line breaks, which is the only way to keep a carriage return (the file's line endings
 * are normalized before parsing); single- and back-quoted text is kept as it is.
 */
const QUOTINGS: Array<{ quote: string; write: (value: string) => string }> = [
  { quote: '"', write: (v) => `"${v.replace(/\r/g, '\\r')}"` },
  { quote: "'", write: (v) => `'${v}'` },
  { quote: '`', write: (v) => `\`${v}\`` },
];

/** The quotings to try for a value: those whose quote character it does not contain first (they read plainly). */
function quotingsFor(value: string): Array<(value: string) => string> {
  const clean = QUOTINGS.filter((q) => !value.includes(q.quote));
  return [...clean, ...QUOTINGS.filter((q) => !clean.includes(q))].map((q) => q.write);
}

/** Where each definition of `name` starts (its line) and ends (after its line break). */
function spans(text: string, name: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const m of text.matchAll(DEFINITION)) {
    if (m[1] !== name) continue;
    const lead = /^\s*/.exec(m[0])![0];
    const start = text.lastIndexOf('\n', m.index + lead.length - 1) + 1;
    let end = m.index + m[0].length;
    if (text[end] === '\n') end++;
    out.push([start, end]);
  }
  return out;
}

/** `text` without any definition of `name`. */
function without(text: string, name: string): string {
  let out = text;
  for (const [start, end] of spans(text, name).reverse()) out = out.slice(0, start) + out.slice(end);
  return out;
}

/** True if `text` parses to `expected` exactly (no key more, none less, every value equal). */
function parsesTo(text: string, expected: Record<string, string>): boolean {
  const got = parse(text);
  const keys = Object.keys(expected);
  return Object.keys(got).length === keys.length && keys.every((k) => Object.hasOwn(got, k) && got[k] === expected[k]);
}

/**
 * The .env text with `set` defined (replacing earlier definitions of those names, wherever they were) and `remove`
 * gone, every other definition untouched. Each value is quoted the first way that dotenv reads back exactly; a value
 * no quoting can hold (it contains all three quote characters, say) is refused with an Error naming the variable.
 */
export function editDotenv(text: string, set: Readonly<Record<string, string>>, remove: readonly string[] = []): string {
  const expected: Record<string, string> = { ...parse(text) };
  let out = text;
  for (const name of [...Object.keys(set), ...remove]) {
    out = without(out, name);
    delete expected[name];
  }
  if (out && !out.endsWith('\n')) out += '\n';
  for (const [name, value] of Object.entries(set)) {
    expected[name] = value;
    const written = quotingsFor(value).map((q) => `${out}${name}=${q(value)}\n`).find((candidate) => parsesTo(candidate, expected));
    if (written === undefined) {
      throw new Error(`the value for ${name} cannot be stored exactly in a .env file (no dotenv quoting holds it: it mixes ', " and \` quotes or ends in a backslash); pass a value without those`);
    }
    out = written;
  }
  if (!parsesTo(out, expected)) throw new Error('editing the .env file would change other variables in it; fix the file by hand');
  return out;
}
