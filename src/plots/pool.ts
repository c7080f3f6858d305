import type { ParameterBlock } from './parameters';

/** A run of consecutive rows (or columns) drawn as one cell. */
export interface IndexGroup {
  start: number;
  size: number;
}

/**
 * Consecutive groups of at most `factor` indices out of n, never straddling a block boundary (so that
 * block lines stay exact), with the blocks restated in groups.
 *
 * @example
 * import { poolGroups } from './pool';
 * const { groups, blocks } = poolGroups(7, [{ name: 'W1', start: 0, size: 5 }, { name: 'b1', start: 5, size: 2 }], 2);
 * groups.map((g) => g.size); // [2, 2, 1, 2]
 * blocks?.map((b) => [b.start, b.size]); // [[0, 3], [3, 1]]
 */
export function poolGroups(n: number, blocks: readonly ParameterBlock[] | undefined, factor: number): { groups: IndexGroup[]; blocks?: ParameterBlock[] } {
  const spans = blocks ?? [{ name: '', start: 0, size: n }];
  const groups: IndexGroup[] = [];
  const pooledBlocks: ParameterBlock[] = [];
  for (const block of spans) {
    const first = groups.length;
    for (let start = block.start; start < block.start + block.size; start += factor) {
      groups.push({ start, size: Math.min(factor, block.start + block.size - start) });
    }
    pooledBlocks.push({ name: block.name, start: first, size: groups.length - first });
  }
  return { groups, ...(blocks === undefined ? {} : { blocks: pooledBlocks }) };
}

/**
 * The matrix with each group of rows × group of columns replaced by its entry of largest magnitude, sign
 * kept: what one screen pixel can show of a matrix larger than the screen. Averaging would let +a and −a
 * cancel to a white cell where the matrix is anything but zero; the extreme entry keeps the colour range
 * and the structure. Values are kept to 4 significant digits, all a colour or the hover text shows.
 *
 * @example
 * import { poolByMagnitude } from './pool';
 * const groups = [{ start: 0, size: 2 }, { start: 2, size: 1 }];
 * poolByMagnitude([[1, -3, 0.5], [2, 0, 1], [0.25, 0.125, -7]], groups, groups); // [[-3, 1], [0.25, -7]]
 */
export function poolByMagnitude(z: readonly (readonly number[])[], rows: readonly IndexGroup[], columns: readonly IndexGroup[]): number[][] {
  return rows.map((r) =>
    columns.map((c) => {
      let best = 0;
      for (let i = r.start; i < r.start + r.size; i++) {
        for (let j = c.start; j < c.start + c.size; j++) if (Math.abs(z[i][j]) > Math.abs(best)) best = z[i][j];
      }
      return Number(best.toPrecision(4));
    }),
  );
}

/** The label of a group: the one name, or "first…last". */
export function groupLabel(labels: readonly string[], g: IndexGroup): string {
  return g.size === 1 ? labels[g.start] : `${labels[g.start]}…${labels[g.start + g.size - 1]}`;
}
