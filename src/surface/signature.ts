// A tool's compact call signature for search hits: its required parameters and their types, so a model can often
// call the tool without a describe_tool round trip.

type Schema = Record<string, unknown>;

/** Longest enum shown literally; larger ones show as their base type. */
const MAX_ENUM = 4;

/** A short type for a JSON Schema: `string`, `number[]`, `"a"|"b"`, `object`… */
export function typeOf(schema: unknown): string {
  if (!schema || typeof schema !== 'object') return 'any';
  const s = schema as Schema;
  if (Array.isArray(s.enum) && s.enum.length > 0 && s.enum.length <= MAX_ENUM) return s.enum.map((v) => JSON.stringify(v)).join('|');
  if (s.const !== undefined) return JSON.stringify(s.const);
  const variants = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(variants)) return [...new Set(variants.map(typeOf))].filter((t) => t !== 'null').join('|') || 'any';
  const type = Array.isArray(s.type) ? s.type.filter((t) => t !== 'null').join('|') : s.type;
  if (type === 'array') return `${typeOf(s.items)}[]`;
  if (typeof type === 'string') return type === 'integer' ? 'number' : type;
  if (s.properties) return 'object';
  return 'any';
}

/** `name: type, …` for the required parameters, then `+N optional` (or `()` for none). */
export function signature(inputSchema: unknown): string {
  const s = (inputSchema && typeof inputSchema === 'object' ? inputSchema : {}) as Schema;
  const props = (s.properties && typeof s.properties === 'object' ? s.properties : {}) as Record<string, unknown>;
  const required = Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : [];
  const parts = required.map((name) => `${name}: ${typeOf(props[name])}`);
  const optional = Object.keys(props).filter((k) => !required.includes(k)).length;
  if (optional) parts.push(`+${optional} optional`);
  return `(${parts.join(', ')})`;
}

/** Parameter names of a tool (for search: `connectionString` names what the tool works on). */
export function parameterNames(inputSchema: unknown): string[] {
  const props = (inputSchema as Schema | undefined)?.properties;
  return props && typeof props === 'object' ? Object.keys(props) : [];
}
