// The zod schemas for config.yaml and workspace .mcplex.yaml (contract §4). Unknown keys are errors everywhere.
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { isLoopbackHost } from './loopback.js';

const MAX_CALL_TIMEOUT = 10 * 60_000;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Returns why `s` has malformed `${NAME}` / `${NAME:-default}` references (`$$` is a literal `$`), or undefined.
function checkVarSyntax(s: string): string | undefined {
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '$') continue;
    if (s[i + 1] === '$') { i++; continue; }
    if (s[i + 1] !== '{') continue;
    const end = s.indexOf('}', i + 2);
    if (end < 0) return `unclosed "\${" at position ${i} (write "$$" for a literal "$")`;
    const body = s.slice(i + 2, end);
    const sep = body.indexOf(':-');
    const name = sep < 0 ? body : body.slice(0, sep);
    if (!VAR_NAME.test(name)) return `bad variable name "${name}" in "\${${body}}": must match [A-Za-z_][A-Za-z0-9_]*`;
    i = end;
  }
  return undefined;
}

// A string that may contain ${VAR} references; YAML numbers and booleans are coerced to strings.
const varString = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((v, ctx) => {
    const s = String(v);
    const problem = checkVarSyntax(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
    return s;
  });

const varRecord = z.record(z.string(), varString);

// Why a server's `url` cannot work, or undefined. With `${VAR}` in it only the scheme is checked (the rest is known at run time).
function urlProblem(url: string): string | undefined {
  if (url.includes('${')) return /^(https?:\/\/|\$\{)/.test(url) ? undefined : `must start with http:// or https:// (got "${url.split('${')[0]}…")`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a valid URL (e.g. https://example.com/mcp)`;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? undefined : `must be an http:// or https:// URL (got ${parsed.protocol})`;
}

// A remote server's URL: a valid http(s) URL, `${VAR}` allowed.
const urlString = varString.superRefine((v, ctx) => {
  const problem = urlProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const stringList = z.array(z.string());

// A duration (see parseDuration), optionally capped.
const duration = (max?: number) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    try {
      const ms = parseDuration(v);
      if (max !== undefined && ms > max) ctx.addIssue({ code: 'custom', message: `must be at most ${max / 60_000}m (got ${v})` });
      return ms;
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });

// `key:` with no value in YAML is null; treat it as an empty map.
const orEmpty = <T extends z.ZodType>(s: T) => z.preprocess((v) => v ?? {}, s);

/** One entry under `servers:`: exactly one of command / url / docker. */
export const serverSchema = orEmpty(
  z
    .strictObject({
      command: z.string().min(1).optional(),
      args: z.array(varString).prefault([]),
      cwd: varString.optional(),
      url: urlString.optional(),
      transport: z.enum(['http', 'sse']).optional(),
      headers: varRecord.prefault({}),
      docker: z.strictObject({ image: z.string().min(1), args: z.array(varString).prefault([]) }).optional(),
      env: varRecord.prefault({}),
      sharing: z.enum(['global', 'workspace', 'credential', 'session']).prefault('global'),
      idleTimeout: duration().optional(),
      callTimeout: duration(MAX_CALL_TIMEOUT).optional(),
      enabled: z.boolean().prefault(true),
      description: z.string().optional(),
      tools: z.strictObject({ allow: stringList.prefault(['*']), deny: stringList.prefault([]) }).prefault({}),
      limits: z.strictObject({ memoryMB: z.number().int().positive().optional() }).prefault({}),
      restart: z
        .strictObject({
          retries: z.number().int().min(0).prefault(5),
          minDelay: duration().prefault('500ms'),
          maxDelay: duration().prefault('30s'),
        })
        .prefault({}),
    })
    .superRefine(
      (s, ctx) => {
        const kinds = (['command', 'url', 'docker'] as const).filter((k) => s[k] !== undefined);
        if (kinds.length !== 1) {
          const message = kinds.length ? `only one of command, url, docker allowed (has ${kinds.join(', ')})` : 'needs one of command, url, docker';
          ctx.addIssue({ code: 'custom', message, path: kinds.length ? [kinds[1]!] : [] });
        }
        if (s.transport !== undefined && s.url === undefined) ctx.addIssue({ code: 'custom', message: 'transport is only valid with url', path: ['transport'] });
      },
      // Run even when fields have other issues, so every problem is reported at once.
      { when: (p) => typeof p.value === 'object' && p.value !== null },
    )
    .transform((s) => (s.url !== undefined && s.transport === undefined ? { ...s, transport: 'http' as const } : s)),
);

// The `servers:` map; names must match [A-Za-z0-9_-]+.
const serversSchema = orEmpty(
  z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'server name must match [A-Za-z0-9_-]+'), serverSchema),
);

const shownSurface = z.enum(['meta', 'direct', 'both']);

// One `gateway.clients` entry: a surface, or {surface, prefix, maxName}.
const clientRule = z.union([
  shownSurface.transform((surface) => ({ surface })),
  z.strictObject({ surface: shownSurface.optional(), prefix: z.string().optional(), maxName: z.number().int().min(16).max(1024).optional() }),
]);

// The `gateway:` block with every default from the contract.
const gatewaySchema = orEmpty(
  z.strictObject({
    port: z.number().int().min(0).max(65535).prefault(8989),
    host: z.string().min(1).prefault('127.0.0.1'),
    surface: z.enum(['auto', 'meta', 'direct', 'both']).prefault('auto'),
    registrationName: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must match [A-Za-z0-9_.-]+').prefault('mcplex'),
    clients: orEmpty(z.record(z.string().min(1), clientRule)),
    idleTimeout: duration().prefault('10m'),
    callTimeout: duration(MAX_CALL_TIMEOUT).prefault('2m'),
    startTimeout: duration().prefault('60s'),
    httpIdleTimeout: duration().prefault('2m'),
    auth: z
      .strictObject({
        mode: z.enum(['owner', 'token', 'localhost']).prefault('owner'),
        tokens: stringList.prefault([]),
        apiKeys: stringList.prefault([]),
      })
      .prefault({}),
    env: varRecord.prefault({}),
  }).superRefine((g, ctx) => {
    if (!isLoopbackHost(g.host) && g.auth.mode !== 'token') {
      ctx.addIssue({ code: 'custom', path: ['host'], message: `${g.host} is not loopback: set gateway.auth.mode: token (with auth.tokens or auth.apiKeys) to expose mcplex beyond this machine` });
    }
  }),
);

/** The whole config.yaml document (an empty document is the default config). */
export const configSchema = orEmpty(z.strictObject({ gateway: gatewaySchema, servers: serversSchema }));

/** A workspace `.mcplex.yaml`: only `servers:`. */
export const workspaceSchema = orEmpty(z.strictObject({ servers: serversSchema }));
