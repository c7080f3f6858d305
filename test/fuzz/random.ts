/**
 * A seeded generator for the kernel fuzzer: every case draws from its own stream, derived from the run's
 * seed and the case's index only, so one case reruns alone (MAML_LAB_FUZZ_CASE) exactly as in the run.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** An integer in [lo, hi], uniform. */
  int(lo: number, hi: number): number;
  /** An integer in [lo, hi], uniform in log scale: small sizes as often as large ones. */
  logInt(lo: number, hi: number): number;
  /** Uniform in log scale on [lo, hi]. */
  logUniform(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  /** Standard normal (Box–Muller). */
  normal(): number;
  chance(p: number): boolean;
}

/** splitmix32: small, fast, and every 32-bit seed gives a distinct, well-mixed stream. */
export function random(seed: number, stream = 0): Random {
  let state = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(stream | 0, 0x85ebca6b) ^ 0x6a09e667) >>> 0;
  const next = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
  const r: Random = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    logInt: (lo, hi) => Math.min(hi, Math.floor(Math.exp(Math.log(lo) + next() * (Math.log(hi + 1) - Math.log(lo))))),
    logUniform: (lo, hi) => Math.exp(Math.log(lo) + next() * (Math.log(hi) - Math.log(lo))),
    pick: (items) => items[Math.floor(next() * items.length)],
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    chance: (p) => next() < p,
  };
  return r;
}
