// What a client told its session — its era, identity, capabilities and log level — and the surface that follows from
// it; saved, so a session re-created after a daemon restart goes on where it was.
import type { Params } from '../protocol/jsonrpc.js';
import type { ClientProfile, ShownSurface } from '../surface/clients.js';
import type { LogLevel } from './log-levels.js';
import type { Envelope } from './modern.js';
import { negotiateVersion } from './negotiate.js';

/** A client's self-description (`clientInfo`). */
export type ClientInfo = { name?: string; version?: string };

/** What a session's client told it, kept so a session re-created after a daemon restart goes on where it was. */
export interface SessionState {
  protocolVersion?: string;
  clientInfo?: ClientInfo;
  capabilities: Record<string, unknown>;
  /** Only when the client asked for one. */
  logLevel?: LogLevel;
  subscriptions: string[];
}

/** One session's client as it described itself: by `initialize` (2025), by each request's envelope (2026-07-28), or restored. */
export class ClientState {
  /** Which era the client speaks: set by its first `initialize` (2025) or enveloped request (2026-07-28). */
  era?: 'legacy' | 'modern';
  initialized = false;
  capabilities: Record<string, unknown> = {};
  info?: ClientInfo;
  protocolVersion?: string;
  /** Set when the client asked for a level with logging/setLevel. */
  askedLevel?: LogLevel;
  /** The surface and name budget for this client, settled at initialize (an unknown client's until then). */
  private settled?: ClientProfile;

  constructor(private readonly profileOf: (info: ClientInfo | undefined) => ClientProfile) {}

  /** True once the client spoke the 2026-07-28 era (and never `initialize`). */
  get modern(): boolean {
    return this.era === 'modern';
  }

  /** The client's surface profile (settled lazily for a client that has not described itself yet). */
  get profile(): ClientProfile {
    return (this.settled ??= this.profileOf(this.info));
  }

  /** What tools/list shows this client: meta, direct or both. */
  get surface(): ShownSurface {
    return this.profile.surface;
  }

  /** True if the client sees the meta tools. */
  get showsMeta(): boolean {
    return this.surface !== 'direct';
  }

  /** True if the client lists backend tools. */
  get showsDirect(): boolean {
    return this.surface !== 'meta';
  }

  /** The level the session's log messages are filtered at (`info` until the client asks). */
  get logLevel(): LogLevel {
    return this.askedLevel ?? 'info';
  }

  /** Takes what a 2025 client's `initialize` says; the protocol version is the one negotiated. */
  initialize(params: Params): void {
    this.capabilities = (params.capabilities as Record<string, unknown> | undefined) ?? {};
    this.info = params.clientInfo as ClientInfo | undefined;
    this.protocolVersion = negotiateVersion(params.protocolVersion);
    this.settled = this.profileOf(this.info);
    this.initialized = true;
    this.era = 'legacy';
  }

  /** Takes the client's identity and capabilities from a modern request: the latest request speaks for the session. */
  adopt(env: Envelope): void {
    if (!this.initialized) this.era = 'modern';
    this.capabilities = env.capabilities;
    this.protocolVersion = env.version;
    if (env.clientInfo && (env.clientInfo.name !== this.info?.name || env.clientInfo.version !== this.info?.version)) {
      this.info = env.clientInfo;
      this.settled = undefined; // surface auto follows the client's name
    }
  }

  /** What to save (with the session's resource subscriptions); undefined before initialize. */
  saved(subscriptions: string[]): SessionState | undefined {
    if (!this.initialized) return undefined;
    return {
      ...(this.protocolVersion ? { protocolVersion: this.protocolVersion } : {}),
      ...(this.info ? { clientInfo: this.info } : {}),
      capabilities: this.capabilities,
      ...(this.askedLevel ? { logLevel: this.askedLevel } : {}),
      subscriptions,
    };
  }

  /** Takes a saved state back: initialized as it was (its log level and subscriptions are the session's to apply). */
  restore(state: SessionState): void {
    this.initialized = true;
    this.era = 'legacy'; // only 2025 sessions have state to restore (a modern client carries its own on each request)
    this.capabilities = state.capabilities ?? {};
    this.info = state.clientInfo;
    this.protocolVersion = state.protocolVersion;
    this.settled = this.profileOf(this.info);
  }
}
