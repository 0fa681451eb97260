// `${NAME}` / `${NAME:-default}` substitution used in env, args, url, headers and cwd (§4).

const PATTERN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

// Replaces `${NAME}` and `${NAME:-default}` via `lookup` and `$$` by `$`; an unresolved name without default is added to `missing` and becomes ''.
export function interpolate(
  text: string,
  lookup: (name: string) => string | undefined,
  missing: Set<string>,
): string {
  return text.replace(PATTERN, (match: string, name: string | undefined, fallback: string | undefined) => {
    if (match === '$$') return '$';
    if (name === undefined) return match;
    const value = lookup(name);
    if (fallback !== undefined) return value === undefined || value === '' ? fallback : value;
    if (value === undefined) {
      missing.add(name);
      return '';
    }
    return value;
  });
}
