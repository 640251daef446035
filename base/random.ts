/**
 * The project's one seeded PRNG (mulberry32): floats in [0, 1), the same sequence for the same
 * seed on every platform. Training, the random test models, the fuzzers and the benches all draw
 * from it, so a seed printed by any of them reproduces the run.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
