// How an instance talks to its backend in the backend's era, so that everything above stays era-neutral. A legacy
// wire (after initialize) passes requests through; a modern wire puts the calling session's `_meta` envelope on each
// request, hears list changes and resource updates on a `subscriptions/listen` stream, and has no ping, setLevel,
// resources/subscribe or client notifications other than cancellation.
import type { Logger } from 'pino';
import type { JsonRpcNotification, Params } from '../protocol/jsonrpc.js';
import { ENVELOPE_KEYS, META } from '../protocol/modern.js';
import type { BackendPeer, Caller, RequestOptions } from '../router/backend-peer.js';
import type { BackendEra } from './era.js';
import { Listener } from './listen.js';

/** Sends a request on behalf of the session that subscribes (counted like its other requests). */
export type SessionSend = (method: string, params: Params) => Promise<unknown>;

/** One backend connection, in its era. */
export interface Wire {
  readonly era: BackendEra;
  /** Sends one request. */
  request(method: string, params: Params | undefined, opts: RequestOptions): Promise<unknown>;
  /** Sends a client notification the era has (others are dropped). */
  notify(method: string, params?: Params): void;
  /** A liveness probe (ping, or server/discover where ping is gone); rejects like a request. */
  health(timeoutMs: number): Promise<unknown>;
  /** Sessions now watch `uris` (`uri` just joined, `on`, or left them): the backend is told in its era's way. */
  watch(uri: string, on: boolean, uris: readonly string[], send: SessionSend): Promise<unknown>;
  /** Sets the backend's log level, where the era has a setting for it. */
  setLogLevel?(level: string, timeoutMs: number): Promise<unknown>;
  /** A backend notification as the pool should see it; undefined when the wire consumed it. */
  incoming(n: JsonRpcNotification): JsonRpcNotification | undefined;
  /** Starts what stays open while the instance is ready. */
  open(): void;
  /** Stops it. */
  close(): void;
}

/** The modern per-request `_meta` envelope for a caller. */
export function envelope(version: string, caller: Caller): Params {
  const info = caller.clientInfo;
  return {
    [META.protocolVersion]: version,
    [META.clientCapabilities]: caller.capabilities,
    ...(info ? { [META.clientInfo]: { ...info, name: info.name ?? 'unknown', version: info.version ?? 'unknown' } } : {}),
    ...(caller.logLevel ? { [META.logLevel]: caller.logLevel } : {}),
  };
}

/** Params without a modern envelope (a modern client's, forwarded to a 2025 backend). */
function withoutEnvelope(params: Params | undefined): Params | undefined {
  const meta = params?._meta as Params | undefined;
  if (!meta || !ENVELOPE_KEYS.some((k) => k in meta)) return params;
  const rest = Object.fromEntries(Object.entries(meta).filter(([k]) => !ENVELOPE_KEYS.includes(k)));
  return { ...params, _meta: rest };
}

/** A 2025-era backend after its initialize handshake. */
export class LegacyWire implements Wire {
  constructor(private readonly peer: BackendPeer, readonly era: BackendEra) {}

  request(method: string, params: Params | undefined, opts: RequestOptions): Promise<unknown> {
    return this.peer.request(method, withoutEnvelope(params), opts);
  }

  notify(method: string, params?: Params): void {
    this.peer.notify(method, params);
  }

  health(timeoutMs: number): Promise<unknown> {
    return this.peer.request('ping', undefined, { timeoutMs });
  }

  watch(uri: string, on: boolean, _uris: readonly string[], send: SessionSend): Promise<unknown> {
    return send(on ? 'resources/subscribe' : 'resources/unsubscribe', { uri });
  }

  setLogLevel(level: string, timeoutMs: number): Promise<unknown> {
    return this.peer.request('logging/setLevel', { level }, { timeoutMs });
  }

  incoming(n: JsonRpcNotification): JsonRpcNotification {
    return n;
  }

  open(): void {}

  close(): void {}
}

/** A 2026-07-28-era backend: stateless requests, each carrying who it is for. */
export class ModernWire implements Wire {
  private readonly listener: Listener;

  constructor(
    private readonly peer: BackendPeer,
    readonly era: BackendEra,
    capabilities: Record<string, unknown>,
    /** Who mcplex is, for the requests it makes on its own (lists, health, listen). */
    private readonly self: Caller,
    log: Logger,
    ready: () => boolean,
  ) {
    const kinds = {
      ...(capabilities.tools !== undefined ? { toolsListChanged: true } : {}),
      ...(capabilities.prompts !== undefined ? { promptsListChanged: true } : {}),
      ...(capabilities.resources !== undefined ? { resourcesListChanged: true } : {}),
    };
    this.listener = new Listener((params, opts) => this.request('subscriptions/listen', params, opts), kinds, log, ready);
  }

  request(method: string, params: Params | undefined, opts: RequestOptions): Promise<unknown> {
    const meta = { ...(params?._meta as Params | undefined), ...envelope(this.era.version, opts.caller ?? this.self) };
    return this.peer.request(method, { ...params, _meta: meta }, opts);
  }

  notify(method: string, params?: Params): void {
    if (method === 'notifications/cancelled') this.peer.notify(method, params);
  }

  health(timeoutMs: number): Promise<unknown> {
    return this.request('server/discover', undefined, { timeoutMs });
  }

  watch(_uri: string, _on: boolean, uris: readonly string[]): Promise<unknown> {
    return this.listener.watch(uris);
  }

  incoming(n: JsonRpcNotification): JsonRpcNotification | undefined {
    if (this.listener.acknowledged(n)) return undefined;
    const meta = n.params?._meta as Params | undefined;
    if (!meta || !(META.subscriptionId in meta)) return n;
    const { [META.subscriptionId]: _id, ...rest } = meta;
    const { _meta: _old, ...params } = n.params!;
    return { ...n, params: Object.keys(rest).length ? { ...params, _meta: rest } : params };
  }

  open(): void {
    this.listener.start();
  }

  close(): void {
    this.listener.stop();
  }
}
