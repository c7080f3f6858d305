// AssemblyScript (compiled by `asc`, not tsc): the MLP + MSE kernel in float32 with 128-bit SIMD.
//
// Everything works on one task's points at a time: a forward pass, the backward pass (backprop) and
// Pearlmutter's R-operator, which gives H·v, the Gauss–Newton product GN·v and the residual product R·v
// from one forward, R-forward, backward and R-backward pass. The TypeScript wrapper (../wasmMath.ts) owns
// the memory plan and calls these with byte pointers; nothing here allocates.
//
// Layout (the wrapper packs θ into it): layer l has W [rows × o4] and b [o4], o4 = out rounded up to a
// multiple of 4 with zero padding, rows = in for the first layer (inputs are read one scalar at a time)
// and the previous layer's o4 after it (so the transposed products can take four rows at once). Padding
// stays zero through every pass: padded weights and biases are zero, so padded pre-activations are zero,
// and so are their activations (relu(0) = tanh(0) = 0) and their δ.
//
// Equations (per point; s = 2/(P·O) for the MSE, mean over P points and O outputs, no ½):
//   forward    a_l = h_{l-1}W_l + b_l,          h_l = σ(a_l)      (h_0 = x, the last layer linear)
//   R-forward  Ra_l = Rh_{l-1}W_l + h_{l-1}V_l + Vb_l,  Rh_l = σ'(a_l)·Ra_l     (Rh_0 = 0)
//   backward   δ_L = s(M − y),   ∇W_l = h_{l-1}ᵀδ_l,  ∇b_l = δ_l,  δ_{l-1} = σ'(a_{l-1})·(δ_l W_lᵀ)
//   R-backward Rδ_L = s·Ra_L,    (Hv)W_l = Rh_{l-1}ᵀδ_l + h_{l-1}ᵀRδ_l,  (Hv)b_l = Rδ_l,
//              Rδ_{l-1} = σ'(a_{l-1})·(Rδ_l W_lᵀ + δ_l V_lᵀ) + σ''(a_{l-1})·Ra_{l-1}·(δ_l W_lᵀ)
// Gauss–Newton: a plain backward pass seeded with δ_L = s·Ra_L. Residual: Rδ_L = 0 (errors held fixed).

// The table's fields, per layer: its sizes and where its W and b start in θ, then the workspace pointers.
const IN: i32 = 0; // input width
const OUT: i32 = 1; // output width
const O4: i32 = 2; // the output width rounded up to a multiple of 4
const ROWS: i32 = 3; // W's rows
const W_AT: i32 = 4; // W's offset in θ (bytes)
const B_AT: i32 = 5; // b's offset in θ (bytes)
const A_AT: i32 = 6; // a, every point's pre-activations
const H_AT: i32 = 7; // h = σ(a) (the same block as a where the layer is linear)
const RA_AT: i32 = 8; // Ra
const RH_AT: i32 = 9; // Rh (the same block as Ra where the layer is linear)
const DELTA_AT: i32 = 10; // δ
const BACK_AT: i32 = 11; // δWᵀ
const FIELDS: i32 = 12;
// Fields A_AT to BACK_AT exist once per bank: a bank holds one point's forward
// pass and plain backward pass (δ and δWᵀ, which Hessian-vector products at that point reuse), so the
// exact meta-gradient keeps every inner step's passes instead of running them again. The table lives at
// the start of the workspace, banks × layers × FIELDS i32s, so any depth fits (a fixed table overflowed
// into its neighbours past 32 layers, silently: the build has no bounds checks).
let config: usize = 0;
let bankStride: usize = 0;
let bankBase: usize = 0;

let layers: i32 = 0;
let activation: i32 = 0; // 0 identity, 1 relu, 2 tanh
let padded: i32 = 0; // parameters in the padded layout
let maxWidth: i32 = 0; // the largest o4 (and the input width)
let delta0: usize = 0;
let delta1: usize = 0;
let rdelta0: usize = 0;
let rdelta1: usize = 0;
let back: usize = 0; // δ_l W_lᵀ of every point
let rback: usize = 0; // Rδ_l W_lᵀ + δ_l V_lᵀ of every point
let zeros: usize = 0; // maxWidth zeros

@inline function get(l: i32, k: i32): i32 {
  return load<i32>(bankBase + (((l * FIELDS + k) as usize) << 2));
}
@inline function put(l: i32, k: i32, value: i32): void {
  store<i32>(bankBase + (((l * FIELDS + k) as usize) << 2), value);
}

