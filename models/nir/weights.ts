/**
 * Lowering NIR float weights to the Graph IR: binary detection (every row takes only the values
 * +c and -c, up to a relative tolerance: a Binary layer with alpha = c) and k-bit quantization of
 * the rest (per-row or per-layer scale).
 */
export interface BinaryWeights {
  kind: 'binary';
  /** Bit-packed signs (bit 1 = +1), bit k of the flat array at bit (k & 7) of byte (k >> 3). */
  bits: Uint8Array;
  alpha: Float64Array;
}

export interface IntWeights {
  kind: 'int';
  bits: number;
  weight: Int32Array;
  scale: Float64Array;
  /** Rows whose values lie exactly on their integer grid (no rounding). */
  exactRows: number;
  /** max |w - scale*q| / max |w| over the layer (0 when exact). */
  maxRelError: number;
}

export type LoweredWeights = BinaryWeights | IntWeights;

/** Index of the first non-finite value, or -1. */
export function firstNonFinite(a: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}

/** Binary detection: null unless every row is {+c_j, -c_j} within `relTol` (c_j = |first value|). */
export function detectBinary(w: Float64Array, rows: number, rowLen: number, relTol: number): BinaryWeights | null {
  const alpha = new Float64Array(rows);
  const bits = new Uint8Array(Math.ceil((rows * rowLen) / 8));
  for (let r = 0; r < rows; r++) {
    const base = r * rowLen;
    const c = Math.abs(w[base]!);
    const tol = relTol * c;
    for (let i = 0; i < rowLen; i++) {
      const v = w[base + i]!;
      if (Math.abs(Math.abs(v) - c) > tol) return null;
      if (v > 0 || c === 0) bits[(base + i) >> 3]! |= 1 << ((base + i) & 7);
    }
    alpha[r] = c;
  }
  return { kind: 'binary', bits, alpha };
}

/**
 * Quantize to signed `bits`-bit integers q in [-(2^(b-1)-1), 2^(b-1)-1] with w ~ scale*q.
 * The scale of a row (or of the layer) is max|w| / M for the smallest M <= 2^(b-1)-1 that puts
 * every value on the integer grid exactly (relative 1e-9), else max|w| / (2^(b-1)-1) with rounding.
 */
export function quantize(w: Float64Array, rows: number, rowLen: number, bits: number, per: 'row' | 'layer'): IntWeights {
  const qmax = 2 ** (bits - 1) - 1;
  const weight = new Int32Array(rows * rowLen);
  const scale = new Float64Array(rows);
  let exactRows = 0;
  let maxErr = 0;
  let layerMax = 0;
  for (let i = 0; i < w.length; i++) layerMax = Math.max(layerMax, Math.abs(w[i]!));
  const groups = per === 'row' ? rows : 1;
  const glen = per === 'row' ? rowLen : rows * rowLen;
  for (let g = 0; g < groups; g++) {
    const base = g * glen;
    let m = 0;
    for (let i = 0; i < glen; i++) m = Math.max(m, Math.abs(w[base + i]!));
    let s = 1;
    let exact = true;
    if (m > 0) {
      let found = 0;
      for (let M = 1; M <= qmax && found === 0; M++) {
        const sc = m / M;
        let ok = true;
        for (let i = 0; i < glen; i++) {
          const x = w[base + i]! / sc;
          if (Math.abs(x - Math.round(x)) > 1e-9 * M) {
            ok = false;
            break;
          }
        }
        if (ok) found = M;
      }
      exact = found > 0;
      s = m / (found > 0 ? found : qmax);
    }
    for (let i = 0; i < glen; i++) {
      const q = m > 0 ? Math.max(-qmax, Math.min(qmax, Math.round(w[base + i]! / s))) : 0;
      weight[base + i] = q;
      if (layerMax > 0) maxErr = Math.max(maxErr, Math.abs(w[base + i]! - s * q) / layerMax);
    }
    if (per === 'row') {
      scale[g] = s;
      if (exact) exactRows++;
    } else {
      scale.fill(s);
      if (exact) exactRows = rows;
    }
  }
  return { kind: 'int', bits, weight, scale, exactRows, maxRelError: maxErr };
}

/** True when w (rows x rowLen) is exactly the identity matrix. */
export function isIdentity(w: Float64Array, rows: number, rowLen: number): boolean {
  if (rows !== rowLen) return false;
  for (let r = 0; r < rows; r++) for (let i = 0; i < rowLen; i++) if (w[r * rowLen + i] !== (r === i ? 1 : 0)) return false;
  return true;
}
