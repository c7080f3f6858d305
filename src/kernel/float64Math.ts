import { kernelLayout, type KernelActivation } from './layout';
import { MAX_BANKS, type KernelMath } from './math';

/**
 * The kernel's passes in float64, in TypeScript over one Float64Array: the same layout, workspace and
 * equations as the wasm kernel (see assembly/mlp.ts), scalar loops instead of SIMD. Chosen over a second
 * wasm build because wasm SIMD has only two float64 lanes and this mode serves tests and references,
 * where 1e-10 agreement matters more than speed. Measured on the sinusoid exact-1 meta-gradient (25
 * tasks, 1761 parameters, CPU time): about 10 ms, against 0.5 ms for the float32 wasm kernel and 34 ms
 * for the float64 reference of maml-lab/derivations (which allocates per point).
 *
 * @example
 * import { float64Math, packParameters, planHeap } from 'maml-lab/kernel';
 * const math = float64Math([1, 1], 'identity');
 * // θ (W = 2, b = 1) and a gradient; x = 0, 1 and y = 1, 3, which M = 2x + 1 fits exactly
 * const plan = planHeap(math, 2, [{ x: [0, 1], y: [1, 3], tasks: 1, points: 2 }]);
 * const [theta, g] = plan.vectors;
 * packParameters(math.layout, [2, 1], math.heap(), theta);
 * math.lossGradient(theta, plan.points[0].x, plan.points[0].y, 2, g); // 0
 */