/** Makes bank b (below the `banks` given to `setup`) the one every pass reads and writes. */
export function selectBank(b: i32): void {
  bankBase = config + (b as usize) * bankStride;
}
/** A layer's input rows: x for the first layer, the previous layer's activations after it. */
@inline function inputOf(l: i32, x: usize): usize {
  return l == 0 ? x : (get(l - 1, H_AT) as usize);
}
/** Bytes between two points' input rows: the input width, or the previous layer's padded width. */
@inline function inStrideOf(l: i32): usize {
  return ((l == 0 ? get(0, IN) : get(l - 1, O4)) << 2) as usize;
}
@inline function round4(n: i32): i32 {
  return (n + 3) & ~3;
}

/**
 * Lays out the network's table and `banks` workspaces for up to `maxPoints` points from `work` on (bank 0
 * selected); returns the end of the workspace. Writes the table (at `work`), nothing else: the wrapper
 * computes the same end beforehand (wasmMath.ts, `workspaceEnd`), grows memory to it, calls this, then
 * `clearWorkspace`. `sizes` points at `count` i32 layer sizes.
 */
export function setup(sizes: usize, count: i32, act: i32, maxPoints: i32, work: usize, banks: i32): usize {
  layers = count - 1;
  activation = act;
  config = work;
  bankStride = ((layers * FIELDS) << 2) as usize;
  let offset = 0;
  let at = (work + (banks as usize) * bankStride + 15) & ~15;
  maxWidth = round4(load<i32>(sizes));
  for (let bank = 0; bank < banks; bank++) {
    selectBank(bank);
    offset = 0;
    for (let l = 0; l < layers; l++) {
      const inWidth = load<i32>(sizes + ((l as usize) << 2));
      const out = load<i32>(sizes + (((l + 1) as usize) << 2));
      const o4 = round4(out);
      const rows = l == 0 ? inWidth : round4(inWidth);
      put(l, IN, inWidth);
      put(l, OUT, out);
      put(l, O4, o4);
      put(l, ROWS, rows);
      put(l, W_AT, offset << 2);
      put(l, B_AT, (offset + rows * o4) << 2);
      offset += rows * o4 + o4;
      const bytes = (maxPoints * o4) << 2;
      put(l, A_AT, at as i32);
      at += bytes;
      const linear = l == layers - 1 || act == 0;
      put(l, H_AT, linear ? get(l, A_AT) : (at as i32));
      if (!linear) at += bytes;
      put(l, RA_AT, at as i32);
      at += bytes;
      put(l, RH_AT, linear ? get(l, RA_AT) : (at as i32));
      if (!linear) at += bytes;
      put(l, DELTA_AT, at as i32);
      at += bytes;
      put(l, BACK_AT, at as i32);
      at += (maxPoints * rows) << 2;
      if (o4 > maxWidth) maxWidth = o4;
    }
  }
  selectBank(0);
  padded = offset;
  const bytes = ((maxPoints * maxWidth) << 2) as usize;
  at = (at + 15) & ~15;
  delta0 = at;
  delta1 = at + bytes;
  rdelta0 = at + 2 * bytes;
  rdelta1 = at + 3 * bytes;
  back = at + 4 * bytes;
  rback = at + 5 * bytes;
  zeros = at + 6 * bytes;
  return zeros + ((maxWidth << 2) as usize);
}

/** Zeroes what must start as zeros, once the wrapper has grown memory to the end `setup` returned. */
export function clearWorkspace(): void {
  memory.fill(zeros, 0, (maxWidth << 2) as usize);
}

/** The number of parameters in the padded layout (a multiple of 4). */
export function paddedCount(): i32 {
  return padded;
}

/** The padded offset (in floats) of layer l's W (k = 0) or b (k = 1), for the wrapper's packing. */
export function layerOffset(l: i32, k: i32): i32 {
  return get(l, W_AT + k) >> 2;
}

// ---------------------------------------------------------------------------------------------------
// Building blocks: out[0..o4) = init + Σᵢ h[i]·W[i][·], and its transpose, in 16-float and 4-float blocks.
// ---------------------------------------------------------------------------------------------------

/**
 * The one product every pass is made of, on `width` floats (16, 8 or 4) from `V`:
 * out = init + Σ_{t<count} s[t]·V[t], the scalars s[t] sStride bytes apart and the rows V[t] vStride
 * bytes apart, summed in registers. out may equal init.
 */
