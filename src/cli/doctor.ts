import { diagnoseMetaGradient, errorOrderInAlpha, formatRelativeError, type AlphaOrder, type Diagnosis } from '../derivations/doctor';
import { parseDoctorInput } from '../derivations/doctorInput';
import { textTable } from './format';

/** What `maml-lab doctor` computes: the diagnosis, and with --alphas the error's order in α. */
export interface DoctorOutput {
  diagnosis: Diagnosis;
  alphaOrder?: AlphaOrder;
}

/**
 * Runs the doctor on a parsed JSON input: the diagnosis of `gradient` (or, with `alphas` and no
 * `gradient`, of the first of `gradients`) and, with `alphas`, the order in α of the error.
 *
 * @example
 * import { runDoctor } from './doctor';
 * const input = { model: { sizes: [1, 1], activation: 'relu', layout: 'torch' }, params: [[[0.5]], [0]],
 *   support: { x: [[[0], [1]]], y: [[[1], [3]]] }, query: { x: [[[2]]], y: [[[5]]] }, alpha: 0.1, steps: 1,
 *   gradient: [[[-12.6]], [-6.3]] };
 * runDoctor(input).diagnosis.nearest; // "fomaml"
 */
export function runDoctor(raw: unknown, alphas?: readonly number[]): DoctorOutput {
  const problem = parseDoctorInput(raw);
  if (alphas === undefined) return { diagnosis: diagnoseMetaGradient(problem) };
  const alphaOrder = errorOrderInAlpha(problem, alphas);
  const at = problem.gradient ? { problem, gradient: problem.gradient } : { problem: { ...problem, alpha: alphas[0] }, gradient: problem.gradients![0] };
  return { diagnosis: diagnoseMetaGradient(at.problem, { gradient: at.gradient }), alphaOrder };
}

/**
 * What `maml-lab doctor --json` prints: `{ nearest, verdict, candidates: [{ name, relativeError, cosine,
 * scale }] }`, and with --alphas also `alphaOrder: { alphas, nearest, errors, order, constant }`.
 *
 * @example
 * import { doctorJson } from './doctor';
 * const diagnosis = { nearest: 'maml', verdict: 'matches maml', coincident: [], unavailable: [],
 *   candidates: [{ name: 'maml', relativeError: 0, cosine: 1, scale: 1, perLayer: [] }] };
 * doctorJson({ diagnosis }); // '{"nearest":"maml","verdict":"matches maml","candidates":[{"name":"maml","relativeError":0,"cosine":1,"scale":1}]}'
 */
export function doctorJson(out: DoctorOutput): string {
  const { nearest, verdict, candidates } = out.diagnosis;
  return JSON.stringify({
    nearest,
    verdict,
    candidates: candidates.map(({ name, relativeError, cosine, scale }) => ({ name, relativeError, cosine, scale })),
    ...(out.alphaOrder ? { alphaOrder: out.alphaOrder } : {}),
  });
}

/**
 * The doctor's report for a reader: the verdict, every candidate, and per layer where the nearest one and
 * the runner-up deviate; with --alphas, the error against maml at each α and its order.
 *
 * @example
 * import { doctorText } from './doctor';
 * const diagnosis = { nearest: 'maml', verdict: 'matches maml', coincident: [], unavailable: [],
 *   candidates: [{ name: 'maml', relativeError: 0, cosine: 1, scale: 1, perLayer: [{ name: 'params[0]', role: 'layer 1 W [in, out]', relativeError: 0 }] }] };
 * doctorText({ diagnosis }).split('\n')[0]; // "verdict: matches maml"
 */
export function doctorText(out: DoctorOutput): string {
  const { verdict, candidates, unavailable, nearest } = out.diagnosis;
  const sorted = [...candidates].sort((a, b) => a.relativeError - b.relativeError);
  const lines = [`verdict: ${verdict}`, ''];
  lines.push(textTable(['candidate', 'relative error', 'cosine', 'scale'], sorted.map((c) => [c.name, c.relativeError.toExponential(2), c.cosine.toFixed(6), c.scale.toPrecision(4)])));
  for (const u of unavailable) lines.push(`not compared: ${u.name} (${u.reason})`);
  const shown = sorted.slice(0, 2);
  lines.push('', `per parameter tensor (relative error against ${shown.map((c) => c.name).join(' and ')}):`);
  lines.push(textTable(['tensor', 'what', ...shown.map((c) => c.name)], shown[0].perLayer.map((l, i) => [l.name, l.role, ...shown.map((c) => c.perLayer[i].relativeError.toExponential(2))])));
  if (out.alphaOrder) {
    const a = out.alphaOrder;
    lines.push('', 'against maml at each α:');
    lines.push(textTable(['alpha', 'relative error', 'nearest'], a.alphas.map((alpha, i) => [String(alpha), formatRelativeError(a.errors[i]), a.nearest[i]])));
    lines.push(`the error is O(α^${a.order.toFixed(2)}), ≈ ${a.constant.toPrecision(3)}·α^${a.order.toFixed(2)}`);
  }
  if (nearest === 'none') lines.push('', 'none of the variants is within 1%: check the layout, the loss (mean over points and outputs, no ½) and alpha.');
  return lines.join('\n');
}
