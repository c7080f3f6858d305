import type { Activation } from '../meta/model';

/** A data set in float64: inputs [points × inputs] and targets [points × outputs], row-major. */
export interface Data64 {
  x: Float64Array;
  y: Float64Array;
  points: number;
}

/**
 * An MLP (same layout and loss as `meta/mlp` + `meta/mse`) evaluated in float64 with hand-written backprop
 * and Pearlmutter's R-operator for exact Hessian-vector products. Written by hand on purpose: it is the
 * route that shares no code with tfjs, so agreement between the two means something.
 */
export interface Mlp64 {
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly parameterCount: number;
  loss(theta: Float64Array, data: Data64): number;
  gradient(theta: Float64Array, data: Data64): Float64Array;
  /** H(θ)·v, exact up to float64 rounding. */
  hessianVectorProduct(theta: Float64Array, v: Float64Array, data: Data64): Float64Array;
  /**
   * GN(θ)·v for the Gauss–Newton part GN = (2/(P·O))·JᵀJ of H (J the Jacobian of the outputs): the
   * R-forward pass gives Jv, one plain backward pass of (2/(P·O))·Jv gives Jᵀ(·).
   */
  gaussNewtonVectorProduct(theta: Float64Array, v: Float64Array, data: Data64): Float64Array;
  /**
   * R(θ)·v for the residual part R = (2/(P·O))·Σ (M − y)·∇²M of H: the R-operator on the weighted output sum
   * Σ w·M with w = (2/(P·O))·(M − y) held fixed, i.e. the Hessian product with the output error's own
   * R-derivative left out.
   */
  residualVectorProduct(theta: Float64Array, v: Float64Array, data: Data64): Float64Array;
  /** The smallest |pre-activation| over hidden units and points: how far the data is from a ReLU kink. */
  kinkMargin(theta: Float64Array, data: Data64): number;
}

interface Layer {
  w: number; // offset of W (in × out, row-major) in θ
  b: number; // offset of b
  in: number;
  out: number;
}

/**
 * Float64 twin of `mlp(sizes, { activation })` with the MSE loss (mean over points and outputs, no ½).
 *
 * @example
 * import { mlp64 } from 'maml-lab/derivations';
 * const net = mlp64([1, 4, 1], 'tanh');
 * net.parameterCount; // 13
 * const theta = new Float64Array(13).fill(0.1);
 * const data = { x: Float64Array.of(-1, 0, 1), y: Float64Array.of(0, 1, 0), points: 3 };
 * net.loss(theta, data); // ≈ 0.2606
 * net.gradient(theta, data).length; // 13
 * // H·v, and its Gauss–Newton and residual parts, which add up to it
 * const v = new Float64Array(13).fill(1);
 * const hv = net.hessianVectorProduct(theta, v, data);
 * const gv = net.gaussNewtonVectorProduct(theta, v, data);
 * const rv = net.residualVectorProduct(theta, v, data);
 * hv.every((h, i) => Math.abs(gv[i] + rv[i] - h) < 1e-12); // true
 */
