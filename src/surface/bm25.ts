// BM25F: documents of weighted fields, each field's length normalised on its own; scores one stem at a time.

/** A field's weight and length normalisation (b: 0 = none, 1 = full). */
export interface FieldSpec {
  weight: number;
  b: number;
}

/** A collection of documents, each a set of named fields of stems. */
export class Bm25Collection<F extends string> {
  private readonly postings = new Map<string, Map<number, Partial<Record<F, number>>>>();
  private readonly lengths: Array<Record<F, number>> = [];
  private readonly totals = {} as Record<F, number>;

  constructor(private readonly fields: Record<F, FieldSpec>, private readonly k1: number) {
    for (const f of this.fieldNames()) this.totals[f] = 0;
  }

  private fieldNames(): F[] {
    return Object.keys(this.fields) as F[];
  }

  /** Adds a document (its id is its position) from the stems of each field. */
  add(doc: Record<F, string[]>): void {
    const id = this.lengths.length;
    const len = {} as Record<F, number>;
    for (const f of this.fieldNames()) {
      const terms = doc[f];
      len[f] = terms.length;
      this.totals[f] += terms.length;
      for (const t of terms) {
        let p = this.postings.get(t);
        if (!p) this.postings.set(t, (p = new Map()));
        const tf: Partial<Record<F, number>> = p.get(id) ?? {};
        tf[f] = (tf[f] ?? 0) + 1;
        p.set(id, tf);
      }
    }
    this.lengths.push(len);
  }

  /** Number of documents. */
  get size(): number {
    return this.lengths.length;
  }

  /** True if some document holds the stem. */
  has(term: string): boolean {
    return this.postings.has(term);
  }

  /** Inverse document frequency of a stem (0 for one no document holds). */
  idf(term: string): number {
    const n = this.postings.get(term)?.size ?? 0;
    return n ? Math.log(1 + (this.size - n + 0.5) / (n + 0.5)) : 0;
  }

  /**
   * Adds the stem's score to `into[doc]` for every document holding it (and counts it in `held[doc]` if given);
   * `idfCap` bounds how telling the stem may be.
   */
  addScores(term: string, into: Float64Array, idfCap = Infinity, held?: Uint8Array): void {
    const p = this.postings.get(term);
    if (!p) return;
    const idf = Math.min(this.idf(term), idfCap);
    for (const [id, tf] of p) {
      const len = this.lengths[id]!;
      let weighted = 0;
      for (const f of this.fieldNames()) {
        const n = tf[f];
        if (!n) continue;
        const { weight, b } = this.fields[f];
        const avg = this.totals[f] / this.size || 1;
        weighted += (weight * n) / (1 - b + (b * len[f]) / avg);
      }
      into[id] = into[id]! + (idf * weighted) / (this.k1 + weighted);
      if (held) held[id] = held[id]! + 1;
    }
  }
}