@inline function splatSum(width: i32, out: usize, init: usize, s: usize, sStride: usize, V: usize, vStride: usize, count: i32): void {
  let a0 = v128.load(init);
  let a1 = width > 4 ? v128.load(init, 16) : a0;
  let a2 = width > 8 ? v128.load(init, 32) : a0;
  let a3 = width > 8 ? v128.load(init, 48) : a0;
  let sp = s;
  let vp = V;
  for (let t = 0; t < count; t++) {
    const x = f32x4.splat(load<f32>(sp));
    a0 = f32x4.add(a0, f32x4.mul(x, v128.load(vp)));
    if (width > 4) a1 = f32x4.add(a1, f32x4.mul(x, v128.load(vp, 16)));
    if (width > 8) {
      a2 = f32x4.add(a2, f32x4.mul(x, v128.load(vp, 32)));
      a3 = f32x4.add(a3, f32x4.mul(x, v128.load(vp, 48)));
    }
    sp += sStride;
    vp += vStride;
  }
  v128.store(out, a0);
  if (width > 4) v128.store(out, a1, 16);
  if (width > 8) {
    v128.store(out, a2, 32);
    v128.store(out, a3, 48);
  }
}

/** out[0..o4) = init + Σ_{t<count} s[t]·V[t][0..o4), in blocks of 16, 8 and 4 floats. */
function rowSum(out: usize, init: usize, s: usize, sStride: usize, V: usize, vStride: usize, count: i32, o4: i32): void {
  let c = 0;
  for (; c + 16 <= o4; c += 16) splatSum(16, out + ((c << 2) as usize), init + ((c << 2) as usize), s, sStride, V + ((c << 2) as usize), vStride, count);
  for (; c + 8 <= o4; c += 8) splatSum(8, out + ((c << 2) as usize), init + ((c << 2) as usize), s, sStride, V + ((c << 2) as usize), vStride, count);
  for (; c < o4; c += 4) splatSum(4, out + ((c << 2) as usize), init + ((c << 2) as usize), s, sStride, V + ((c << 2) as usize), vStride, count);
}

/** out = init + Σ_{i<n} h[i]·W[i] for one point; W rows are o4 floats apart. out may equal init. */
function rowTimes(out: usize, init: usize, h: usize, n: i32, W: usize, o4: i32): void {
  rowSum(out, init, h, 4, W, (o4 << 2) as usize, n, o4);
}

/** The four lane sums of a0…a3 as one vector (a transpose by shuffles, then adds). */
@inline function laneSums(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const t0 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
  const t1 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
}

/** out[i] = Σ_c d[c]·W[i][c] for i < rows (a multiple of 4), one point. */
function timesTransposed(out: usize, d: usize, W: usize, rows: i32, o4: i32): void {
  const stride = (o4 << 2) as usize;
  for (let i = 0; i < rows; i += 4) {
    const w0 = W + (i as usize) * stride;
    const w1 = w0 + stride;
    const w2 = w1 + stride;
    const w3 = w2 + stride;
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    for (let c = 0; c < o4; c += 4) {
      const at = (c << 2) as usize;
      const dv = v128.load(d + at);
      a0 = f32x4.add(a0, f32x4.mul(dv, v128.load(w0 + at)));
      a1 = f32x4.add(a1, f32x4.mul(dv, v128.load(w1 + at)));
      a2 = f32x4.add(a2, f32x4.mul(dv, v128.load(w2 + at)));
      a3 = f32x4.add(a3, f32x4.mul(dv, v128.load(w3 + at)));
    }
    v128.store(out + ((i as usize) << 2), laneSums(a0, a1, a2, a3));
  }
}

/** out[i] = Σ_c (d[c]·W[i][c] + e[c]·V[i][c]) for i < rows (a multiple of 4), one point. */
function timesTransposed2(out: usize, d: usize, W: usize, e: usize, V: usize, rows: i32, o4: i32): void {
  const stride = (o4 << 2) as usize;
  for (let i = 0; i < rows; i += 4) {
    const off = (i as usize) * stride;
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    for (let c = 0; c < o4; c += 4) {
      const at = off + ((c << 2) as usize);
      const dv = v128.load(d + ((c << 2) as usize));
      const ev = v128.load(e + ((c << 2) as usize));
      a0 = f32x4.add(a0, f32x4.add(f32x4.mul(dv, v128.load(W + at)), f32x4.mul(ev, v128.load(V + at))));
      a1 = f32x4.add(a1, f32x4.add(f32x4.mul(dv, v128.load(W + at + stride)), f32x4.mul(ev, v128.load(V + at + stride))));
      a2 = f32x4.add(a2, f32x4.add(f32x4.mul(dv, v128.load(W + at + 2 * stride)), f32x4.mul(ev, v128.load(V + at + 2 * stride))));
      a3 = f32x4.add(a3, f32x4.add(f32x4.mul(dv, v128.load(W + at + 3 * stride)), f32x4.mul(ev, v128.load(V + at + 3 * stride))));
    }
    v128.store(out + ((i as usize) << 2), laneSums(a0, a1, a2, a3));
  }
}

