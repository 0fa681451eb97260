// The first frame a shim sends on /ws (and the daemon's reply) before relaying JSON-RPC.

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

export interface ShimWelcome {
  mcplex: 'welcome';
  session: string;
  version: string;
}

/** WebSocket close code for a deliberate daemon stop: the shim waits for its client before starting another. */
export const SHIM_CLOSE_DAEMON_STOPPED = 4001;

/** True if a parsed frame is a shim hello. */
export function isHello(v: unknown): v is ShimHello {
  const h = v as Partial<ShimHello> | null;
  return !!h && h.mcplex === 'hello' && typeof h.cwd === 'string' && typeof h.env === 'object' && h.env !== null;
}
