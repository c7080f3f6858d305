import { decadeLabel, labelNumber } from './look';
import { positive } from './validate';

/**
 * The symmetric log of x with linear threshold c: sign(x)·log₁₀(1 + |x|/c). It is 0 at 0, odd, close to
 * linear for |x| ≪ c and close to log₁₀(|x|/c) for |x| ≫ c, so a matrix whose entries span decades (a
 * Hessian: a few large Gauss–Newton entries, a bulk of small residual ones) shows its structure in
 * colour, with the sign kept.
 *
 * @example
 * import { symlog } from 'maml-lab/plots';
 * symlog(0, 1e-3); // 0
 * symlog(-9, 1); // -1
 * symlog(99e-3, 1e-3); // 2
 */
export function symlog(x: number, c: number): number {
  return Math.sign(x) * Math.log10(1 + Math.abs(x) / c);
}

/** Labelled decades per sign on a symmetric-log colour bar; beyond it only every n-th decade is labelled. */
const MAX_DECADES_PER_SIGN = 4;

/**
 * Colour-bar ticks for symmetric-log values of entries up to `extent` in magnitude: ticks sit at the
 * transformed positions of 0 and ±10ᵏ for the decades from 10c to `extent`, and are labelled with the
 * entries' own values. Decades below 10c sit within log₁₀(11) ≈ 1 of zero and their labels would run into
 * the "0". More than 4 decades a side: every n-th, counted down from the largest. No decade in
 * [10c, extent]: ±extent itself.
 *
 * @example
 * import { symlogTicks } from 'maml-lab/plots';
 * const ticks = symlogTicks(250, 1);
 * ticks.ticktext.slice(2); // ["0", "10", "100"]
 * ticks.ticktext[0] === '−100'; // true
 * ticks.tickvals[4]; // ≈ 2.0043
 */
export function symlogTicks(extent: number, c: number): { tickvals: number[]; ticktext: string[] } {
  positive('extent', extent);
  positive('symlog threshold c', c);
  const top = Math.floor(Math.log10(extent));
  const bottom = Math.ceil(Math.log10(10 * c));
  const positions: number[] = [];
  const labels: string[] = [];
  if (bottom > top) {
    positions.push(symlog(extent, c));
    labels.push(labelNumber(extent));
  } else {
    const step = Math.ceil((top - bottom + 1) / MAX_DECADES_PER_SIGN);
    for (let k = top; k >= bottom; k -= step) {
      positions.unshift(symlog(10 ** k, c));
      labels.unshift(decadeLabel(k));
    }
  }
  return {
    tickvals: [...positions.map((p) => -p).reverse(), 0, ...positions],
    ticktext: [...labels.map((l) => `−${l}`).reverse(), '0', ...labels],
  };
}
