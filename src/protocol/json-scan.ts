// Byte-level JSON scanning for text that is too large (or too odd) to parse: the top-level "id" wherever it sits,
// and the integer literals a double would round.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

/** Where the scanner is inside the top-level object. */
type At = 'key' | 'inKey' | 'colon' | 'value' | 'inValue' | 'after';

/** Longest id text kept (an id longer than this is not one a client would use). */
const MAX_ID_TEXT = 1024;

/**
 * Fed a JSON text in chunks, remembers the source text of the top-level object's "id" member, whatever the key
 * order (SDK servers write `id` after a result of any size).
 */
export class TopLevelIdScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private at: At = 'key';
  private key = '';
  private value = '';
  private capturing = false;
  /** The id member's raw text (a JSON string with its quotes, or a number), once seen. */
  idText?: string;
  /** True once a top-level "method" member was seen (the frame is a request or notification, not a response). */
  hasMethod = false;

  push(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) this.byte(chunk[i]!);
  }

  /** Call at the end of the text: a number value ends there. */
  end(): void {
    this.finishValue();
  }

  private byte(c: number): void {
    if (this.inString) return this.stringByte(c);
    if (c === QUOTE) {
      this.inString = true;
      if (this.depth !== 1) return;
      if (this.at === 'key') {
        this.at = 'inKey';
        this.key = '';
      } else if (this.at === 'value') this.startValue(c);
      return;
    }
    if (c === 0x7b || c === 0x5b) {
      this.depth++;
      if (this.depth === 1) this.at = 'key';
      else if (this.depth === 2 && this.at === 'value') this.at = 'after';
      return;
    }
    if (c === 0x7d || c === 0x5d) {
      if (this.depth === 1) this.finishValue();
      this.depth--;
      return;
    }
    if (this.depth !== 1) return;
    if (c === COLON && this.at === 'colon') this.at = 'value';
    else if (c === COMMA) {
      this.finishValue();
      this.at = 'key';
    } else if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      if (this.at === 'inValue') this.finishValue();
    } else if (this.at === 'value') this.startValue(c);
    else if (this.at === 'inValue') this.append(c);
  }

  private stringByte(c: number): void {
    const top = this.depth === 1;
    if (this.escaped) {
      this.escaped = false;
    } else if (c === BACKSLASH) {
      this.escaped = true;
    } else if (c === QUOTE) {
      this.inString = false;
      if (top && this.at === 'inKey') {
        this.at = 'colon';
        if (this.key === 'method') this.hasMethod = true;
      }
      else if (top && this.at === 'inValue') {
        this.append(c);
        this.finishValue();
      }
      return;
    }
    if (!top) return;
    if (this.at === 'inKey' && this.key.length < 7) this.key += String.fromCharCode(c);
    else if (this.at === 'inValue') this.append(c);
  }

  private startValue(c: number): void {
    this.at = 'inValue';
    this.capturing = this.key === 'id';
    this.value = '';
    this.append(c);
  }

  private append(c: number): void {
    if (this.capturing && this.value.length < MAX_ID_TEXT) this.value += String.fromCharCode(c);
  }

  private finishValue(): void {
    if (this.at !== 'inValue') return;
    this.at = 'after';
    if (this.capturing) this.idText = Buffer.from(this.value, 'latin1').toString('utf8');
    this.capturing = false;
  }
}

/** Spans [start, end) of integer literals outside strings whose value a double cannot hold exactly. */
export function unsafeIntegerSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) {
      inString = true;
      continue;
    }
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) continue;
    let end = i + 1;
    let integer = true;
    for (; end < text.length; end++) {
      const d = text.charCodeAt(end);
      if (d >= 0x30 && d <= 0x39) continue;
      if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) integer = false;
      else break;
    }
    if (integer && end - i >= 16 && !Number.isSafeInteger(Number(text.slice(i, end)))) spans.push([i, end]);
    i = end - 1;
  }
  return spans;
}