export function float64Math(sizes: readonly number[], activation: KernelActivation): KernelMath {
  const layout = kernelLayout(sizes);
  const { layers, padded } = layout;
  const L = layers.length;
  const maxWidth = Math.max(...layers.map((l) => l.o4), (sizes[0] + 3) & ~3);
  let heap = new Float64Array(0);
  let preparedPoints = -1;
  let preparedBanks = -1;
  // Per bank, the forward pass's a and h; A and H point at the selected bank's.
  let banksA: number[][] = [];
  let banksH: number[][] = [];
  // Workspace offsets per layer: a, h (= a where linear), Ra, Rh (= Ra where linear).
  let A: number[] = [];
  let H: number[] = [];
  let RA: number[] = [];
  let RH: number[] = [];
  let delta = [0, 0];
  let rdelta = [0, 0];
  let back = 0;
  let rback = 0;
  let workEnd = 0;
  let unit = 0; // a zero vector but for one entry, for `unitProduct`
  let sharedY = 0;

  const sigma = activation === 'relu' ? (a: number) => (a > 0 ? a : 0) : activation === 'tanh' ? Math.tanh : (a: number) => a;
  /** σ'(a) from a and h = σ(a). */
  const slope = activation === 'relu' ? (a: number) => (a > 0 ? 1 : 0) : activation === 'tanh' ? (_a: number, h: number) => 1 - h * h : () => 1;
  const inputOf = (l: number, x: number) => (l === 0 ? x : H[l - 1]);
  const inStrideOf = (l: number) => (l === 0 ? layers[0].in : layers[l - 1].o4);

  /**
   * Offsets from `at` of two [maxPoints × o4] blocks per layer (a and h, or Ra and Rh), the second the
   * same as the first where the layer is linear; `end` is where they stop.
   */
  function layerPairs(at: number, maxPoints: number): [number[] & { end: number }, number[]] {
    const first = Object.assign([] as number[], { end: at });
    const second: number[] = [];
    layers.forEach((layer, l) => {
      const size = maxPoints * layer.o4;
      const linear = l === L - 1 || activation === 'identity';
      first.push(first.end);
      first.end += size;
      second.push(linear ? first[l] : first.end);
      if (!linear) first.end += size;
    });
    return [first, second];
  }

  function prepare(maxPoints: number, floats: number, banks = 1): number {
    if (!Number.isInteger(banks) || banks < 1 || banks > MAX_BANKS) throw new RangeError(`banks must be an integer in [1, ${MAX_BANKS}], got ${banks}`);
    if (maxPoints !== preparedPoints || banks !== preparedBanks) {
      let at = 0;
      banksA = [];
      banksH = [];
      for (let bank = 0; bank < banks; bank++) {
        const [a, h] = layerPairs(at, maxPoints);
        banksA.push(a);
        banksH.push(h);
        at = a.end;
      }
      const [ra, rh] = layerPairs(at, maxPoints);
      RA = ra;
      RH = rh;
      at = ra.end;
      const size = maxPoints * maxWidth;
      delta = [at, at + size];
      rdelta = [at + 2 * size, at + 3 * size];
      back = at + 4 * size;
      rback = at + 5 * size;
      unit = at + 6 * size;
      workEnd = unit + padded;
      preparedPoints = maxPoints;
      preparedBanks = banks;
    }
    selectBank(0);
    const start = Math.ceil(workEnd / 4) * 4;
    if (start + floats > heap.length) {
      const grown = new Float64Array(start + floats);
      grown.set(heap.subarray(0, Math.min(heap.length, grown.length)));
      heap = grown;
    }
    heap.fill(0, unit, unit + padded);
    return start;
  }

  function selectBank(b: number): void {
    A = banksA[b];
    H = banksH[b];
  }

  /** out = init + Σ_{i<n} h[i]·W[i] for one point, W rows o4 apart (out may equal init): as in the wasm kernel. */
  function rowTimes(out: number, init: number, h: number, n: number, W: number, o4: number): void {
    for (let j = 0; j < o4; j++) {
      let s = heap[init + j];
      for (let i = 0; i < n; i++) s += heap[h + i] * heap[W + i * o4 + j];
      heap[out + j] = s;
    }
  }

  function forward(theta: number, x: number, points: number): void {
    layers.forEach((layer, l) => {
      const input = inputOf(l, x);
      const inStride = inStrideOf(l);
      const { o4 } = layer;
      for (let p = 0; p < points; p++) rowTimes(A[l] + p * o4, theta + layer.b, input + p * inStride, layer.in, theta + layer.w, o4);
      if (H[l] !== A[l]) for (let k = 0; k < points * o4; k++) heap[H[l] + k] = sigma(heap[A[l] + k]);
    });
  }

  function lossAfterForward(y: number, points: number): number {
    const { out, o4 } = layers[L - 1];
    let sum = 0;
    for (let p = 0; p < points; p++) {
      for (let o = 0; o < out; o++) {
        const r = heap[A[L - 1] + p * o4 + o] - heap[y + p * out + o];
        sum += r * r;
      }
    }
    return sum / (points * out);
  }

  function seedError(y: number, points: number): void {
    const { out, o4 } = layers[L - 1];
    const s = 2 / (points * out);
    heap.fill(0, delta[0], delta[0] + points * o4);
    for (let p = 0; p < points; p++) for (let o = 0; o < out; o++) heap[delta[0] + p * o4 + o] = s * (heap[A[L - 1] + p * o4 + o] - heap[y + p * out + o]);
  }

  /** As the wasm `backward`: the gradient of Σ δ·M into g, or with v its R-derivative (see assembly/mlp.ts). */
  function backward(theta: number, v: number, x: number, points: number, g: number): void {
    let [d, dNext] = delta;
    let [rd, rdNext] = rdelta;
    const withR = v >= 0;
    for (let l = L - 1; l >= 0; l--) {
      const layer = layers[l];
      const { o4, rows } = layer;
      const input = inputOf(l, x);
      const inStride = inStrideOf(l);
      for (let p = 0; p < points; p++) {
        for (let i = 0; i < layer.in; i++) {
          const h = heap[input + p * inStride + i];
          const rh = withR && l > 0 ? heap[RH[l - 1] + p * inStride + i] : 0;
          const gw = g + layer.w + i * o4;
          for (let j = 0; j < o4; j++) {
            heap[gw + j] += withR ? h * heap[rd + p * o4 + j] + rh * heap[d + p * o4 + j] : h * heap[d + p * o4 + j];
          }
        }
        for (let j = 0; j < o4; j++) heap[g + layer.b + j] += heap[(withR ? rd : d) + p * o4 + j];
      }
      if (l === 0) break;
      const a = A[l - 1];
      const hPrev = H[l - 1];
      for (let p = 0; p < points; p++) {
        for (let i = 0; i < rows; i++) {
          let s = 0;
          let rs = 0;
          for (let j = 0; j < o4; j++) {
            const w = heap[theta + layer.w + i * o4 + j];
            s += heap[d + p * o4 + j] * w;
            if (withR) rs += heap[rd + p * o4 + j] * w + heap[d + p * o4 + j] * heap[v + layer.w + i * o4 + j];
          }
          heap[back + p * rows + i] = s;
          if (withR) heap[rback + p * rows + i] = rs;
        }
      }
      for (let k = 0; k < points * rows; k++) {
        const ak = heap[a + k];
        const hk = heap[hPrev + k];
        const sl = slope(ak, hk);
        heap[dNext + k] = sl * heap[back + k];
        if (withR) {
          const curvature = activation === 'tanh' ? -2 * hk * (1 - hk * hk) : 0;
          heap[rdNext + k] = sl * heap[rback + k] + curvature * heap[RA[l - 1] + k] * heap[back + k];
        }
      }
      [d, dNext] = [dNext, d];
      if (withR) [rd, rdNext] = [rdNext, rd];
    }
  }

  function rForward(theta: number, v: number, x: number, points: number): void {
    layers.forEach((layer, l) => {
      const input = inputOf(l, x);
      const inStride = inStrideOf(l);
      const { o4 } = layer;
      for (let p = 0; p < points; p++) {
        const out = RA[l] + p * o4;
        rowTimes(out, v + layer.b, input + p * inStride, layer.in, v + layer.w, o4);
        if (l > 0) rowTimes(out, out, RH[l - 1] + p * inStride, layer.in, theta + layer.w, o4);
      }
      if (RH[l] !== RA[l]) for (let k = 0; k < points * o4; k++) heap[RH[l] + k] = slope(heap[A[l] + k], heap[H[l] + k]) * heap[RA[l] + k];
    });
  }


  function productAfterForward(mode: 1 | 2 | 3, theta: number, v: number, x: number, y: number, points: number, out: number): void {
    rForward(theta, v, x, points);
    zero(out);
    const { out: outputs, o4 } = layers[L - 1];
    const s = 2 / (points * outputs);
    const total = points * o4;
    if (mode === 2) {
      for (let k = 0; k < total; k++) heap[delta[0] + k] = s * heap[RA[L - 1] + k];
      backward(theta, -1, x, points, out);
      return;
    }
    seedError(y, points);
    for (let k = 0; k < total; k++) heap[rdelta[0] + k] = mode === 1 ? s * heap[RA[L - 1] + k] : 0;
    backward(theta, v, x, points, out);
  }

  function zero(at: number): void {
    heap.fill(0, at, at + padded);
  }

  return {
    precision: 'float64',
    layout,
    activation,
    prepare,
    heap: () => heap,
    bank: selectBank,
    lossGradient(theta, x, y, points, g) {
      forward(theta, x, points);
      zero(g);
      seedError(y, points);
      backward(theta, -1, x, points, g);
      return lossAfterForward(y, points);
    },
    forward,
    lossAfterForward,
    outputsAfterForward(points, out) {
      const { out: outputs, o4 } = layers[L - 1];
      for (let p = 0; p < points; p++) for (let o = 0; o < outputs; o++) out[p * outputs + o] = heap[A[L - 1] + p * o4 + o];
    },
    productAfterForward,
    sharedBackward(_theta, y) {
      // Nothing to share: `unitProduct` here is a general product with the unit vector, on these targets.
      sharedY = y;
    },
    unitProduct(mode, theta, l, i, k, x, points, out) {
      const layer = layers[l];
      const at = unit + (i < 0 ? layer.b + k : layer.w + i * layer.o4 + k);
      heap[at] = 1;
      productAfterForward(mode, theta, unit, x, sharedY, points, out);
      heap[at] = 0;
    },
    outputGradientAfterForward(theta, x, o, g) {
      const { o4 } = layers[L - 1];
      heap.fill(0, delta[0], delta[0] + o4);
      heap[delta[0] + o] = 1;
      zero(g);
      backward(theta, -1, x, 1, g);
    },
    readFlat(v, out, offset) {
      const index = layout.flatIndex;
      for (let i = 0; i < index.length; i++) out[offset + i] = heap[v + index[i]];
    },
    accumulate(n, acc, a, x) {
      for (let k = 0; k < n; k++) heap[acc + k] += a * heap[x + k];
    },
    readAccumulator(acc, out) {
      const index = layout.flatIndex;
      for (let i = 0; i < index.length; i++) out[i] = heap[acc + index[i]];
    },
    combine(n, out, a, x, b, y) {
      for (let k = 0; k < n; k++) heap[out + k] = a * heap[x + k] + b * heap[y + k];
    },
    combine3(n, out, a, x, b, y, c, z) {
      for (let k = 0; k < n; k++) heap[out + k] = a * heap[x + k] + b * heap[y + k] + c * heap[z + k];
    },
    dot(n, x, y) {
      let s = 0;
      for (let k = 0; k < n; k++) s += heap[x + k] * heap[y + k];
      return s;
    },
    gramAdd(G, J, rows, n, s) {
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < n; j++) {
          const f = s * heap[J + r * n + j];
          if (f === 0) continue;
          for (let k = 0; k < n; k++) heap[G + j * n + k] += f * heap[J + r * n + k];
        }
      }
    },
  };
}
