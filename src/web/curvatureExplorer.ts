/*
 * The curvature explorer of notebook 04, live: sliders for a, b and c, a θ that follows the pointer, a
 * "C = 0" button. Every input recomputes f, ∇f and the first-order errors in float64 with the notebook's
 * own functions (firstOrderError, quadraticValue) and redraws the notebook's own figure, as two
 * (curvaturePanels): a move of θ leaves the error maps as they are, so it redraws the left panel only, which
 * halves the time of Plotly's redraw, most of each input's time.
 * The ✓ line checks the state shown: ∇f = C(θ − ½) + g against central differences of f, an independent
 * route.
 */
import { firstOrderError, quadraticValue } from '../derivations/quadratic';
import { curvatureArrowScale, curvaturePanels } from '../plots/curvature';
import { HEIGHTS } from '../plots/look';
import { curvatureReading, type CurvatureState } from './curvature';
import { checkCurvatureSettings, type CurvatureSettings } from './settings';
import { button, element, followPointer, latestOnly, plotContainer, plotly, readout, showCheck, slider, timedRedraw } from './controls';

/** Mounts the live curvature explorer in `root` with checked `settings`. */
export function mountCurvatureExplorer(root: HTMLElement, settings: CurvatureSettings): void {
  const { g, limit } = checkCurvatureSettings(settings);
  const state: CurvatureState = { curvature: [...settings.curvature], theta: [...settings.theta] };
  const start: CurvatureState = { curvature: [...settings.curvature], theta: [...settings.theta] };
  // One arrow scale for every state, so that lengths compare as the sliders move: the longest gradient on
  // the square over the sliders' whole range is at most ‖C‖·‖θ − ½‖ + ‖g‖ ≤ 2·limit·(√2 / 2) + ‖g‖.
  const arrowScale = curvatureArrowScale(Math.SQRT2 * limit + Math.hypot(g[0], g[1]));
  const evaluate = (C: number[][], theta: ArrayLike<number>) => ({ value: quadraticValue(C, g, theta), ...firstOrderError(C, g, theta) });

  const controls = element('div', 'maml-lab-explorer-controls');
  // The left panel first: it is the figure a reader drags θ on (and the book's check finds it first).
  const plot = plotContainer(HEIGHTS.explorer);
  const mapsPlot = plotContainer(HEIGHTS.explorer);
  plot.style.width = '58%';
  mapsPlot.style.width = '42%';
  const figures = element('div', 'maml-lab-explorer-row');
  figures.style.display = 'flex';
  figures.append(plot, mapsPlot);
  const readouts = element('div', 'maml-lab-explorer-readouts');
  const check = element('div', 'maml-lab-explorer-check');
  const note = element('div', 'maml-lab-explorer-note', 'Click or drag in the left panel to move θ. Computed in this page, in float64, by maml-lab\'s own functions.');
  root.append(controls, figures, readouts, check, note);
  // Counts the changes of C; the maps are redrawn until they show the latest. Kept here rather than in the
  // redraw's input, since latestOnly keeps only the latest input and a θ move may follow a slider's before
  // the maps are drawn; recorded only once their redraw has resolved, so a failed one is tried again.
  let curvatureChanges = 0;
  let mapsShow = -1;

  const show = {
    theta: readout(readouts, 'theta', 'θ ='),
    gradient: readout(readouts, 'gradient', '∇f(θ) ='),
    angle: readout(readouts, 'angleDegrees', 'angle(g, ∇f) ='),
    ratio: readout(readouts, 'lengthRatio', '‖g‖ / ‖∇f‖ ='),
  };
  const redraw = latestOnly(async (started: number) => {
    // The state first, then what it shows, all before the first await: a reader of the page (the book's
    // check) never sees read-outs of one state under the name of another.
    root.dataset.state = JSON.stringify(state);
    const reading = curvatureReading(g, state);
    show.theta(state.theta, `(${state.theta[0].toFixed(3)}, ${state.theta[1].toFixed(3)})`);
    show.gradient(reading.gradient, `(${reading.gradient[0].toFixed(4)}, ${reading.gradient[1].toFixed(4)})`);
    show.angle(reading.angleDegrees, Number.isNaN(reading.angleDegrees) ? 'none (∇f = 0)' : `${reading.angleDegrees.toFixed(2)}°`);
    show.ratio(reading.lengthRatio, Number.isFinite(reading.lengthRatio) ? reading.lengthRatio.toFixed(4) : '∞ (∇f = 0)');
    showCheck(check, reading.check);
    const { field, maps } = curvaturePanels({ evaluate, curvature: state.curvature, theta: state.theta, arrowScale });
    const change = curvatureChanges;
    const config = { responsive: true, displayModeBar: false };
    await timedRedraw(root, started, async () => {
      await plotly()!.react(plot, field.data, field.layout, config);
      if (mapsShow !== change) {
        await plotly()!.react(mapsPlot, maps.data, maps.layout, config);
        mapsShow = change;
      }
    });
  });

  const sliders = (['a', 'b', 'c'] as const).map((name, i) =>
    slider(controls, {
      name,
      label: `${name} =`,
      min: -limit,
      max: limit,
      step: limit / 100,
      value: state.curvature[i],
      onInput: (value, started) => {
        state.curvature[i] = value;
        curvatureChanges++;
        redraw(started);
      },
    }),
  );
  const set = (to: CurvatureState, started: number) => {
    state.curvature = [...to.curvature];
    state.theta = [...to.theta];
    sliders.forEach((s, i) => s.set(state.curvature[i]));
    curvatureChanges++;
    redraw(started);
  };
  button(controls, 'zero', 'C = 0', (started) => set({ curvature: [0, 0, 0], theta: state.theta }, started));
  button(controls, 'reset', 'Start again', (started) => set(start, started));
  followPointer(plot, { x: 'xaxis', y: 'yaxis' }, [0, 1], (x, y, started) => {
    state.theta = [x, y];
    redraw(started);
  });
  redraw(performance.now());
}
