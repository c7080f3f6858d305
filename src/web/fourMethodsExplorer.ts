/*
 * The four-methods explorer of notebook 09, live: sliders for the inner rate α, the inner steps k, iMAML's
 * λ, Reptile's ε and the outer rate β, and a θ that follows the pointer. Every input recomputes, in float64
 * with the notebook's own closed forms (fourMethodsReading), the four meta-gradients at θ, where each
 * method's meta-training ends (θ*) and its path there, and redraws the figure (fourMethodsFigure). The ✓
 * line checks the state shown by independent routes (see fourMethodsReading).
 */
import type { QuadraticTask64 } from '../derivations/quadratic';
import { fourMethodsFigure } from '../plots/fourMethods';
import { button, element, followPointer, latestOnly, plotContainer, plotly, readout, showCheck, slider, timedRedraw } from './controls';
import { FOUR_METHODS, METHOD_NAMES, fourMethodsReading, metaObjectiveForm, type FourMethodsState } from './fourMethods';
import { FOUR_METHODS_RANGES, checkFourMethodsSettings, type FourMethodsSettings } from './settings';

/** Contour grid points per side. */
const GRID = 25;

/** The room around the view, as a share of its wider side: every arrow is drawn at most this long, so none is cut. */
const ROOM_SHARE = 0.15;

function vector(v: readonly number[] | null, digits = 4): string {
  return v === null ? '—' : `(${v[0].toFixed(digits)}, ${v[1].toFixed(digits)})`;
}

/** The table's look, added to the page once (beside the shared styles of controls.ts). */
function addTableStyle(): void {
  if (document.getElementById('maml-lab-four-methods-style')) return;
  const style = document.createElement('style');
  style.id = 'maml-lab-four-methods-style';
  style.textContent = `
.maml-lab-explorer-table { border-collapse: collapse; margin: 4px 0; font-variant-numeric: tabular-nums; }
.maml-lab-explorer-table td .maml-lab-readout-value { font-weight: normal; white-space: nowrap; }
.maml-lab-explorer-table td[data-status="diverges"], .maml-lab-explorer-table td[data-status="error"], .maml-lab-explorer-table td[data-status="no single end point"] { color: #b22222; }
`;
  document.head.append(style);
}

