// The state of a configured server as users see it (status, /api/status, the status page, /metrics, list_servers).
import type { Instance } from './instance.js';

/** Every state a configured server can be shown in; `untrusted` is set by workspace trust, not derived from instances. */
export const SERVER_STATES = ['stopped', 'starting', 'ready', 'failed', 'untrusted'] as const;

export type ServerState = (typeof SERVER_STATES)[number];

/** True if an instance cannot serve now: its last start failed, or its circuit breaker is open. */
function instanceFailed(i: Instance): boolean {
  return i.state === 'failed' || i.breaker.state === 'open' || i.breaker.state === 'failed';
}

/** A server's state from its instances: ready if any serves, else starting, else failed, else stopped (starts on first use). */
export function serverState(instances: readonly Instance[]): ServerState {
  if (instances.some((i) => i.state === 'ready')) return 'ready';
  if (instances.some((i) => i.state === 'starting')) return 'starting';
  if (instances.some(instanceFailed)) return 'failed';
  return 'stopped';
}

/** The instance whose error and stderr best explain a server's state (the failed one, else the latest error). */
export function explainingInstance(instances: readonly Instance[]): Instance | undefined {
  return instances.find(instanceFailed) ?? instances.find((i) => i.lastError !== undefined);
}
