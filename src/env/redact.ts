// Removal of secret values from text (logs, stderr tails, error messages). Callers redact before they cut text short.

const MIN_SECRET_LENGTH = 4;
/** A line of a multi-line secret is redacted on its own when it is at least this long (a PEM body line, a JSON field). */
const MIN_LINE_LENGTH = 8;
const MARK = '[redacted]';

/**
 * The forms a secret can take in text: itself, JSON-escaped (inside a logged or relayed JSON string), and for a
 * multi-line value (a PEM key) each of its lines, because stderr and logs are handled line by line.
 */
function secretForms(secret: string): string[] {
  const forms = secret.length >= MIN_SECRET_LENGTH ? [secret, JSON.stringify(secret).slice(1, -1)] : [];
  if (/[\r\n]/.test(secret)) {
    for (const line of secret.split(/\r\n|\r|\n/)) {
      const trimmed = line.trim();
      if (trimmed.length >= MIN_LINE_LENGTH) forms.push(trimmed);
    }
  }
  return forms;
}

// Builds a function replacing every occurrence of each secret, in each of its forms (longest first), with `[redacted]`.
export function redactor(secrets: Iterable<string>): (text: string) => string {
  const unique = [...new Set([...secrets].flatMap(secretForms))];
  if (unique.length === 0) return (text) => text;
  unique.sort((a, b) => b.length - a.length);
  const pattern = new RegExp(unique.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, MARK);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
