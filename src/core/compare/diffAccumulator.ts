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
 * values only, never on where chunk boundaries fall. Positions whose values are bit-identical add
 * x² to one sum shared by ‖a‖², ‖b‖² and a·b (one addition instead of three, on the hot path of two
 * checkpoints that mostly agree); the others to their own three.
 */
export class DiffAccumulator {
  private compared = 0;
  private maxAbs = 0;
  private sumAbs = 0;
  private sumSqDiff = 0;
  private sumSqA = 0;
  private sumSqB = 0;
  private dot = 0;
  /** Σx² over bit-identical positions: part of sumSqA, sumSqB and dot alike. */
  private sumSqSame = 0;
  private nanA = 0;
  private nanB = 0;
  private infA = 0;
  private infB = 0;

  /** Two chunks holding the same positions of either tensor. */
  add(a: ArrayLike<number>, b: ArrayLike<number>): void {
    if (a.length !== b.length) throw new RangeError(`chunks of ${a.length} and ${b.length} elements cannot be compared`);
    for (let i = 0; i < a.length; i++) this.addOne(a[i]!, b[i]!);
  }

  private addOne(x: number, y: number): void {
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
      return;
    }
    if (x !== x) this.nanA++;
    else if (!xFinite) this.infA++;
    if (y !== y) this.nanB++;
    else if (!yFinite) this.infB++;
  }

  /**
   * Two float32 chunks with their bits, in one pass that also finds whether every element's bits agree: the
   * common case of two checkpoints of one dtype, where a separate byte comparison would read both chunks again.
   * Returns true when all bits agree. The same sums, in the same order, as `add`; kept in locals for the loop.
   */
  addFloat32(a: Float32Array, b: Float32Array, aBits: Int32Array, bBits: Int32Array): boolean {
    if (a.length !== b.length) throw new RangeError(`chunks of ${a.length} and ${b.length} elements cannot be compared`);
    let { compared, maxAbs, sumAbs, sumSqDiff, sumSqA, sumSqB, dot, sumSqSame, nanA, nanB, infA, infB } = this;
    let identical = true;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      if (aBits[i] === bBits[i]) {
        if (x - x === 0) {
          compared++;
          sumSqSame += x * x;
        } else if (x !== x) {
          nanA++;
          nanB++;
        } else {
          infA++;
          infB++;
        }
        continue;
      }
      identical = false;
      const y = b[i]!;
      const xFinite = x - x === 0;
      const yFinite = y - y === 0;
      if (xFinite && yFinite) {
        const d = x - y;
        const abs = d < 0 ? -d : d;
        if (abs > maxAbs) maxAbs = abs;
        compared++;
        sumAbs += abs;
        sumSqDiff += d * d;
        sumSqA += x * x;
        sumSqB += y * y;
        dot += x * y;
        continue;
      }
      if (x !== x) nanA++;
      else if (!xFinite) infA++;
      if (y !== y) nanB++;
      else if (!yFinite) infB++;
    }
    Object.assign(this, { compared, maxAbs, sumAbs, sumSqDiff, sumSqA, sumSqB, dot, sumSqSame, nanA, nanB, infA, infB });
    return identical;
  }

  /** A chunk whose bytes are the same on both sides: no difference, only the norms and counts to add. */
  addIdentical(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      if (x - x === 0) {
        this.compared++;
        this.sumSqSame += x * x;
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
    const sumSqA = this.sumSqSame + this.sumSqA;
    const sumSqB = this.sumSqSame + this.sumSqB;
    const dot = this.sumSqSame + this.dot;
    const normA = Math.sqrt(sumSqA);
    const normDiff = Math.sqrt(this.sumSqDiff);
    return {
      compared: this.compared,
      maxAbsDiff: this.maxAbs,
      meanAbsDiff: this.compared > 0 ? this.sumAbs / this.compared : 0,
      relL2: normA > 0 ? normDiff / normA : normDiff > 0 ? Infinity : 0,
      cosine: sumSqA > 0 && sumSqB > 0 ? dot / (normA * Math.sqrt(sumSqB)) : NaN,
      nan: { a: this.nanA, b: this.nanB },
      inf: { a: this.infA, b: this.infB },
    };
  }
}