/**
 * G[i] += Σ_p h[p][i]·d[p] for i < n (the weight gradient of a layer): h rows hStride bytes apart, d rows
 * o4 floats apart; with `h2`/`d2` non-zero it adds Σ_p h2[p][i]·d2[p] too (the R-backward's two terms).
 */
function outerSum(G: usize, h: usize, hStride: usize, d: usize, h2: usize, d2: usize, n: i32, points: i32, o4: i32): void {
  const stride = (o4 << 2) as usize;
  for (let i = 0; i < n; i++) {
    const g = G + (i as usize) * stride;
    rowSum(g, g, h + ((i as usize) << 2), hStride, d, stride, points, o4);
    if (h2 != 0) rowSum(g, g, h2 + ((i as usize) << 2), hStride, d2, stride, points, o4);
  }
}

/** g[c] += Σ_p d[p][c] (a layer's bias gradient). */
function columnSum(g: usize, d: usize, points: i32, o4: i32): void {
  const stride = (o4 << 2) as usize;
  for (let c = 0; c < o4; c += 4) {
    const at = (c << 2) as usize;
    let a = v128.load(g + at);
    for (let p = 0; p < points; p++) a = f32x4.add(a, v128.load(d + (p as usize) * stride + at));
    v128.store(g + at, a);
  }
}

// ---------------------------------------------------------------------------------------------------
// The passes.
// ---------------------------------------------------------------------------------------------------

/** The forward pass of `points` points x [points × in] at θ, into the workspace (a and h of each layer). */
export function forward(theta: usize, x: usize, points: i32): void {
  for (let l = 0; l < layers; l++) {
    const inWidth = get(l, IN);
    const o4 = get(l, O4);
    const W = theta + (get(l, W_AT) as usize);
    const b = theta + (get(l, B_AT) as usize);
    const a = get(l, A_AT) as usize;
    const h = get(l, H_AT) as usize;
    const input = inputOf(l, x);
    const inStride = inStrideOf(l);
    const outStride = (o4 << 2) as usize;
    for (let p = 0; p < points; p++) rowTimes(a + (p as usize) * outStride, b, input + (p as usize) * inStride, inWidth, W, o4);
    if (h == a) continue;
    const total = points * o4;
    if (activation == 1) {
      const zero = f32x4.splat(0);
      for (let k = 0; k < total; k += 4) v128.store(h + ((k as usize) << 2), f32x4.pmax(zero, v128.load(a + ((k as usize) << 2))));
    } else {
      for (let k = 0; k < total; k++) store<f32>(h + ((k as usize) << 2), Mathf.tanh(load<f32>(a + ((k as usize) << 2))));
    }
  }
}

/** Σ (M − y)² / (P·O) after `forward`, summed in float64. */
export function lossAfterForward(y: usize, points: i32): f64 {
  const last = layers - 1;
  const out = get(last, OUT);
  const o4 = get(last, O4);
  const M = get(last, A_AT) as usize;
  let sum: f64 = 0;
  for (let p = 0; p < points; p++) {
    for (let o = 0; o < out; o++) {
      const r = (load<f32>(M + (((p * o4 + o) as usize) << 2)) - load<f32>(y + (((p * out + o) as usize) << 2))) as f64;
      sum += r * r;
    }
  }
  return sum / ((points * out) as f64);
}

/** d ← d ⊙ σ'(a) (with h = σ(a) at hand), over `total` floats. */
function timesSlope(d: usize, a: usize, h: usize, total: i32): void {
  if (activation == 1) {
    const zero = f32x4.splat(0);
    for (let k = 0; k < total; k += 4) {
      const at = (k as usize) << 2;
      v128.store(d + at, v128.and(v128.load(d + at), f32x4.gt(v128.load(a + at), zero)));
    }
  } else if (activation == 2) {
    const one = f32x4.splat(1);
    for (let k = 0; k < total; k += 4) {
      const at = (k as usize) << 2;
      const t = v128.load(h + at);
      v128.store(d + at, f32x4.mul(v128.load(d + at), f32x4.sub(one, f32x4.mul(t, t))));
    }
  }
}

