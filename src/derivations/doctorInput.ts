import type { Activation } from '../meta/model';
import type { Task64 } from './references';

/*
 * The doctor's input (schemas/doctor-input.schema.json): a user's MLP, its parameters, a meta-batch and the
 * meta-gradient their code computed, in PyTorch's parameter layout or this package's. Everything is read
 * into float64 in this package's flat layout (W [in, out] row-major, then b, layer by layer), the layout
 * `mlp64` and the exact routes use; every problem is named by its field and the expected shape, before any
 * arithmetic, so a bad file never turns into a NaN.
 */

/** The two parameter layouts the doctor reads. */
export type TensorLayout = 'torch' | 'maml-lab';

/** One parameter tensor as the input lists it: its name, shape in the input's layout, and where it sits in θ. */
export interface ParameterTensor {
  /** e.g. "params[2]": the index in the input's list. */
  name: string;
  /** What it is: "layer 2 weight" or "layer 2 bias". */
  role: string;
  /** Its shape in the input's layout (torch: weight [out, in]; maml-lab: W [in, out]). */
  shape: number[];
  /** Its entries' offset and count in the flat maml-lab θ. */
  offset: number;
  size: number;
}

/** A checked doctor input, in float64 and this package's flat layout. */
export interface DoctorProblem {
  sizes: number[];
  activation: Activation;
  layout: TensorLayout;
  /** The parameter tensors in the input's order, with their place in θ. */
  tensors: ParameterTensor[];
  theta: Float64Array;
  tasks: Task64[];
  alpha: number;
  steps: number;
  /** The user's meta-gradient (`gradient`), when given. */
  gradient?: Float64Array;
  /** One meta-gradient per α (`gradients`), when given: for the order of the error in α. */
  gradients?: Float64Array[];
  lambda?: number;
  reptileRate?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/**
 * A nested array of finite numbers with exactly the given shape, flattened row-major; otherwise an error
 * naming the field, the expected shape and the first place it differs.
 *
 * @example
 * import { readNumberArray } from 'maml-lab/derivations';
 * readNumberArray('params[0]', [[1, 2], [3, 4]], [2, 2]); // [1, 2, 3, 4]
 * let message = '';
 * try { readNumberArray('params[0]', [[1, 2], [3]], [2, 2]); } catch (e) { message = (e as Error).message; }
 * message; // "params[0] must be an array of shape [2, 2]: params[0][1] must hold 2 numbers, got an array of 1"
 */
export function readNumberArray(field: string, value: unknown, shape: readonly number[], what = ''): Float64Array {
  const out: number[] = [];
  const fail = (where: string, problem: string) => {
    throw new RangeError(`${field} must be an array of shape [${shape.join(', ')}]${what ? ` (${what})` : ''}: ${where} ${problem}`);
  };
  const walk = (v: unknown, depth: number, where: string) => {
    if (depth === shape.length) {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, `must be a finite number, got ${describe(v)}`);
      out.push(v as number);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      fail(where, `must hold ${shape[depth]} ${depth === shape.length - 1 ? 'numbers' : 'arrays'}, got ${describe(v)}`);
    }
    (v as unknown[]).forEach((item, i) => walk(item, depth + 1, `${where}[${i}]`));
  };
  walk(value, 0, field);
  return Float64Array.from(out);
}

/**
 * The parameter tensors of an MLP of these sizes in a layout: torch lists `nn.Linear`'s weight [out, in]
 * then bias [out] per layer (the order of `nn.Sequential(...).parameters()`), maml-lab lists W [in, out]
 * then b [out] (the order of `mlp(sizes).init()`). Offsets are into the flat maml-lab θ.
 *
 * @example
 * import { parameterTensors } from 'maml-lab/derivations';
 * parameterTensors([1, 3, 2], 'torch').map((t) => t.shape); // [[3, 1], [3], [2, 3], [2]]
 * parameterTensors([1, 3, 2], 'maml-lab').map((t) => t.shape); // [[1, 3], [3], [3, 2], [2]]
 * parameterTensors([1, 3, 2], 'torch')[2].offset; // 6
 */
export function parameterTensors(sizes: readonly number[], layout: TensorLayout): ParameterTensor[] {
  const tensors: ParameterTensor[] = [];
  let offset = 0;
  for (let l = 1; l < sizes.length; l++) {
    const [n, m] = [sizes[l - 1], sizes[l]];
    const name = (i: number) => `params[${tensors.length + i}]`;
    const weight = layout === 'torch' ? [m, n] : [n, m];
    tensors.push({ name: name(0), role: `layer ${l} ${layout === 'torch' ? 'weight [out, in]' : 'W [in, out]'}`, shape: weight, offset, size: n * m });
    tensors.push({ name: name(0), role: `layer ${l} bias [out]`, shape: [m], offset: offset + n * m, size: m });
    offset += n * m + m;
  }
  return tensors;
}

