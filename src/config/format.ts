// Human-readable output of config problems for `mcplex config validate`.
import type { ConfigError } from './load.js';

/** One line per problem (`file:LINE  path  message`) followed by `N problem(s) in FILE`. */
export function formatProblems(err: ConfigError): string {
  const lines = err.problems.map((p) => [`${err.file}${p.line ? `:${p.line}` : ''}`, p.path, p.message].filter(Boolean).join('  '));
  const n = err.problems.length;
  return [...lines, `${n} problem${n === 1 ? '' : 's'} in ${err.file}`].join('\n');
}
