// `tools: {allow, deny}` globs on tool names (`*` and `?`).

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** True if the tool passes the server's allow list and is not denied. */
export function toolAllowed(filter: { allow: readonly string[]; deny: readonly string[] }, tool: string): boolean {
  const match = (globs: readonly string[]) => globs.some((g) => globToRegExp(g).test(tool));
  return match(filter.allow) && !match(filter.deny);
}
