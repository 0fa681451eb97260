// `tools: {allow, deny}` globs on tool names (`*` and `?`).

const compiled = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let re = compiled.get(glob);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`);
    compiled.set(glob, re);
  }
  return re;
}

/** True if the tool passes the server's allow list and is not denied. */
export function toolAllowed(filter: { allow: readonly string[]; deny: readonly string[] }, tool: string): boolean {
  const match = (globs: readonly string[]) => globs.some((g) => globToRegExp(g).test(tool));
  return match(filter.allow) && !match(filter.deny);
}