/**
 * A list of tensors in the given layout (each a nested array, e.g. from JSON) → the flat maml-lab θ:
 * torch's weights [out, in] are transposed into W [in, out]. `field` names the list in errors.
 *
 * @example
 * import { fromLayout } from 'maml-lab/derivations';
 * // nn.Linear(2, 1): weight [[w1, w2]], bias [b]
 * fromLayout([2, 1], 'torch', [[[1, 2]], [3]]); // [1, 2, 3]
 * fromLayout([2, 1], 'maml-lab', [[[1], [2]], [3]]); // [1, 2, 3]
 */
export function fromLayout(sizes: readonly number[], layout: TensorLayout, value: unknown, field = 'params'): Float64Array {
  const tensors = parameterTensors(sizes, layout);
  const expected = `[${tensors.map((t) => `[${t.shape.join(', ')}]`).join(', ')}]`;
  if (!Array.isArray(value) || value.length !== tensors.length) {
    throw new RangeError(`${field} must be a list of ${tensors.length} tensors of shapes ${expected} (layout "${layout}"), got ${describe(value)}`);
  }
  const theta = new Float64Array(tensors[tensors.length - 1].offset + tensors[tensors.length - 1].size);
  tensors.forEach((t, i) => {
    const flat = readNumberArray(`${field}[${i}]`, value[i], t.shape, `${t.role}, layout "${layout}"`);
    if (layout === 'torch' && t.shape.length === 2) {
      const [out, inp] = t.shape;
      for (let o = 0; o < out; o++) for (let j = 0; j < inp; j++) theta[t.offset + j * out + o] = flat[o * inp + j];
    } else {
      theta.set(flat, t.offset);
    }
  });
  return theta;
}

/**
 * The flat maml-lab θ → a list of nested arrays in the given layout (what the doctor's JSON holds): the
 * inverse of `fromLayout`, for writing an input from this package.
 *
 * @example
 * import { toLayout } from 'maml-lab/derivations';
 * toLayout([2, 1], 'torch', Float64Array.of(1, 2, 3)); // [[[1, 2]], [3]]
 * toLayout([2, 1], 'maml-lab', Float64Array.of(1, 2, 3)); // [[[1], [2]], [3]]
 */
export function toLayout(sizes: readonly number[], layout: TensorLayout, theta: ArrayLike<number>): (number[] | number[][])[] {
  const tensors = parameterTensors(sizes, layout);
  const total = tensors[tensors.length - 1].offset + tensors[tensors.length - 1].size;
  if (theta.length !== total) throw new RangeError(`theta must have ${total} entries for sizes [${sizes.join(', ')}], got ${theta.length}`);
  return tensors.map((t) => {
    if (t.shape.length === 1) return Array.from({ length: t.size }, (_, j) => theta[t.offset + j]);
    const [rows, cols] = t.shape;
    // torch rows are outputs: entry [o][i] is W[i][o], stored at offset + i·out + o.
    return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => (layout === 'torch' ? theta[t.offset + c * rows + r] : theta[t.offset + r * cols + c])));
  });
}

function readSet(raw: Record<string, unknown>, set: 'support' | 'query', sizes: readonly number[], tasks?: number): { x: Float64Array; y: Float64Array; points: number }[] {
  const value = raw[set];
  const [inputs, outputs] = [sizes[0], sizes[sizes.length - 1]];
  if (!isObject(value)) throw new RangeError(`${set} must be an object { "x": [tasks][points][${inputs}], "y": [tasks][points][${outputs}] }, got ${describe(value)}`);
  const { x, y } = value;
  if (!Array.isArray(x) || x.length === 0) throw new RangeError(`${set}.x must be a non-empty array [tasks][points][${inputs}], got ${describe(x)}`);
  if (tasks !== undefined && x.length !== tasks) throw new RangeError(`${set}.x must hold ${tasks} tasks (as support.x does), got ${x.length}`);
  if (!Array.isArray(y) || y.length !== x.length) throw new RangeError(`${set}.y must be an array [tasks][points][${outputs}] with ${x.length} tasks (as ${set}.x), got ${describe(y)}`);
  return x.map((tx, t) => {
    if (!Array.isArray(tx) || tx.length === 0) throw new RangeError(`${set}.x[${t}] must be a non-empty array [points][${inputs}], got ${describe(tx)}`);
    const points = tx.length;
    return {
      x: readNumberArray(`${set}.x[${t}]`, tx, [points, inputs], `points × inputs of task ${t}`),
      y: readNumberArray(`${set}.y[${t}]`, y[t], [points, outputs], `points × outputs of task ${t}, as many points as ${set}.x[${t}]`),
      points,
    };
  });
}

