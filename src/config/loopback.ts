// Which host names stay on this machine: the HTTP front binds and checks them, and config validation refuses a host
// beyond them unless token auth guards it.

/** Loopback host names and addresses as a URL or Host header writes them. */
export const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True if the host name is a loopback name or address. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}