/**
 * The plain backward pass from the output seed δ_L in `seed`: adds the gradient of Σ δ·M to g. With
 * `keep` it writes each layer's δ and δWᵀ into the bank (the seed must then be the bank's δ_L), for the
 * Hessian-vector products at this point; otherwise it works in scratch buffers.
 */
function backward(theta: usize, x: usize, points: i32, g: usize, seed: usize, keep: bool): void {
  let d = seed;
  let spare = seed == delta0 ? delta1 : delta0;
  for (let l = layers - 1; l >= 0; l--) {
    const inWidth = get(l, IN);
    const o4 = get(l, O4);
    const rows = get(l, ROWS);
    const W = theta + (get(l, W_AT) as usize);
    const input = inputOf(l, x);
    const inStride = inStrideOf(l);
    outerSum(g + (get(l, W_AT) as usize), input, inStride, d, 0, 0, inWidth, points, o4);
    columnSum(g + (get(l, B_AT) as usize), d, points, o4);
    if (l == 0) break;
    const B = keep ? (get(l, BACK_AT) as usize) : back;
    for (let p = 0; p < points; p++) timesTransposed(B + ((p * rows) << 2), d + ((p * o4) << 2), W, rows, o4);
    const total = points * rows;
    const next = keep ? (get(l - 1, DELTA_AT) as usize) : spare;
    memory.copy(next, B, (total << 2) as usize);
    timesSlope(next, get(l - 1, A_AT) as usize, get(l - 1, H_AT) as usize, total);
    spare = d;
    d = next;
  }
}

/**
 * The R-backward pass, from the seed Rδ_L in rdelta0, the R-forward in the workspace and the bank's δ and
 * δWᵀ (from `lossGradient` or `sharedBackward` at this point): adds A·v to g (H·v, or the residual part's
 * product when the seed is zero). For a general direction v, l0 < 0. For the unit vector of layer l0's
 * weight (row i, column k; a bias entry when i < 0), v is not read: Ra and Rh are zero below l0 (and not
 * read there) and δVᵀ is one entry.
 */
function rBackward(theta: usize, v: usize, x: usize, points: i32, g: usize, l0: i32, i: i32, k: i32): void {
  let rd = rdelta0;
  let rdNext = rdelta1;
  for (let l = layers - 1; l >= 0; l--) {
    const inWidth = get(l, IN);
    const o4 = get(l, O4);
    const rows = get(l, ROWS);
    const W = theta + (get(l, W_AT) as usize);
    const D = get(l, DELTA_AT) as usize;
    const input = inputOf(l, x);
    const inStride = inStrideOf(l);
    // (Hv)W = Rhᵀδ + hᵀRδ; Rh is zero in the input layer and at and below l0.
    const withRh = l > 0 && l > l0;
    outerSum(g + (get(l, W_AT) as usize), input, inStride, rd, withRh ? (get(l - 1, RH_AT) as usize) : 0, withRh ? D : 0, inWidth, points, o4);
    columnSum(g + (get(l, B_AT) as usize), rd, points, o4);
    if (l == 0) break;
    const stride = (o4 << 2) as usize;
    const pStride = (rows << 2) as usize;
    if (l0 < 0) {
      const V = v + (get(l, W_AT) as usize);
      for (let p = 0; p < points; p++) timesTransposed2(rback + (p as usize) * pStride, rd + (p as usize) * stride, W, D + (p as usize) * stride, V, rows, o4);
    } else {
      for (let p = 0; p < points; p++) timesTransposed(rback + (p as usize) * pStride, rd + (p as usize) * stride, W, rows, o4);
      if (l == l0 && i >= 0) {
        // δVᵀ: V is one entry at (i, k), so point p gains δ[p][k] at row i.
        for (let p = 0; p < points; p++) {
          const at = rback + (((p * rows + i) as usize) << 2);
          store<f32>(at, load<f32>(at) + load<f32>(D + (((p * o4 + k) as usize) << 2)));
        }
      }
    }
    // Rδ' = σ'·(RδWᵀ + δVᵀ) + σ''·Ra·(δWᵀ); Ra is zero below l0.
    const total = points * rows;
    const h = get(l - 1, H_AT) as usize;
    memory.copy(rdNext, rback, (total << 2) as usize);
    timesSlope(rdNext, get(l - 1, A_AT) as usize, h, total);
    if (activation == 2 && l - 1 >= l0) {
      const Ra = get(l - 1, RA_AT) as usize;
      const B = get(l, BACK_AT) as usize;
      const minusTwo = f32x4.splat(-2);
      const one = f32x4.splat(1);
      for (let c = 0; c < total; c += 4) {
        const at = (c as usize) << 2;
        const t = v128.load(h + at);
        const curvature = f32x4.mul(minusTwo, f32x4.mul(t, f32x4.sub(one, f32x4.mul(t, t))));
        v128.store(rdNext + at, f32x4.add(v128.load(rdNext + at), f32x4.mul(curvature, f32x4.mul(v128.load(Ra + at), v128.load(B + at)))));
      }
    }
    const swap = rd;
    rd = rdNext;
    rdNext = swap;
  }
}

