// The 2026-07-28 ("modern") era at the client edge: a request's `_meta` envelope read into one internal shape, and
// results dressed the way modern clients expect (`resultType`, cache hints, serverInfo). The core stays era-neutral.
import { BackendRpcError } from '../protocol/errors.js';
import { RpcCode, type Params } from '../protocol/jsonrpc.js';
import { META, ModernCode, MODERN_VERSIONS } from '../protocol/modern.js';
import { LOG_LEVELS, type LogLevel } from './log-levels.js';

/** What a modern request says about its client: everything a 2025 client said once in `initialize`. */
export interface Envelope {
  version: string;
  capabilities: Record<string, unknown>;
  clientInfo?: { name?: string; version?: string };
  /** Present only when the client wants log messages for this request. */
  logLevel?: LogLevel;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The envelope of a request that claims the per-request mechanism, or undefined for a 2025-era request. A claim of
 * a version mcplex does not serve, or a malformed envelope, is the client's error (-32022 / -32602).
 */
export function envelopeOf(params: Params | undefined): Envelope | undefined {
  const meta = params?._meta;
  if (!isObject(meta) || !(META.protocolVersion in meta)) return undefined;
  const version = meta[META.protocolVersion];
  if (typeof version !== 'string' || !MODERN_VERSIONS.includes(version)) {
    throw new BackendRpcError({
      code: ModernCode.UnsupportedProtocolVersion,
      message: 'Unsupported protocol version',
      data: { supported: [...MODERN_VERSIONS], requested: version },
    });
  }
  const capabilities = meta[META.clientCapabilities];
  if (!isObject(capabilities)) {
    throw new BackendRpcError({ code: RpcCode.InvalidParams, message: `Invalid params: _meta["${META.clientCapabilities}"] (an object) is required on every ${version} request` });
  }
  const logLevel = meta[META.logLevel];
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new BackendRpcError({ code: RpcCode.InvalidParams, message: `Invalid params: _meta["${META.logLevel}"] must be one of ${LOG_LEVELS.join(', ')}` });
  }
  const info = meta[META.clientInfo];
  return {
    version,
    capabilities,
    ...(isObject(info) ? { clientInfo: info as Envelope['clientInfo'] } : {}),
    ...(logLevel !== undefined ? { logLevel: logLevel as LogLevel } : {}),
  };
}

/** Results that carry cache hints in the modern era (the spec's CacheableResult). */
const CACHEABLE = new Set(['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read', 'server/discover']);

/** How a modern result may be cached: `private` where it depends on the session (its workspace, its client). */
export interface CacheHint {
  ttlMs: number;
  cacheScope: 'public' | 'private';
}

/**
 * A result as a modern client expects it: `resultType` (`complete` unless the work asked for input), cache hints
 * on cacheable results, and mcplex's serverInfo in `_meta`. Fields the result already has are kept.
 */
export function modernResult(method: string, result: unknown, serverInfo: { name: string; version: string }, cache: CacheHint): Record<string, unknown> {
  const r: Record<string, unknown> = isObject(result) ? { ...result } : {};
  r.resultType ??= 'complete';
  if (CACHEABLE.has(method) && r.resultType === 'complete') {
    r.ttlMs ??= cache.ttlMs;
    r.cacheScope ??= cache.cacheScope;
  }
  r._meta = { ...(isObject(r._meta) ? r._meta : {}), [META.serverInfo]: serverInfo };
  return r;
}

/**
 * A result as a 2025 client expects it: what a modern backend added for modern clients (`resultType`, cache hints,
 * its serverInfo in `_meta`) taken off, so 2025 clients see no change whatever era their servers speak.
 */
export function legacyResult(result: unknown): unknown {
  if (!isObject(result) || !('resultType' in result || 'ttlMs' in result || 'cacheScope' in result || isObject(result._meta))) return result;
  const { resultType: _type, ttlMs: _ttl, cacheScope: _scope, ...rest } = result;
  if (isObject(rest._meta) && META.serverInfo in rest._meta) {
    const { [META.serverInfo]: _info, ...meta } = rest._meta;
    if (Object.keys(meta).length) rest._meta = meta;
    else delete rest._meta;
  }
  return rest;
}

/** Capabilities advertised in `server/discover`: the 2025 set without what the modern core moved out (tasks). */
export function modernCapabilities(capabilities: Record<string, unknown>): Record<string, unknown> {
  const { tasks: _tasks, ...rest } = capabilities;
  return rest;
}
