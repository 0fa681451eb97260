// Removal of secret values from text (logs, stderr tails, error messages).

const MIN_SECRET_LENGTH = 4;
const MARK = '[redacted]';

// Builds a function replacing every occurrence of each secret (length >= 4, longest first) with `[redacted]`.
export function redactor(secrets: Iterable<string>): (text: string) => string {
  const unique = [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET_LENGTH);
  if (unique.length === 0) return (text) => text;
  unique.sort((a, b) => b.length - a.length);
  const pattern = new RegExp(unique.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, MARK);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
