import type { CheckOutcome } from './curvature';

/*
 * The few pieces every live explorer is made of: sliders, buttons, a line of read-outs, the ✓/✗ line of
 * its float64 check, a θ that follows the pointer on a Plotly panel, and redraws timed from input to
 * figure. The read-outs carry their full-precision value in `data-value`, so that the book's check
 * (scripts/book-explorers.ts) reads exactly the numbers the page computed.
 */

/** The part of plotly.js the explorers use (the page loads plotly.js as a global). */
export interface PlotlyGlobal {
  react(element: HTMLElement, data: unknown[], layout: Record<string, unknown>, config?: Record<string, unknown>): Promise<unknown>;
}

/** plotly.js as the page loaded it, or undefined. */
export function plotly(): PlotlyGlobal | undefined {
  return (globalThis as { Plotly?: PlotlyGlobal }).Plotly;
}

let plots = 0;

/** Makes an element with a class and text. */
export function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text = ''): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  el.className = className;
  if (text !== '') el.textContent = text;
  return el;
}

/** A new figure container; its id marks it as a maml-lab figure (the book's check counts them). */
export function plotContainer(height: number): HTMLDivElement {
  const el = element('div', 'maml-lab-explorer-plot');
  el.id = `maml-lab-plot-explorer-${++plots}`;
  el.style.width = '100%';
  el.style.height = `${height}px`;
  return el;
}

/** A labelled range input; `onInput` gets the new value on every move. */
export interface Slider {
  input: HTMLInputElement;
  set(value: number): void;
}

/** A slider named `name` (its data-control), from min to max in steps of step. */
export function slider(parent: HTMLElement, options: { name: string; label: string; min: number; max: number; step: number; value: number; format?: (v: number) => string; onInput: (value: number, started: number) => void }): Slider {
  const label = element('label', 'maml-lab-slider');
  const name = element('span', 'maml-lab-slider-name', options.label);
  const input = element('input', '');
  input.type = 'range';
  input.min = String(options.min);
  input.max = String(options.max);
  input.step = String(options.step);
  input.value = String(options.value);
  input.dataset.control = options.name;
  const shown = element('span', 'maml-lab-slider-value');
  const format = options.format ?? ((v: number) => v.toFixed(2));
  shown.textContent = format(options.value);
  input.addEventListener('input', (event) => {
    const value = Number(input.value);
    shown.textContent = format(value);
    options.onInput(value, event.timeStamp > 0 ? event.timeStamp : performance.now());
  });
  label.append(name, input, shown);
  parent.append(label);
  return {
    input,
    set(value: number) {
      input.value = String(value);
      shown.textContent = format(value);
    },
  };
}

/** A button named `name` (its data-control). */
export function button(parent: HTMLElement, name: string, text: string, onClick: (started: number) => void): HTMLButtonElement {
  const b = element('button', 'maml-lab-button', text);
  b.type = 'button';
  b.dataset.control = name;
  b.addEventListener('click', (event) => onClick(event.timeStamp > 0 ? event.timeStamp : performance.now()));
  parent.append(b);
  return b;
}

/** One read-out: a label and a value shown rounded, kept whole in data-value as JSON (NaN and ∞ as null). */
export function readout(parent: HTMLElement, quantity: string, label: string): (value: number | readonly number[], text: string) => void {
  const item = element('span', 'maml-lab-readout');
  item.dataset.quantity = quantity;
  const name = element('span', 'maml-lab-readout-name', `${label} `);
  const value = element('b', 'maml-lab-readout-value');
  item.append(name, value);
  parent.append(item);
  return (v, text) => {
    item.dataset.value = JSON.stringify(v);
    value.textContent = text;
  };
}


/** Shows a check's outcome: ✓ or ✗ with its text; data-check is "pass" or "fail". */
export function showCheck(line: HTMLElement, outcome: CheckOutcome): void {
  line.dataset.check = outcome.passed ? 'pass' : 'fail';
  line.textContent = `${outcome.passed ? '✓' : '✗'} ${outcome.text}`;
}

/**
 * Redraws through `draw` and records how long it took from the input event (`started`, a
 * performance.now() time) to the figure drawn: the last time in the root's data-redraw-ms, and every
 * time in data-redraw-times (space-separated), for the book's check to report.
 */
