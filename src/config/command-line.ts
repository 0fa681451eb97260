// Command lines as a POSIX shell reads them, for messages that show the user what would run.
import type { ServerConfig } from './types.js';

/** A command line a POSIX shell reads back as the same words. */
export function shellJoin(words: readonly string[]): string {
  return words.map((w) => (/^[A-Za-z0-9_\/.:=@%+,-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * Everything a server definition would run or reach, in full and as written (variables not expanded, so no
 * value from an .env file shows): `KEY=value … command args (in cwd)`, the docker line, or the URL and headers.
 */
export function serverCommandLine(s: ServerConfig): string {
  const env = Object.entries(s.env).map(([k, v]) => `${k}=${shellJoin([v])} `).join('');
  if (s.url) {
    const headers = Object.entries(s.headers).map(([k, v]) => `${k}: ${v}`);
    return `${s.transport ?? 'http'} ${s.url}${headers.length ? ` (headers: ${headers.join('; ')})` : ''}`;
  }
  const argv = s.docker
    ? ['docker', 'run', '-i', '--rm', ...Object.keys(s.env).flatMap((k) => ['-e', k]), ...s.docker.args, s.docker.image, ...s.args]
    : [s.command ?? '', ...s.args];
  return `${env}${shellJoin(argv)}${s.cwd ? ` (in ${s.cwd})` : ''}`;
}