/** The R-forward pass for direction v after `forward` (Ra and Rh of each layer). */
function rForward(theta: usize, v: usize, x: usize, points: i32): void {
  for (let l = 0; l < layers; l++) {
    const inWidth = get(l, IN);
    const o4 = get(l, O4);
    const W = theta + (get(l, W_AT) as usize);
    const V = v + (get(l, W_AT) as usize);
    const Vb = v + (get(l, B_AT) as usize);
    const Ra = get(l, RA_AT) as usize;
    const Rh = get(l, RH_AT) as usize;
    const input = inputOf(l, x);
    const inStride = inStrideOf(l);
    const outStride = (o4 << 2) as usize;
    for (let p = 0; p < points; p++) {
      const out = Ra + (p as usize) * outStride;
      rowTimes(out, Vb, input + (p as usize) * inStride, inWidth, V, o4);
      if (l > 0) rowTimes(out, out, (get(l - 1, RH_AT) as usize) + (p as usize) * inStride, inWidth, W, o4);
    }
    if (Rh == Ra) continue;
    // Rh = σ'(a)·Ra
    const total = points * o4;
    memory.copy(Rh, Ra, (total << 2) as usize);
    timesSlope(Rh, get(l, A_AT) as usize, get(l, H_AT) as usize, total);
  }
}

/** δ_L = s(M − y) into `target` after `forward` (zero in the padding), s = 2/(P·O). */
function seedError(y: usize, points: i32, target: usize): void {
  const last = layers - 1;
  const out = get(last, OUT);
  const o4 = get(last, O4);
  const M = get(last, A_AT) as usize;
  const s: f32 = (2.0 / ((points * out) as f64)) as f32;
  memory.fill(target, 0, ((points * o4) << 2) as usize);
  for (let p = 0; p < points; p++) {
    for (let o = 0; o < out; o++) {
      const at = ((p * o4 + o) as usize) << 2;
      store<f32>(target + at, s * (load<f32>(M + at) - load<f32>(y + (((p * out + o) as usize) << 2))));
    }
  }
}

/**
 * g ← ∇L(θ) of the MSE on (x, y); returns L. Runs its own forward pass, and leaves it and the backward
 * pass's δ in the bank for products at this point (`productAfterForward`).
 */
export function lossGradient(theta: usize, x: usize, y: usize, points: i32, g: usize): f64 {
  forward(theta, x, points);
  memory.fill(g, 0, (padded << 2) as usize);
  const seed = get(layers - 1, DELTA_AT) as usize;
  seedError(y, points, seed);
  backward(theta, x, points, g, seed, true);
  return lossAfterForward(y, points);
}

/**
 * out ← A·v at θ on (x, y): mode 1 the Hessian H, 2 its Gauss–Newton part, 3 its residual part. Needs the
 * bank to hold this point's forward pass and, for modes 1 and 3, its δ (`lossGradient`, or `forward` and
 * `sharedBackward`); neither is repeated, so many directions share them.
 */
export function productAfterForward(mode: i32, theta: usize, v: usize, x: usize, y: usize, points: i32, out: usize): void {
  rForward(theta, v, x, points);
  memory.fill(out, 0, (padded << 2) as usize);
  const last = layers - 1;
  const o4 = get(last, O4);
  const Ra = get(last, RA_AT) as usize;
  const total = points * o4;
  const s: f32 = (2.0 / ((points * get(last, OUT)) as f64)) as f32;
  const scale = f32x4.splat(s);
  if (mode == 2) {
    // A plain backward pass of δ = s·Ra: (2/(P·O))·Jᵀ(Jv).
    for (let k = 0; k < total; k += 4) v128.store(delta0 + ((k as usize) << 2), f32x4.mul(scale, v128.load(Ra + ((k as usize) << 2))));
    backward(theta, x, points, out, delta0, false);
    return;
  }
  seedRdelta(mode, points);
  rBackward(theta, v, x, points, out, -1, 0, 0);
}

