// A connected backend's start: its era found and its greeting taken (from the cache where it can be trusted), then its
// lists fetched within the start's deadline, making its manifest. A cached era the backend no longer speaks shows on
// those first requests, and is found again, once.
import { BackendRpcError } from '../protocol/errors.js';
import type { Params } from '../protocol/jsonrpc.js';
import type { BackendPeer } from '../router/backend-peer.js';
import { greet, type GreetOptions, type Greeting } from './era.js';
import { fetchLists, type Lists } from './listing.js';
import type { Manifest } from './manifest.js';
import type { Wire } from './wire.js';

/** Makes the wire for a greeted backend, in its era (the instance keeps the last one made). */
export type WireFor = (hello: Greeting) => Wire;

/** Greets the backend and lists what it offers: the manifest of this start (under `configHash`). */
export async function handshake(peer: BackendPeer, greeting: GreetOptions, wireFor: WireFor, configHash: string): Promise<Manifest> {
  let hello = await greet(peer, greeting);
  let lists: Lists;
  try {
    lists = await listAll(wireFor(hello), hello.capabilities, greeting.deadline);
  } catch (err) {
    // A cached era the backend no longer speaks shows on its first requests: find the era again, once.
    if (hello.confirmed || !(err instanceof BackendRpcError)) throw err;
    hello = await greet(peer, { ...greeting, cached: undefined });
    lists = await listAll(wireFor(hello), hello.capabilities, greeting.deadline);
  }
  return {
    server: greeting.name,
    configHash,
    serverInfo: hello.serverInfo,
    capabilities: hello.capabilities,
    instructions: hello.instructions,
    ...lists,
    savedAt: new Date().toISOString(),
    era: hello.era,
    ...(hello.freshUntil ? { freshUntil: hello.freshUntil } : {}),
  };
}

/** Every list the backend offers, each page within the start's deadline. */
function listAll(wire: Wire, caps: Record<string, unknown>, deadline: number): Promise<Lists> {
  const send = (m: string, p: Params) => wire.request(m, p, { timeoutMs: Math.max(1, deadline - Date.now()) });
  return fetchLists(send, caps, ['tools', 'prompts', 'resources']) as Promise<Lists>;
}
