// Which protocol era a backend speaks and what it says about itself, found at each start. The first start probes
// `server/discover` (the stdio spec's backward-compatibility rule); the verdict is kept in the manifest cache, so later
// starts go straight to `initialize` (2025 era) or reuse a still-fresh discover result (modern era), and probe again
// only when that assumption fails.
import { BackendRpcError, McplexError } from '../protocol/errors.js';
import type { Params } from '../protocol/jsonrpc.js';
import { isModernVersion, META, MODERN_VERSIONS, ModernCode } from '../protocol/modern.js';
import type { BackendPeer } from '../router/backend-peer.js';
import { Cancellation, type CancelSignal } from '../protocol/cancel.js';
import type { Manifest } from './manifest.js';
import { envelope } from './wire.js';

/** The protocol version mcplex asks 2025-era backends for. */
const BACKEND_PROTOCOL_VERSION = '2025-11-25';

/** How long the probe waits for any answer before `initialize` is sent too (legacy servers may ignore it). */
const PROBE_MS = 3000;

/** The protocol era of a backend: `legacy` (2025, initialize handshake) or `modern` (2026-07-28, per-request envelope). */
export interface BackendEra {
  kind: 'legacy' | 'modern';
  version: string;
}

/** What a backend told mcplex about itself at the start. */
export interface Greeting {
  era: BackendEra;
  capabilities: Record<string, unknown>;
  serverInfo?: Manifest['serverInfo'];
  instructions?: string;
  /** Until when (ISO time) a modern server's discover result may be reused (its ttlMs). */
  freshUntil?: string;
  /** False when it came from the cache without asking the backend: the start's first requests confirm it. */
  confirmed: boolean;
}

export interface GreetOptions {
  /** The cached manifest of this exact configuration (it remembers the era). */
  cached?: Manifest;
  /** The transport carries only the 2025 era (legacy HTTP+SSE). */
  legacyOnly?: boolean;
  /** When (epoch ms) the start must be done. */
  deadline: number;
  /** Capabilities `initialize` declares ({} for shared instances). */
  clientCapabilities: Record<string, unknown>;
  /** mcplex's version, for its client info. */
  version: string;
  /** The server's name, for messages. */
  name: string;
}

type Peer = Pick<BackendPeer, 'request' | 'notify'>;

/** Learns the backend's era and greeting: from the cache where it can be trusted, else by asking (probing if needed). */
export async function greet(peer: Peer, opts: GreetOptions): Promise<Greeting> {
  const cached = opts.cached?.era;
  if (opts.legacyOnly) return initialize(peer, opts);
  if (cached?.kind === 'legacy') return initialize(peer, opts).catch((err) => reprobe(err, peer, opts));
  if (cached?.kind === 'modern') {
    const fresh = fromCache(opts.cached!);
    if (fresh) return fresh;
    const outcome = await settle(discover(peer, cached.version, opts));
    return modernGreeting(outcome, cached.version) ?? probe(peer, opts);
  }
  return probe(peer, opts);
}

/** A cached assumption failed (the backend refused what it should have accepted): find the era again. */
function reprobe(err: unknown, peer: Peer, opts: GreetOptions): Promise<Greeting> {
  if (!(err instanceof BackendRpcError)) throw err;
  return probe(peer, opts);
}

/** A modern server's discover result from the cache, while its ttlMs says it is fresh. */
function fromCache(m: Manifest): Greeting | undefined {
  if (!m.era || !m.freshUntil || Date.parse(m.freshUntil) <= Date.now()) return undefined;
  return { era: m.era, capabilities: m.capabilities, serverInfo: m.serverInfo, instructions: m.instructions, freshUntil: m.freshUntil, confirmed: false };
}

type Outcome = { result: unknown } | { error: unknown };

function settle(p: Promise<unknown>): Promise<Outcome> {
  return p.then((result) => ({ result }), (error: unknown) => ({ error }));
}

function remaining(opts: GreetOptions): number {
  return Math.max(1, opts.deadline - Date.now());
}

function discover(peer: Peer, version: string, opts: GreetOptions, signal?: CancelSignal): Promise<unknown> {
  const params = { _meta: envelope(version, { capabilities: {}, clientInfo: { name: 'mcplex', version: opts.version } }) };
  return peer.request('server/discover', params, { timeoutMs: remaining(opts), signal });
}

