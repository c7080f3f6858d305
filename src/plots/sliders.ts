import type { Figure } from './figure';
import { labelNumber } from './look';
import { finiteList } from './validate';

/** One slider: the parameter it sets, the values it offers (in order) and the one it starts at. */
export interface SliderAxis {
  name: string;
  values: number[];
  start: number;
}

/** What one state of the figure changes: new values for some traces' fields, and layout fields. */
export interface SliderFrame {
  /** One entry per index in `traces`, in that order: the fields of that trace this state replaces (e.g. z, x, y). */
  data: Record<string, unknown>[];
  /** Layout fields of this state (a title that names the values, …). */
  layout?: Record<string, unknown>;
}

/** A button that jumps to one state, e.g. "C = 0". */
export interface SliderButton {
  label: string;
  /** The value of every slider in that state, in the order of `sliders`. */
  values: number[];
}

/** Settings of `withSliders`. */
export interface SliderSpec {
  sliders: SliderAxis[];
  /** The indices (in base.data) of the traces that change with the sliders. */
  traces: number[];
  /** The state at one value of every slider (in the order of `sliders`): called once per combination. */
  frame: (values: number[]) => SliderFrame;
  buttons?: SliderButton[];
  /** Most states allowed (default 216, e.g. 6 values on each of 3 sliders): every state is stored in the spec. */
  maxFrames?: number;
}

const DEFAULT_MAX_FRAMES = 216;

/** How a slider or button switches state: at once, redrawing (contours and heatmaps need the redraw). */
const SWITCH = { mode: 'immediate', frame: { duration: 0, redraw: true }, transition: { duration: 0 } } as const;

/** The name of the state at these slider values, e.g. "a = 0.5, b = −0.25". */
function frameName(sliders: readonly SliderAxis[], values: readonly number[]): string {
  return sliders.map((s, i) => `${s.name} = ${labelNumber(values[i])}`).join(', ');
}

/** Every combination of one index per slider, the last slider fastest. */
function combinations(sizes: readonly number[]): number[][] {
  return sizes.reduce<number[][]>((acc, size) => acc.flatMap((c) => Array.from({ length: size }, (_, i) => [...c, i])), [[]]);
}

/** Checks the sliders and returns each one's start index. */
function checkSliders(sliders: unknown): number[] {
  if (!Array.isArray(sliders) || sliders.length === 0) throw new RangeError('sliders must list at least one slider {name, values, start}');
  return (sliders as SliderAxis[]).map((s, i) => {
    const values = finiteList(`sliders[${i}].values`, s.values, 2);
    values.forEach((v, j) => {
      if (j > 0 && !(v > values[j - 1])) throw new RangeError(`sliders[${i}].values must increase, but ${values[j - 1]} is followed by ${v}`);
    });
    const start = values.indexOf(s.start);
    if (start < 0) throw new RangeError(`sliders[${i}] ("${s.name}") starts at ${s.start}, which is not one of its values ${values.join(', ')}`);
    return start;
  });
}

/**
 * Adds sliders (and buttons) that switch a figure between precomputed states: every combination of the
 * sliders' values is computed now by `frame` and stored in the spec as a Plotly frame, so the figure
 * responds with no kernel and no code behind it (in JupyterLab, in an exported HTML page, offline).
 * Several sliders work together: each state also carries the sliders' positions and where each of their
 * steps leads from it, so moving one slider keeps the others where they are. The figure starts in the
 * state of the sliders' `start` values. The count of states is the product of the slider lengths; above
 * `maxFrames` it is refused, since every state adds to the spec (5 values on each of 3 sliders: 125).
 *
 * @example
 * import { lineChart, withSliders } from 'maml-lab/plots';
 * const base = lineChart({ title: 'y = a·x + b', x: { title: 'x' }, y: { title: 'y' }, series: [{ name: 'line', x: [0, 1], y: [0, 0] }] });
 * const figure = withSliders(base, {
 *   sliders: [{ name: 'a', values: [0, 1, 2], start: 1 }, { name: 'b', values: [0, 1], start: 0 }],
 *   traces: [0],
 *   frame: ([a, b]) => ({ data: [{ y: [b, a + b] }] }),
 *   buttons: [{ label: 'flat', values: [0, 0] }],
 * });
 * figure.frames?.length; // 6
 * figure.data[0].y; // [0, 1]
 * (figure.layout.sliders as { active: number }[]).map((s) => s.active); // [1, 0]
 */