/** The R-backward's seed in rdelta0: Rδ_L = s·Ra_L for the Hessian (mode 1), 0 for its residual part (errors held fixed). */
function seedRdelta(mode: i32, points: i32): void {
  const last = layers - 1;
  const total = points * get(last, O4);
  if (mode != 1) {
    memory.fill(rdelta0, 0, (total << 2) as usize);
    return;
  }
  const scale = f32x4.splat((2.0 / ((points * get(last, OUT)) as f64)) as f32);
  const Ra = get(last, RA_AT) as usize;
  for (let c = 0; c < total; c += 4) v128.store(rdelta0 + ((c as usize) << 2), f32x4.mul(scale, v128.load(Ra + ((c as usize) << 2))));
}

/** The gradient of output `o` of point 0 (a row of the output Jacobian) after `forward` on that one point. */
export function outputGradientAfterForward(theta: usize, x: usize, o: i32, g: usize): void {
  const o4 = get(layers - 1, O4);
  memory.fill(delta0, 0, (o4 << 2) as usize);
  store<f32>(delta0 + ((o as usize) << 2), 1);
  memory.fill(g, 0, (padded << 2) as usize);
  backward(theta, x, 1, g, delta0, false);
}

// ---------------------------------------------------------------------------------------------------
// Vector arithmetic over n floats (n a multiple of 4, pointers 16-byte aligned).
// ---------------------------------------------------------------------------------------------------

/** out = a·x + b·y (out may be x or y). */
export function combine(n: i32, out: usize, a: f32, x: usize, b: f32, y: usize): void {
  const av = f32x4.splat(a);
  const bv = f32x4.splat(b);
  for (let k = 0; k < n; k += 4) {
    const at = (k as usize) << 2;
    v128.store(out + at, f32x4.add(f32x4.mul(av, v128.load(x + at)), f32x4.mul(bv, v128.load(y + at))));
  }
}

/** out = a·x + b·y + c·z (out may alias any): the proximal inner step in one pass. */
export function combine3(n: i32, out: usize, a: f32, x: usize, b: f32, y: usize, c: f32, z: usize): void {
  const av = f32x4.splat(a);
  const bv = f32x4.splat(b);
  const cv = f32x4.splat(c);
  for (let k = 0; k < n; k += 4) {
    const at = (k as usize) << 2;
    v128.store(out + at, f32x4.add(f32x4.mul(av, v128.load(x + at)), f32x4.add(f32x4.mul(bv, v128.load(y + at)), f32x4.mul(cv, v128.load(z + at)))));
  }
}

/** x·y, accumulated in float64 lane sums. */
export function dot(n: i32, x: usize, y: usize): f64 {
  let sum: f64 = 0;
  for (let k = 0; k < n; k += 4) {
    const at = (k as usize) << 2;
    const p = f32x4.mul(v128.load(x + at), v128.load(y + at));
    sum += (f32x4.extract_lane(p, 0) as f64) + (f32x4.extract_lane(p, 1) as f64) + (f32x4.extract_lane(p, 2) as f64) + (f32x4.extract_lane(p, 3) as f64);
  }
  return sum;
}

/**
 * G[j][·] += s·Σ_r J[r][j]·J[r][·] over `rows` rows of n floats (n a multiple of 4): s·JᵀJ into an n × n
 * block, the Gauss–Newton part from the output Jacobian. Each row of G is written once, its sum over the
 * few rows of J kept in registers, since G (n² floats) is far larger than J.
 */