/**
 * Probes with `server/discover`. A DiscoverResult naming a version mcplex speaks, or an UnsupportedProtocolVersion
 * error naming one, means modern; any other answer, or none within PROBE_MS, means legacy (never one error code).
 * A server silent that long gets `initialize` too; if it refuses that, the probe's late answer still decides.
 */
async function probe(peer: Peer, opts: GreetOptions): Promise<Greeting> {
  const stop = new Cancellation();
  const asked = settle(discover(peer, MODERN_VERSIONS[0]!, opts, stop));
  let timer: NodeJS.Timeout | undefined;
  const early = await Promise.race([asked, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), Math.min(PROBE_MS, remaining(opts) / 3))))]);
  clearTimeout(timer);
  if (early) return (await modernVerdict(early, peer, opts)) ?? initialize(peer, opts);
  try {
    const legacy = await initialize(peer, opts);
    stop.abort();
    return legacy;
  } catch (err) {
    if (!(err instanceof BackendRpcError)) {
      stop.abort();
      throw err;
    }
    const late = await modernVerdict(await asked, peer, opts);
    if (late) return late;
    throw err;
  }
}

/** The modern greeting a probe's outcome leads to (retrying once at a version the server named), or undefined for legacy. */
async function modernVerdict(outcome: Outcome, peer: Peer, opts: GreetOptions): Promise<Greeting | undefined> {
  const direct = modernGreeting(outcome, MODERN_VERSIONS[0]!);
  if (direct || !('error' in outcome)) return direct;
  const supported = unsupportedVersionList(outcome.error);
  if (!supported) return undefined;
  const speak = MODERN_VERSIONS.find((v) => supported.includes(v) && v !== MODERN_VERSIONS[0]);
  if (speak) return modernGreeting(await settle(discover(peer, speak, opts)), speak);
  const modern = supported.filter(isModernVersion);
  if (!modern.length) return undefined;
  const speaks = [...MODERN_VERSIONS, BACKEND_PROTOCOL_VERSION].join(' and ');
  throw new McplexError('START_FAILED', `server "${opts.name}" speaks only protocol ${modern.join(', ')}; mcplex speaks ${speaks}`);
}

/** The versions an UnsupportedProtocolVersion error (-32022) lists, if the error is one. */
function unsupportedVersionList(err: unknown): string[] | undefined {
  if (!(err instanceof BackendRpcError) || err.rpc.code !== ModernCode.UnsupportedProtocolVersion) return undefined;
  const supported = (err.rpc.data as { supported?: unknown } | undefined)?.supported;
  return Array.isArray(supported) ? supported.filter((v): v is string => typeof v === 'string') : undefined;
}

/** The greeting a DiscoverResult gives when it lists `version`; undefined for anything else. */
function modernGreeting(outcome: Outcome, version: string): Greeting | undefined {
  if (!('result' in outcome)) return undefined;
  const r = outcome.result as { supportedVersions?: unknown; capabilities?: Record<string, unknown>; instructions?: string; ttlMs?: unknown; _meta?: Params } | undefined;
  if (!Array.isArray(r?.supportedVersions) || !r.supportedVersions.includes(version)) return undefined;
  const ttl = typeof r.ttlMs === 'number' && r.ttlMs > 0 ? r.ttlMs : 0;
  return {
    era: { kind: 'modern', version },
    capabilities: r.capabilities ?? {},
    serverInfo: r._meta?.[META.serverInfo] as Manifest['serverInfo'],
    instructions: r.instructions,
    freshUntil: ttl ? new Date(Date.now() + ttl).toISOString() : undefined,
    confirmed: true,
  };
}

/** The 2025-era handshake: initialize, then notifications/initialized. */
async function initialize(peer: Peer, opts: GreetOptions): Promise<Greeting> {
  const init = (await peer.request(
    'initialize',
    { protocolVersion: BACKEND_PROTOCOL_VERSION, capabilities: opts.clientCapabilities, clientInfo: { name: 'mcplex', version: opts.version } },
    { timeoutMs: remaining(opts) },
  )) as { protocolVersion?: string; capabilities?: Record<string, unknown>; serverInfo?: Manifest['serverInfo']; instructions?: string };
  peer.notify('notifications/initialized');
  return {
    era: { kind: 'legacy', version: typeof init.protocolVersion === 'string' ? init.protocolVersion : BACKEND_PROTOCOL_VERSION },
    capabilities: init.capabilities ?? {},
    serverInfo: init.serverInfo,
    instructions: init.instructions,
    confirmed: true,
  };
}
