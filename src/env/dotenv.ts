// Reading a `.env` file (workspace layer 1, MCPLEX_HOME layer 2) into a plain map.
import { readFileSync } from 'node:fs';
import { parse } from 'dotenv';

// Parses the `.env` file at `path`; a missing file gives {}, an unreadable one throws an Error naming the file.
export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return {};
    const reason = code ?? (err instanceof Error ? err.message : String(err));
    throw new Error(`cannot read env file ${path} (${reason}); check that it is a readable file`, { cause: err });
  }
  return { ...parse(text) };
}