/** Mounts the live four-methods explorer in `root` with checked `settings`. */
export function mountFourMethodsExplorer(root: HTMLElement, settings: FourMethodsSettings): void {
  const checked = checkFourMethodsSettings(settings);
  addTableStyle();
  const tasks: QuadraticTask64[] = checked.tasks;
  const { view, outerSteps } = checked;
  const startState = (): FourMethodsState => ({ alpha: checked.alpha, steps: checked.steps, lambda: checked.lambda, reptileRate: checked.reptileRate, outerRate: checked.outerRate, theta: [...checked.theta] });
  let state = startState();
  const room = ROOM_SHARE * Math.max(view.x[1] - view.x[0], view.y[1] - view.y[0]);
  const axis = (lo: number, hi: number) => Array.from({ length: GRID }, (_, i) => lo - room + (i * (hi - lo + 2 * room)) / (GRID - 1));
  const xs = axis(view.x[0], view.x[1]);
  const ys = axis(view.y[0], view.y[1]);

  const controls = element('div', 'maml-lab-explorer-controls');
  const plot = plotContainer(0);
  plot.style.height = '';
  const readouts = element('div', 'maml-lab-explorer-readouts');
  const table = element('table', 'maml-lab-explorer-table');
  const check = element('div', 'maml-lab-explorer-check');
  const note = element('div', 'maml-lab-explorer-note', 'Click or drag in the figure to move θ. Computed in this page, in float64, by maml-lab\'s own closed forms (the notebook\'s quadraticReferenceMetaGradient and quadraticStationaryPoint).');
  root.append(controls, plot, readouts, table, check, note);

  const show = { theta: readout(readouts, 'theta', 'θ ='), objective: readout(readouts, 'objective', 'MAML\'s meta-objective F(θ) =') };
  const head = table.createTHead().insertRow();
  // Inline, since JupyterLab's and the book's own table styles (right-aligned cells) win over a class.
  const left = <T extends HTMLElement>(el: T): T => Object.assign(el.style, { textAlign: 'left', padding: '2px 12px 2px 0', verticalAlign: 'top' }) && el;
  for (const title of ['method', 'meta-gradient g(θ)', 'θ* (exact end)', 'max |1 − βμ|', `end of ${outerSteps} steps`, 'meta-training from θ']) head.append(left(element('th', '', title)));
  const rows = FOUR_METHODS.map((method) => {
    const row = table.insertRow();
    row.dataset.method = method;
    left(row.insertCell()).textContent = METHOD_NAMES[method];
    const cell = () => left(row.insertCell());
    return {
      gradient: readout(cell(), `gradient-${method}`, ''),
      stationary: readout(cell(), `stationary-${method}`, ''),
      contraction: readout(cell(), `contraction-${method}`, ''),
      end: readout(cell(), `end-${method}`, ''),
      message: cell(),
    };
  });

  const redraw = latestOnly(async (started: number) => {
    // The state first, then what it shows, all before the first await: a reader of the page (the book's
    // check) never sees read-outs of one state under the name of another.
    root.dataset.state = JSON.stringify(state);
    const reading = fourMethodsReading(tasks, state, outerSteps);
    show.theta(state.theta, vector(state.theta, 3));
    const objective = reading.objective;
    const value = objective === null ? null : metaObjectiveForm(objective, state.theta);
    show.objective(value === null ? [] : value, value === null ? 'no single minimum (MAML has no single θ*)' : value.toFixed(5));
    reading.methods.forEach((m, i) => {
      const r = rows[i];
      r.gradient(m.gradient ?? [], vector(m.gradient));
      const outside = m.stationary !== null && (m.stationary[0] < view.x[0] - room || m.stationary[0] > view.x[1] + room || m.stationary[1] < view.y[0] - room || m.stationary[1] > view.y[1] + room);
      r.stationary(m.stationary ?? [], `${vector(m.stationary)}${outside ? ' (outside the figure)' : ''}`);
      r.contraction(m.contraction ?? [], m.contraction === null ? '—' : m.contraction.toFixed(4));
      r.end(m.end ?? [], vector(m.end));
      r.message.textContent = m.message;
      r.message.dataset.status = m.status;
    });
    showCheck(check, reading.check);
    const longest = Math.max(...reading.methods.map((m) => (m.gradient === null ? 0 : Math.hypot(m.gradient[0], m.gradient[1]))));
    const arrowScale = longest > room ? room / longest : 1;
    const figure = fourMethodsFigure({
      methods: reading.methods.map((m) => ({
        name: m.method === 'reptile' ? `Reptile, ε = ${state.reptileRate}` : m.method === 'imaml' ? `iMAML, λ = ${state.lambda}` : METHOD_NAMES[m.method],
        gradient: m.gradient,
        stationary: m.stationary,
        path: m.path,
        note: m.status === 'converges' ? undefined : m.status === 'error' ? `no meta-gradient: ${m.message}` : m.message,
      })),
      theta: state.theta,
      view,
      room,
      arrowScale,
      contour: objective === null ? undefined : { name: 'MAML\'s meta-objective F(θ)', x: xs, y: ys, z: ys.map((y) => xs.map((x) => metaObjectiveForm(objective, [x, y]))) },
      outerSteps,
      outerRate: state.outerRate,
      title: `Four meta-gradients at θ, k = ${state.steps}, α = ${state.alpha}; contours: MAML's meta-objective`,
    });
    await timedRedraw(root, started, () => plotly()!.react(plot, figure.data, figure.layout, { responsive: true, displayModeBar: false }));
  });

  const labels: Record<keyof typeof FOUR_METHODS_RANGES, string> = { alpha: 'inner rate α', steps: 'inner steps k', lambda: 'iMAML\'s λ', reptileRate: 'Reptile\'s ε', outerRate: 'outer rate β' };
  const sliders = (Object.keys(FOUR_METHODS_RANGES) as (keyof typeof FOUR_METHODS_RANGES)[]).map((name) => {
    const range = FOUR_METHODS_RANGES[name];
    return slider(controls, {
      name,
      label: labels[name],
      ...range,
      value: state[name],
      format: name === 'steps' ? (v) => String(v) : (v) => String(Number(v.toFixed(2))),
      onInput: (value, started) => {
        state[name] = value;
        redraw(started);
      },
    });
  });
  button(controls, 'reset', 'Start again', (started) => {
    state = startState();
    (Object.keys(FOUR_METHODS_RANGES) as (keyof typeof FOUR_METHODS_RANGES)[]).forEach((name, i) => sliders[i].set(state[name]));
    redraw(started);
  });
  const clamp = (v: number, [lo, hi]: [number, number]) => Math.min(hi, Math.max(lo, v));
  followPointer(plot, { x: 'xaxis', y: 'yaxis' }, [-Infinity, Infinity], (x, y, started) => {
    state.theta = [clamp(x, view.x), clamp(y, view.y)];
    redraw(started);
  });
  redraw(performance.now());
}