export function withSliders(base: Figure, spec: SliderSpec): Figure {
  const starts = checkSliders(spec.sliders);
  const { sliders } = spec;
  if (!Array.isArray(spec.traces) || spec.traces.length === 0) throw new RangeError('traces must list the indices of the traces the sliders change');
  spec.traces.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t >= base.data.length) throw new RangeError(`traces[${i}] = ${t} is not a trace of the figure (it has ${base.data.length})`);
  });
  const sizes = sliders.map((s) => s.values.length);
  const count = sizes.reduce((a, b) => a * b, 1);
  const max = spec.maxFrames ?? DEFAULT_MAX_FRAMES;
  if (count > max) {
    throw new RangeError(`${sliders.length} sliders of ${sizes.join(' × ')} values make ${count} states, more than the ${max} allowed (each is stored in the spec); use fewer values per slider, or raise maxFrames`);
  }
  const valuesAt = (indices: readonly number[]) => indices.map((j, i) => sliders[i].values[j]);
  const nameAt = (indices: readonly number[]) => frameName(sliders, valuesAt(indices));
  // The sliders as they stand in one state: positions, and for each step the state it leads to.
  const slidersAt = (indices: readonly number[]) =>
    sliders.map((s, i) => ({
      active: indices[i],
      currentvalue: { prefix: `${s.name} = ` },
      steps: s.values.map((v, j) => ({ label: labelNumber(v), method: 'animate', args: [[nameAt(indices.map((k, l) => (l === i ? j : k)))], SWITCH] })),
      x: i / sliders.length,
      len: 0.9 / sliders.length,
      y: 0,
      yanchor: 'top',
      pad: { t: 55 },
    }));
  const frames = combinations(sizes).map((indices) => {
    const state = spec.frame(valuesAt(indices));
    if (!Array.isArray(state?.data) || state.data.length !== spec.traces.length) {
      throw new RangeError(`frame(${valuesAt(indices).join(', ')}) must return data for each of the ${spec.traces.length} traces, got ${Array.isArray(state?.data) ? state.data.length : typeof state?.data}`);
    }
    return { name: nameAt(indices), traces: spec.traces, data: state.data, layout: { ...(state.layout ?? {}), sliders: slidersAt(indices) } };
  });
  const start = frames[combinations(sizes).findIndex((c) => c.every((j, i) => j === starts[i]))];
  const buttons = (spec.buttons ?? []).map((b, i) => {
    if (!Array.isArray(b.values) || b.values.length !== sliders.length) throw new RangeError(`buttons[${i}] ("${b.label}") must give one value per slider (${sliders.length}), got ${JSON.stringify(b.values)}`);
    const indices = b.values.map((v, l) => {
      const j = sliders[l].values.indexOf(v);
      if (j < 0) throw new RangeError(`buttons[${i}] ("${b.label}") sets ${sliders[l].name} = ${v}, which is not one of its values ${sliders[l].values.join(', ')}`);
      return j;
    });
    return { label: b.label, method: 'animate', args: [[nameAt(indices)], SWITCH] };
  });
  const data = base.data.map((trace, i) => {
    const at = spec.traces.indexOf(i);
    return at < 0 ? trace : { ...trace, ...start.data[at] };
  });
  const margin = (base.layout.margin as Record<string, unknown> | undefined) ?? {};
  return {
    data,
    layout: {
      ...base.layout,
      ...start.layout,
      ...(buttons.length ? { updatemenus: [{ type: 'buttons', direction: 'right', showactive: false, x: 0, xanchor: 'left', y: 1.01, yanchor: 'bottom', pad: { r: 4, t: 0, b: 0 }, buttons }] } : {}),
      margin: { ...margin, b: 150 },
    },
    frames,
  };
}