export function gramAdd(G: usize, J: usize, rows: i32, n: i32, s: f32): void {
  const stride = (n << 2) as usize;
  for (let j = 0; j < n; j++) {
    const g = G + (j as usize) * stride;
    const column = J + ((j as usize) << 2);
    for (let k = 0; k < n; k += 8) {
      const at = (k as usize) << 2;
      let a0 = v128.load(g + at);
      let a1 = k + 4 < n ? v128.load(g + at, 16) : f32x4.splat(0);
      for (let r = 0; r < rows; r++) {
        const f = f32x4.splat(s * load<f32>(column + (r as usize) * stride));
        const row = J + (r as usize) * stride + at;
        a0 = f32x4.add(a0, f32x4.mul(f, v128.load(row)));
        if (k + 4 < n) a1 = f32x4.add(a1, f32x4.mul(f, v128.load(row, 16)));
      }
      v128.store(g + at, a0);
      if (k + 4 < n) v128.store(g + at, a1, 16);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The Hessian's columns: products with unit vectors, sharing the forward and the plain backward pass.
// ---------------------------------------------------------------------------------------------------

/** After `forward`: δ_l and δ_l W_lᵀ of every layer (they do not depend on the direction), from δ_L = s(M − y). */
export function sharedBackward(theta: usize, y: usize, points: i32): void {
  const last = layers - 1;
  seedError(y, points, get(last, DELTA_AT) as usize);
  for (let l = last; l >= 1; l--) {
    const o4 = get(l, O4);
    const rows = get(l, ROWS);
    const W = theta + (get(l, W_AT) as usize);
    const D = get(l, DELTA_AT) as usize;
    const B = get(l, BACK_AT) as usize;
    for (let p = 0; p < points; p++) timesTransposed(B + ((p * rows) << 2), D + ((p * o4) << 2), W, rows, o4);
    const total = points * rows;
    const Dprev = get(l - 1, DELTA_AT) as usize;
    memory.copy(Dprev, B, (total << 2) as usize);
    timesSlope(Dprev, get(l - 1, A_AT) as usize, get(l - 1, H_AT) as usize, total);
  }
}

/**
 * out ← A·e after `forward` and `sharedBackward`, e the unit vector of layer l0's weight (row i, column k)
 * or, with i < 0, of its bias entry k: mode 1 the Hessian, 3 its residual part. The R-passes start at
 * layer l0 (below it Ra = Rh = 0) and the δVᵀ term is one entry, so a column costs a fraction of a
 * general product.
 */
export function unitProduct(mode: i32, theta: usize, l0: i32, i: i32, k: i32, x: usize, points: i32, out: usize): void {
  // R-forward from l0.
  {
    const o4 = get(l0, O4);
    const Ra = get(l0, RA_AT) as usize;
    const total = points * o4;
    memory.fill(Ra, 0, (total << 2) as usize);
    const input = inputOf(l0, x);
    const inStride = inStrideOf(l0);
    for (let p = 0; p < points; p++) {
      const value: f32 = i < 0 ? 1 : load<f32>(input + (p as usize) * inStride + ((i as usize) << 2));
      store<f32>(Ra + (((p * o4 + k) as usize) << 2), value);
    }
    const Rh = get(l0, RH_AT) as usize;
    if (Rh != Ra) {
      memory.copy(Rh, Ra, (total << 2) as usize);
      timesSlope(Rh, get(l0, A_AT) as usize, get(l0, H_AT) as usize, total);
    }
  }
  for (let l = l0 + 1; l < layers; l++) {
    const inWidth = get(l, IN);
    const o4 = get(l, O4);
    const W = theta + (get(l, W_AT) as usize);
    const Ra = get(l, RA_AT) as usize;
    const Rh = get(l, RH_AT) as usize;
    const inStride = (get(l - 1, O4) << 2) as usize;
    const RhPrev = get(l - 1, RH_AT) as usize;
    for (let p = 0; p < points; p++) rowTimes(Ra + ((p * o4) << 2), zeros, RhPrev + (p as usize) * inStride, inWidth, W, o4);
    if (Rh == Ra) continue;
    const total = points * o4;
    memory.copy(Rh, Ra, (total << 2) as usize);
    timesSlope(Rh, get(l, A_AT) as usize, get(l, H_AT) as usize, total);
  }
  memory.fill(out, 0, (padded << 2) as usize);
  seedRdelta(mode, points);
  rBackward(theta, 0, x, points, out, l0, i, k);
}

/** dst[r] = src[index[r]] widened to float64, r < n: a padded vector read out in the flat order. */
export function gatherWide(src: usize, index: usize, n: i32, dst: usize): void {
  for (let r = 0; r < n; r++) {
    const at = r as usize;
    store<f64>(dst + (at << 3), load<f32>(src + ((load<i32>(index + (at << 2)) as usize) << 2)) as f64);
  }
}

/**
 * acc[0..n) += a·x[0..n): x float32, acc float64 (8n bytes, 16-byte aligned). The meta-gradient's mean over
 * tasks is summed here, so its rounding does not grow with the number of tasks (in float32 it reached
 * 3.4e-6 relative at 50,000 tasks); two f64x2 lanes per four floats cost nothing beside a task's passes.
 */
export function accumulate(n: i32, acc: usize, a: f64, x: usize): void {
  const av = f64x2.splat(a);
  for (let k = 0; k < n; k += 4) {
    const v = v128.load(x + ((k as usize) << 2));
    const at = acc + ((k as usize) << 3);
    v128.store(at, f64x2.add(v128.load(at), f64x2.mul(av, f64x2.promote_low_f32x4(v))));
    v128.store(at, f64x2.add(v128.load(at, 16), f64x2.mul(av, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)))), 16);
  }
}
