/** One block of a flat parameter vector: a layer's weights or its biases. */
export interface ParameterBlock {
  /** "W1", "b1", "W2", …: layers counted from 1, as the README writes W₁, b₁. */
  name: string;
  /** Index of the block's first parameter in the flat vector. */
  start: number;
  /** Number of parameters in the block. */
  size: number;
}

/** Names of every parameter of a flat vector, and its blocks, for labelling a matrix over parameters. */
export interface ParameterLayout {
  /** One name per parameter: "W1[0,3]" (row 0, column 3 of W₁), "b1[2]". */
  names: string[];
  blocks: ParameterBlock[];
}

/**
 * Names an MLP's parameters from its layer sizes, in the package's order: W₁, b₁, W₂, b₂, …, where Wᵢ has
 * shape [in, out] and is flattened row by row (as tfjs's dataSync and every flat gradient here are), so
 * that W₁[i, j] sits at start + i·out + j. `[d, 1]` names linear regression's W1 and b1. Pure and small,
 * so it lives with the figures that label their axes with it.
 *
 * @example
 * import { mlpParameterLayout } from 'maml-lab/plots';
 * const layout = mlpParameterLayout([1, 2, 1]);
 * layout.names; // ["W1[0,0]", "W1[0,1]", "b1[0]", "b1[1]", "W2[0,0]", "W2[1,0]", "b2[0]"]
 * layout.blocks.map((b) => b.start); // [0, 2, 4, 6]
 * mlpParameterLayout([1, 40, 40, 1]).names.length; // 1761
 */
export function mlpParameterLayout(sizes: readonly number[]): ParameterLayout {
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new RangeError(`sizes must list at least an input and an output size, e.g. [1, 40, 1], got ${JSON.stringify(sizes)}`);
  }
  sizes.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 1) throw new RangeError(`sizes[${i}] must be a whole number ≥ 1, got ${JSON.stringify(s)}`);
  });
  const names: string[] = [];
  const blocks: ParameterBlock[] = [];
  for (let layer = 1; layer < sizes.length; layer++) {
    const [inputs, outputs] = [sizes[layer - 1], sizes[layer]];
    blocks.push({ name: `W${layer}`, start: names.length, size: inputs * outputs });
    for (let i = 0; i < inputs; i++) for (let j = 0; j < outputs; j++) names.push(`W${layer}[${i},${j}]`);
    blocks.push({ name: `b${layer}`, start: names.length, size: outputs });
    for (let j = 0; j < outputs; j++) names.push(`b${layer}[${j}]`);
  }
  return { names, blocks };
}
