/** How far two tensors' values are apart, over the positions where both are finite. */
export interface DiffStatistics {
  /** Positions compared: both values finite. */
  readonly compared: number;
  readonly maxAbsDiff: number;
  readonly meanAbsDiff: number;
  /** ‖a − b‖ / ‖a‖; 0 when both are zero, Infinity when only a is. */
  readonly relL2: number;
  /** a·b / (‖a‖ ‖b‖); NaN when either side is all zeros. */
  readonly cosine: number;
  readonly nan: { readonly a: number; readonly b: number };
  readonly inf: { readonly a: number; readonly b: number };
}

/**
 * Float64 sums fed chunk by chunk, element by element in order: the result depends on the
 * values only, never on where chunk boundaries fall.
 */
export class DiffAccumulator {
  private compared = 0;
  private maxAbs = 0;
  private sumAbs = 0;
  private sumSqDiff = 0;
  private sumSqA = 0;
  private sumSqB = 0;
  private dot = 0;
  private nanA = 0;
  private nanB = 0;
  private infA = 0;
  private infB = 0;

  /** Two chunks holding the same positions of either tensor. */
  add(a: ArrayLike<number>, b: ArrayLike<number>): void {
    if (a.length !== b.length) throw new RangeError(`chunks of ${a.length} and ${b.length} elements cannot be compared`);
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      const y = b[i]!;
      const xFinite = x - x === 0;
      const yFinite = y - y === 0;
      if (xFinite && yFinite) {
        const d = x - y;
        const abs = d < 0 ? -d : d;
        if (abs > this.maxAbs) this.maxAbs = abs;
        this.compared++;
        this.sumAbs += abs;
        this.sumSqDiff += d * d;
        this.sumSqA += x * x;
        this.sumSqB += y * y;
        this.dot += x * y;
        continue;
      }
      if (x !== x) this.nanA++;
      else if (!xFinite) this.infA++;
      if (y !== y) this.nanB++;
      else if (!yFinite) this.infB++;
    }
  }

  /** A chunk whose bytes are the same on both sides: no difference, only the norms and counts to add. */
  addIdentical(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      if (x - x === 0) {
        this.compared++;
        const sq = x * x;
        this.sumSqA += sq;
        this.sumSqB += sq;
        this.dot += sq;
      } else if (x !== x) {
        this.nanA++;
        this.nanB++;
      } else {
        this.infA++;
        this.infB++;
      }
    }
  }

  result(): DiffStatistics {
    const normA = Math.sqrt(this.sumSqA);
    const normDiff = Math.sqrt(this.sumSqDiff);
    return {
      compared: this.compared,
      maxAbsDiff: this.maxAbs,
      meanAbsDiff: this.compared > 0 ? this.sumAbs / this.compared : 0,
      relL2: normA > 0 ? normDiff / normA : normDiff > 0 ? Infinity : 0,
      cosine: this.sumSqA > 0 && this.sumSqB > 0 ? this.dot / (normA * Math.sqrt(this.sumSqB)) : NaN,
      nan: { a: this.nanA, b: this.nanB },
      inf: { a: this.infA, b: this.infB },
    };
  }
}