function optionalPositive(raw: Record<string, unknown>, name: string): number | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a finite number > 0 when given, got ${describe(v)}`);
  return v;
}

/**
 * Reads and checks a doctor input (the JSON of `maml-lab doctor`, schemas/doctor-input.schema.json) into
 * float64 in the package's flat layout. Throws a RangeError naming the first bad field and the shape it
 * should have. `gradient` or `gradients` (one per α) may be absent: `diagnoseMetaGradient` then says so.
 *
 * @example
 * import { parseDoctorInput } from 'maml-lab/derivations';
 * const input = {
 *   model: { sizes: [1, 2, 1], activation: 'tanh', layout: 'torch' },
 *   params: [[[0.5], [-0.3]], [0.1, 0.2], [[0.7, -0.4]], [0]],
 *   support: { x: [[[0], [1]]], y: [[[1], [0]]] }, query: { x: [[[2]]], y: [[[1]]] },
 *   alpha: 0.1, steps: 1,
 * };
 * const problem = parseDoctorInput(input);
 * problem.theta.length; // 7
 * problem.tensors.map((t) => t.role); // ["layer 1 weight [out, in]", "layer 1 bias [out]", "layer 2 weight [out, in]", "layer 2 bias [out]"]
 * let message = '';
 * try { parseDoctorInput({ ...input, params: [[[0.5, 1]], [0.1, 0.2], [[0.7, -0.4]], [0]] }); } catch (e) { message = (e as Error).message; }
 * message; // "params[0] must be an array of shape [2, 1] (layer 1 weight [out, in], layout \"torch\"): params[0] must hold 2 arrays, got an array of 1"
 */
export function parseDoctorInput(raw: unknown): DoctorProblem {
  if (!isObject(raw)) throw new RangeError(`the input must be a JSON object with model, params, support, query, alpha, steps and gradient; got ${describe(raw)}`);
  const model = raw.model;
  if (!isObject(model)) throw new RangeError(`model must be an object { "sizes": [1, 40, 40, 1], "activation": "relu" | "tanh", "layout": "torch" | "maml-lab" }, got ${describe(model)}`);
  const sizes = model.sizes;
  if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s >= 1)) {
    throw new RangeError(`model.sizes must list at least two layer widths, integers ≥ 1 (e.g. [1, 40, 40, 1]), got ${describe(sizes)}`);
  }
  if (model.activation !== 'relu' && model.activation !== 'tanh') throw new RangeError(`model.activation must be "relu" or "tanh", got ${describe(model.activation)}`);
  if (model.layout !== 'torch' && model.layout !== 'maml-lab') throw new RangeError(`model.layout must be "torch" or "maml-lab", got ${describe(model.layout)}`);
  const layout = model.layout;
  const alpha = optionalPositive(raw, 'alpha');
  if (alpha === undefined) throw new RangeError('alpha must be a finite number > 0 (the inner step size), got nothing');
  if (typeof raw.steps !== 'number' || !Number.isInteger(raw.steps) || raw.steps < 1) throw new RangeError(`steps must be an integer ≥ 1 (the inner SGD steps), got ${describe(raw.steps)}`);
  const theta = fromLayout(sizes, layout, raw.params, 'params');
  const support = readSet(raw, 'support', sizes);
  const query = readSet(raw, 'query', sizes, support.length);
  let gradients: Float64Array[] | undefined;
  if (raw.gradients !== undefined) {
    if (!Array.isArray(raw.gradients) || raw.gradients.length === 0) throw new RangeError(`gradients must be a non-empty list of meta-gradients (one per α, each in the layout of params), got ${describe(raw.gradients)}`);
    gradients = raw.gradients.map((g, i) => fromLayout(sizes, layout, g, `gradients[${i}]`));
  }
  return {
    sizes: [...sizes],
    activation: model.activation,
    layout,
    tensors: parameterTensors(sizes, layout),
    theta,
    tasks: support.map((s, t) => ({ support: s, query: query[t] })),
    alpha,
    steps: raw.steps,
    ...(raw.gradient !== undefined ? { gradient: fromLayout(sizes, layout, raw.gradient, 'gradient') } : {}),
    ...(gradients ? { gradients } : {}),
    ...(raw.lambda !== undefined ? { lambda: optionalPositive(raw, 'lambda') } : {}),
    ...(raw.reptileRate !== undefined ? { reptileRate: optionalPositive(raw, 'reptileRate') } : {}),
  };
}
