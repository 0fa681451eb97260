// A container backend is a stdio backend: `docker run -i --rm`, with env passed by name only (values travel in the environment).
import { SAFE_ENV_KEYS, type ResolvedServer } from '../env/resolve.js';

const SAFE = new Set<string>(SAFE_ENV_KEYS);

/** The `docker` argv for a resolved server with a `docker:` block; secret values never appear on the command line. */
export function dockerArgs(resolved: ResolvedServer): string[] {
  if (!resolved.docker) throw new Error(`server "${resolved.name}" has no docker block`);
  const names = Object.keys(resolved.env).filter((k) => !SAFE.has(k));
  return ['run', '-i', '--rm', ...names.flatMap((k) => ['-e', k]), ...resolved.docker.args, resolved.docker.image, ...resolved.args];
}
