/*
 * The sinusoid explorer's settings (notebook 08) and their check, without the DOM: the notebook's
 * `sinusoidExplorer` runs the same check, so a bad setting is an error in that cell.
 */
import { kernelLayout } from '../kernel/layout';

/** At most this many support points (the "up to ten"). */
export const SINUSOID_MAX_POINTS = 10;

/**
 * Settings of the sinusoid explorer: the network, the models' parameters (flat, in the order of
 * `mlp(sizes).params`: 1,761 numbers per model for 1-40-40-1), the inner loop (α, steps), the task
 * family's amplitude and phase ranges, and the start state.
 */
export interface SinusoidExplorerSettings {
  sizes: number[];
  activation: 'relu' | 'tanh';
  alpha: number;
  /** The most steps the reader can step through. */
  steps: number;
  models: { name: string; theta: number[] }[];
  amplitudeRange: [number, number];
  phaseRange: [number, number];
  /** The start state: the task and the support points' x. */
  amplitude: number;
  phase: number;
  points: number[];
}

const finite = (name: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name} is ${JSON.stringify(v)}; a finite number is needed`);
  return v;
};

const range = (name: string, v: unknown): [number, number] => {
  if (!Array.isArray(v) || v.length !== 2) throw new RangeError(`${name} must be [low, high], got ${JSON.stringify(v)}`);
  const [lo, hi] = [finite(`${name}[0]`, v[0]), finite(`${name}[1]`, v[1])];
  if (!(lo < hi)) throw new RangeError(`${name} must have low < high, got [${lo}, ${hi}]`);
  return [lo, hi];
};

/**
 * The sinusoid explorer's settings, checked: throws naming the setting that is wrong.
 *
 * @example
 * import { checkSinusoidExplorerSettings } from './sinusoidSettings';
 * const settings = { sizes: [1, 1], activation: 'relu' as const, alpha: 0.01, steps: 10, models: [{ name: 'linear', theta: [1, 0] }],
 *   amplitudeRange: [0.1, 5] as [number, number], phaseRange: [0, Math.PI] as [number, number], amplitude: 2, phase: 1, points: [-1, 2] };
 * checkSinusoidExplorerSettings(settings).models.length; // 1
 */
export function checkSinusoidExplorerSettings(settings: unknown): SinusoidExplorerSettings {
  if (settings === null || typeof settings !== 'object') throw new RangeError(`sinusoid explorer: settings must be an object, got ${JSON.stringify(settings)}`);
  const s = settings as Partial<SinusoidExplorerSettings>;
  if (!Array.isArray(s.sizes) || s.sizes.length < 2 || s.sizes[0] !== 1 || s.sizes[s.sizes.length - 1] !== 1) throw new RangeError(`sizes must be an MLP's layer sizes from 1 input to 1 output, got ${JSON.stringify(s.sizes)}`);
  const { parameterCount } = kernelLayout(s.sizes);
  if (s.activation !== 'relu' && s.activation !== 'tanh') throw new RangeError(`activation must be "relu" or "tanh", got ${JSON.stringify(s.activation)}`);
  if (!(finite('alpha', s.alpha) > 0)) throw new RangeError(`alpha must be positive, got ${s.alpha}`);
  if (!Number.isInteger(s.steps) || (s.steps as number) < 1 || (s.steps as number) > 100) throw new RangeError(`steps must be a whole number from 1 to 100, got ${JSON.stringify(s.steps)}`);
  if (!Array.isArray(s.models) || s.models.length < 1 || s.models.length > 4) throw new RangeError(`models must list 1 to 4 models {name, theta}, got ${Array.isArray(s.models) ? s.models.length : JSON.stringify(s.models)}`);
  s.models.forEach((m, i) => {
    if (m === null || typeof m !== 'object' || typeof m.name !== 'string' || m.name === '') throw new RangeError(`models[${i}] must be {name, theta} with a name`);
    if (!Array.isArray(m.theta) || m.theta.length !== parameterCount) throw new RangeError(`models[${i}] (${m.name}): theta must hold the ${parameterCount} parameters of ${s.sizes!.join('-')}, got ${Array.isArray(m.theta) ? m.theta.length : JSON.stringify(m.theta)}`);
    m.theta.forEach((v, j) => finite(`models[${i}].theta[${j}]`, v));
  });
  const amplitudeRange = range('amplitudeRange', s.amplitudeRange);
  const phaseRange = range('phaseRange', s.phaseRange);
  const amplitude = finite('amplitude', s.amplitude);
  if (amplitude < amplitudeRange[0] || amplitude > amplitudeRange[1]) throw new RangeError(`amplitude = ${amplitude} is outside amplitudeRange [${amplitudeRange.join(', ')}]`);
  const phase = finite('phase', s.phase);
  if (phase < phaseRange[0] || phase > phaseRange[1]) throw new RangeError(`phase = ${phase} is outside phaseRange [${phaseRange.join(', ')}]`);
  if (!Array.isArray(s.points) || s.points.length > SINUSOID_MAX_POINTS) throw new RangeError(`points must be an array of at most ${SINUSOID_MAX_POINTS} x values, got ${JSON.stringify(s.points)}`);
  s.points.forEach((x, i) => {
    if (Math.abs(finite(`points[${i}]`, x)) > 5) throw new RangeError(`points[${i}] = ${x} is outside [−5, 5], the x range of the task family`);
  });
  return { sizes: s.sizes, activation: s.activation, alpha: s.alpha as number, steps: s.steps as number, models: s.models, amplitudeRange, phaseRange, amplitude, phase, points: s.points };
}