export async function timedRedraw(root: HTMLElement, started: number, draw: () => Promise<unknown>): Promise<void> {
  await draw();
  const ms = performance.now() - started;
  root.dataset.redrawMs = ms.toFixed(2);
  root.dataset.redrawTimes = `${root.dataset.redrawTimes ?? ''} ${ms.toFixed(2)}`.trim();
  root.dataset.redraws = String(Number(root.dataset.redraws ?? '0') + 1);
}

/** A Plotly axis as laid out: its pixel offset and length, and its range (private fields, stable since plotly.js 1). */
interface LaidOutAxis {
  _offset: number;
  _length: number;
  range: [number, number];
}

/**
 * Calls `onPoint(x, y, started)` with the data coordinates under the pointer while it is pressed on the
 * panel of `xaxis`/`yaxis` (a click moves the point there; a drag moves it along), clamped to `bounds`.
 */
export function followPointer(plot: HTMLElement, axes: { x: string; y: string }, bounds: [number, number], onPoint: (x: number, y: number, started: number) => void): void {
  let dragging = false;
  const at = (event: PointerEvent): [number, number] | undefined => {
    const layout = (plot as unknown as { _fullLayout?: Record<string, LaidOutAxis> })._fullLayout;
    const xa = layout?.[axes.x];
    const ya = layout?.[axes.y];
    if (xa === undefined || ya === undefined) return undefined;
    const rect = plot.getBoundingClientRect();
    const px = event.clientX - rect.left - xa._offset;
    const py = event.clientY - rect.top - ya._offset;
    if (px < 0 || px > xa._length || py < 0 || py > ya._length) return undefined;
    const x = xa.range[0] + (px / xa._length) * (xa.range[1] - xa.range[0]);
    const y = ya.range[1] - (py / ya._length) * (ya.range[1] - ya.range[0]);
    const clamp = (v: number) => Math.min(bounds[1], Math.max(bounds[0], v));
    return [clamp(x), clamp(y)];
  };
  plot.addEventListener(
    'pointerdown',
    (event) => {
      const p = at(event);
      if (p === undefined) return;
      dragging = true;
      plot.setPointerCapture?.(event.pointerId);
      event.preventDefault();
      event.stopPropagation();
      onPoint(p[0], p[1], performance.now());
    },
    true,
  );
  plot.addEventListener(
    'pointermove',
    (event) => {
      if (!dragging) return;
      const p = at(event);
      if (p !== undefined) onPoint(p[0], p[1], performance.now());
    },
    true,
  );
  const stop = () => {
    dragging = false;
  };
  plot.addEventListener('pointerup', stop, true);
  plot.addEventListener('pointercancel', stop, true);
}

/**
 * Runs `redraw` for the latest input only: inputs that arrive while a redraw is under way are folded into
 * one more redraw, so a fast drag never queues a backlog of stale figures.
 */
export function latestOnly<T>(redraw: (input: T) => Promise<void>): (input: T) => void {
  let running = false;
  let pending: { input: T } | undefined;
  const run = async (input: T): Promise<void> => {
    running = true;
    try {
      await redraw(input);
    } finally {
      running = false;
      const next = pending;
      pending = undefined;
      if (next !== undefined) void run(next.input);
    }
  };
  return (input: T) => {
    if (running) pending = { input };
    else void run(input);
  };
}

/** The explorers' look, added to the page once. */
export function addStyles(): void {
  if (document.getElementById('maml-lab-explorer-style')) return;
  const style = document.createElement('style');
  style.id = 'maml-lab-explorer-style';
  style.textContent = `
.maml-lab-explorer { border: 1px solid #ddd; border-radius: 4px; padding: 8px 10px; margin: 6px 0; font-family: var(--jp-ui-font-family, sans-serif); font-size: 13px; }
.maml-lab-explorer-controls { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; margin-bottom: 4px; }
.maml-lab-slider { display: inline-flex; gap: 6px; align-items: center; }
.maml-lab-slider input { width: 150px; }
.maml-lab-slider-value { font-variant-numeric: tabular-nums; min-width: 3.5em; }
.maml-lab-button { font: inherit; color: #1f77b4; background: #fff; border: 1px solid #9ec3e2; border-radius: 3px; cursor: pointer; padding: 1px 8px; }
.maml-lab-explorer-readouts { display: flex; flex-wrap: wrap; gap: 4px 16px; font-variant-numeric: tabular-nums; }
.maml-lab-explorer-check[data-check="pass"] { color: #2a7a2a; }
.maml-lab-explorer-check[data-check="fail"] { color: #b22222; font-weight: bold; }
.maml-lab-explorer-note { color: #666; }
`;
  document.head.append(style);
}
