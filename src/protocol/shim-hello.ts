// The shim channel on mcplex.sock: an HTTP upgrade carrying the daemon token, a hello line, the daemon's welcome,
// then one JSON-RPC message per line both ways. Control lines from the daemon start with {"mcplex": and never look like JSON-RPC.

export interface ShimHello {
  mcplex: 'hello';
  version: string;
  pid: number;
  cwd: string;
  /** The environment of the process that launched the shim (held in memory only). */
  env: Record<string, string | undefined>;
  workspace?: string;
  surface?: 'auto' | 'meta' | 'direct' | 'both';
}

/** The daemon's answer to a hello: a session, or a refusal saying why. */
export type ShimWelcome = { mcplex: 'welcome'; session: string; version: string } | { mcplex: 'refused'; message: string };

/** Sent by the daemon before it closes every shim connection on a deliberate stop: reconnect only when the client speaks. */
export const SHIM_STOPPING_LINE = '{"mcplex":"stopping"}';

/** WebSocket close code for a deliberate daemon stop on /ws (the same meaning as the stopping line). */
export const SHIM_CLOSE_DAEMON_STOPPED = 4001;

/** True if a parsed frame is a shim hello. */
export function isHello(v: unknown): v is ShimHello {
  const h = v as Partial<ShimHello> | null;
  return !!h && h.mcplex === 'hello' && typeof h.cwd === 'string' && typeof h.env === 'object' && h.env !== null;
}
