// Reads, validates and freezes config.yaml / .mcplex.yaml, reporting every problem with its file and line.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { configSchema, workspaceSchema } from './schema.js';
import type { Config, ConfigProblem, WorkspaceConfig } from './types.js';

/** A config file that can't be used; `message` lists every problem as `file:line: path: message`. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
    /** The file does not exist (callers decide whether that means "no servers yet"). */
    readonly missing = false,
  ) {
    super(problems.map((p) => `${file}${p.line ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

// Recursively freezes a plain object/array tree so nobody can mutate a loaded config.
function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

// "servers.foo.args[2]" from a zod path.
function formatPath(p: readonly PropertyKey[]): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : `${i ? '.' : ''}${String(s)}`)).join('');
}

// 1-based line of the deepest YAML node along `p` (a map entry's key line, a sequence item's line).
function lineOf(doc: Document, lc: LineCounter, p: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = (doc.contents as { range?: [number] } | null)?.range?.[0];
  for (const seg of p) {
    if (isMap(node)) {
      const pair = node.items.find((it) => String((it.key as { value?: unknown } | null)?.value ?? it.key) === String(seg));
      if (!pair) break;
      offset = (pair.key as { range?: [number] } | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
      node = node.items[seg];
      offset = (node as { range?: [number] }).range?.[0] ?? offset;
    } else break;
  }
  return offset === undefined ? undefined : lc.linePos(offset).line;
}

// Parses YAML and validates it with `schema`; throws ConfigError listing all problems.
function parseWith<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S> {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    throw new ConfigError(file, doc.errors.map((e) => ({ path: '', line: lc.linePos(e.pos[0]).line, message: e.message })));
  }
  const res = schema.safeParse(doc.toJS(), {
    error: (iss) => (iss.code === 'invalid_type' && iss.input === undefined ? 'required' : undefined),
  });
  if (res.success) return res.data;
  const problems: ConfigProblem[] = res.error.issues.flatMap((iss) => {
    const paths = iss.code === 'unrecognized_keys' ? iss.keys.map((k) => [...iss.path, k]) : [iss.path];
    return paths.map((p) => ({
      path: formatPath(p),
      line: lineOf(doc, lc, p),
      message: iss.code === 'unrecognized_keys' ? `unknown key "${String(p.at(-1))}"` : iss.code === 'invalid_key' ? (iss.issues[0]?.message ?? iss.message) : iss.message,
    }));
  });
  throw new ConfigError(file, problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
}

// Reads a file, turning "not found" into a ConfigError with a hint.
async function readConfigFile(file: string, hint: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const missing = err.code === 'ENOENT';
    throw new ConfigError(file, [{ path: '', message: missing ? `file not found: ${hint}` : `cannot read file: ${err.message}` }], missing);
  }
}

/** Parses and validates config.yaml text; `file` is used for messages and `path`/`dir`. */
export function parseConfig(text: string, file: string): Config {
  const abs = path.resolve(file);
  return deepFreeze({ ...parseWith(configSchema, text, abs), path: abs, dir: path.dirname(abs) });
}

// True for YAML text with no content: empty, whitespace, comments, or a bare `---` / `null`.
function isBlank(text: string): boolean {
  const doc = parseDocument(text);
  return doc.errors.length === 0 && doc.toJS() == null;
}

/**
 * Reads and validates a config.yaml. A file that is empty or only comments is refused: it is far more often an editor
 * caught mid-save, or a slip, than a wish to remove every server (`servers: {}` says that).
 */
export async function loadConfig(file: string): Promise<Config> {
  const abs = path.resolve(file);
  const text = await readConfigFile(abs, 'create it with `mcplex init` or run with --config FILE');
  if (isBlank(text)) {
    throw new ConfigError(abs, [{ path: '', line: 1, message: 'the file is empty or holds only comments; write `servers: {}` to run with no servers' }]);
  }
  return parseConfig(text, abs);
}

/** Parses and validates a workspace `.mcplex.yaml` (only `servers:` allowed). */
export function parseWorkspaceConfig(text: string, file: string): WorkspaceConfig {
  const abs = path.resolve(file);
  return deepFreeze({ ...parseWith(workspaceSchema, text, abs), path: abs, dir: path.dirname(abs) });
}

/** Reads and validates a workspace `.mcplex.yaml`. */
export async function loadWorkspaceConfig(file: string): Promise<WorkspaceConfig> {
  const abs = path.resolve(file);
  return parseWorkspaceConfig(await readConfigFile(abs, 'create it or remove the reference to it'), abs);
}

/** The config used when there is none: gateway defaults, no servers. */
export function defaultConfig(dir: string): Config {
  return deepFreeze({ ...configSchema.parse({}), dir: path.resolve(dir) });
}

/** Which config.yaml to use: `--config`, else MCPLEX_CONFIG, else `<home>/config.yaml`. */
export function resolveConfigPath(opts: { flag?: string; env: NodeJS.ProcessEnv; home: string }): string {
  const chosen = opts.flag || opts.env.MCPLEX_CONFIG;
  return chosen ? path.resolve(chosen) : path.join(opts.home, 'config.yaml');
}