export function mlp64(sizes: readonly number[], activation: Activation): Mlp64 {
  const layers: Layer[] = [];
  let offset = 0;
  for (let l = 1; l < sizes.length; l++) {
    const layer = { w: offset, b: offset + sizes[l - 1] * sizes[l], in: sizes[l - 1], out: sizes[l] };
    layers.push(layer);
    offset = layer.b + sizes[l];
  }
  const parameterCount = offset;
  const outputs = sizes[sizes.length - 1];
  const sigma = activation === 'tanh' ? Math.tanh : (a: number) => (a > 0 ? a : 0);
  const dSigma = activation === 'tanh' ? (a: number) => 1 - Math.tanh(a) ** 2 : (a: number) => (a > 0 ? 1 : 0);
  const d2Sigma =
    activation === 'tanh'
      ? (a: number) => {
          const t = Math.tanh(a);
          return -2 * t * (1 - t * t);
        }
      : () => 0;

  /** Pre-activations a[l] and activations h[l] (h[0] = x) of one point. */
  function forward(theta: Float64Array, x: Float64Array) {
    const a: Float64Array[] = [];
    const h: Float64Array[] = [x];
    layers.forEach((L, l) => {
      const z = new Float64Array(L.out);
      const input = h[l];
      for (let j = 0; j < L.out; j++) {
        let s = theta[L.b + j];
        for (let i = 0; i < L.in; i++) s += input[i] * theta[L.w + i * L.out + j];
        z[j] = s;
      }
      a.push(z);
      h.push(l === layers.length - 1 ? z : z.map(sigma));
    });
    return { a, h };
  }

  function point(data: Data64, p: number) {
    const inputs = sizes[0];
    return {
      x: data.x.subarray(p * inputs, (p + 1) * inputs),
      y: data.y.subarray(p * outputs, (p + 1) * outputs),
    };
  }

  function checkTheta(theta: Float64Array) {
    if (theta.length !== parameterCount) {
      throw new RangeError(`theta must have ${parameterCount} entries for sizes [${sizes.join(', ')}], got ${theta.length}`);
    }
  }

  /**
   * ∇L(θ) when v is absent, else the product of v with H(θ) or one of its parts, from one backward pass
   * (and its R-derivative). The parts differ only in how the output layer starts the backward pass:
   * H: δ = s(M − y), Rδ = s·R(M); Gauss–Newton: a plain backward pass of δ = s·R(M); residual: δ = s(M − y)
   * held fixed, so Rδ = 0 there (s = 2/(P·O)).
   */
  function backprop(theta: Float64Array, data: Data64, v?: Float64Array, part: 'hessian' | 'gaussNewton' | 'residual' = 'hessian'): Float64Array {
    checkTheta(theta);
    if (v !== undefined && v.length !== parameterCount) throw new RangeError(`v must have ${parameterCount} entries for sizes [${sizes.join(', ')}], got ${v.length}`);
    const withRForward = v !== undefined;
    const withR = withRForward && part !== 'gaussNewton';
    const result = new Float64Array(parameterCount);
    const scale = 2 / (data.points * outputs);
    for (let p = 0; p < data.points; p++) {
      const { x, y } = point(data, p);
      const { a, h } = forward(theta, x);
      // R-forward: R(a[l]) = R(h[l])·W + h[l]·V_W + V_b, R(h[l+1]) = σ'(a[l])·R(a[l]).
      const Ra: Float64Array[] = [];
      const Rh: Float64Array[] = [new Float64Array(sizes[0])];
      if (withRForward) {
        layers.forEach((L, l) => {
          const z = new Float64Array(L.out);
          for (let j = 0; j < L.out; j++) {
            let s = v[L.b + j];
            for (let i = 0; i < L.in; i++) {
              s += Rh[l][i] * theta[L.w + i * L.out + j] + h[l][i] * v[L.w + i * L.out + j];
            }
            z[j] = s;
          }
          Ra.push(z);
          Rh.push(l === layers.length - 1 ? z : z.map((r, j) => dSigma(a[l][j]) * r));
        });
      }
      // Backward: δ = ∂L/∂a, and its R-derivative Rδ.
      const last = layers.length - 1;
      let delta = part === 'gaussNewton' && withRForward ? Ra[last].map((r) => scale * r) : a[last].map((o, j) => scale * (o - y[j]));
      let Rdelta = !withR ? delta : part === 'residual' ? new Float64Array(delta.length) : Ra[last].map((r) => scale * r);
      for (let l = last; l >= 0; l--) {
        const L = layers[l];
        for (let j = 0; j < L.out; j++) {
          result[L.b + j] += withR ? Rdelta[j] : delta[j];
          for (let i = 0; i < L.in; i++) {
            result[L.w + i * L.out + j] += withR ? Rh[l][i] * delta[j] + h[l][i] * Rdelta[j] : h[l][i] * delta[j];
          }
        }
        if (l === 0) break;
        const prev = new Float64Array(L.in);
        const Rprev = new Float64Array(L.in);
        for (let i = 0; i < L.in; i++) {
          let s = 0;
          let Rs = 0;
          let sv = 0;
          for (let j = 0; j < L.out; j++) {
            s += delta[j] * theta[L.w + i * L.out + j];
            if (withR) {
              Rs += Rdelta[j] * theta[L.w + i * L.out + j];
              sv += delta[j] * v[L.w + i * L.out + j];
            }
          }
          const ai = a[l - 1][i];
          prev[i] = s * dSigma(ai);
          if (withR) Rprev[i] = (Rs + sv) * dSigma(ai) + s * d2Sigma(ai) * Ra[l - 1][i];
        }
        delta = prev;
        Rdelta = withR ? Rprev : prev;
      }
    }
    return result;
  }

  return {
    sizes: [...sizes],
    activation,
    parameterCount,

    loss(theta, data) {
      checkTheta(theta);
      let s = 0;
      for (let p = 0; p < data.points; p++) {
        const { x, y } = point(data, p);
        const out = forward(theta, x).h[layers.length];
        for (let o = 0; o < outputs; o++) s += (out[o] - y[o]) ** 2;
      }
      return s / (data.points * outputs);
    },

    gradient: (theta, data) => backprop(theta, data),
    hessianVectorProduct: (theta, v, data) => backprop(theta, data, v),
    gaussNewtonVectorProduct: (theta, v, data) => backprop(theta, data, v, 'gaussNewton'),
    residualVectorProduct: (theta, v, data) => backprop(theta, data, v, 'residual'),
    kinkMargin(theta, data) {
      checkTheta(theta);
      let margin = Infinity;
      for (let p = 0; p < data.points; p++) {
        const { a } = forward(theta, point(data, p).x);
        for (let l = 0; l < a.length - 1; l++) for (const z of a[l]) margin = Math.min(margin, Math.abs(z));
      }
      return margin;
    },
  };
}
