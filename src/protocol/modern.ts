// Names of the 2026-07-28 ("modern") protocol era that both sides of mcplex speak: the per-request `_meta` envelope,
// the versions, and the error codes that identify a modern peer.

/** The modern protocol version mcplex speaks. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/** Every modern version mcplex speaks, preferred first. */
export const MODERN_VERSIONS: readonly string[] = [MODERN_PROTOCOL_VERSION];

/** The reserved `_meta` keys of the modern era. */
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

/** The request envelope keys (what a client declares on every modern request). */
export const ENVELOPE_KEYS: readonly string[] = [META.protocolVersion, META.clientInfo, META.clientCapabilities, META.logLevel];

/** JSON-RPC error codes the modern era defines. */
export const ModernCode = {
  HeaderMismatch: -32020,
  MissingRequiredClientCapability: -32021,
  UnsupportedProtocolVersion: -32022,
} as const;

/** True for a version of the modern era (dated 2026-07-28 or later), whether or not mcplex speaks it. */
export function isModernVersion(v: unknown): v is string {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && v >= MODERN_PROTOCOL_VERSION;
}
