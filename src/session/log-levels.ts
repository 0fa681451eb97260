// MCP logging levels (RFC 5424 order), least to most severe.

export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The most verbose of some levels (undefined if there are none). */
export function mostVerbose(levels: Iterable<LogLevel>): LogLevel | undefined {
  let best: LogLevel | undefined;
  for (const l of levels) if (best === undefined || LOG_LEVELS.indexOf(l) < LOG_LEVELS.indexOf(best)) best = l;
  return best;
}
