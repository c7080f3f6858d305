import { formatError, type Check } from '../derivations/check';
import { verifyStep, type Derivation, type Step, type VerifiedStep } from '../derivations/derivation';
import type { DeriveResult } from '../derivations/symbolic';
import { isFigure, type Figure } from '../plots/figure';
import { figureHtml } from './plotly';
import { explorerHtml, isLiveExplorer } from './explorer';
import type { LiveExplorer } from '../web/settings';

/** One rich output: the same content in several MIME types, richest first; text/plain is always there. */
export type MimeBundle = { 'text/plain': string } & Partial<Record<'text/markdown' | 'text/latex' | 'text/html', string>> & {
  'application/vnd.plotly.v1+json'?: Figure;
};

/** Anything `show` knows how to draw. */
export type Showable = Derivation | Step | VerifiedStep | VerifiedStep[] | Check | Check[] | DeriveResult | Figure | LiveExplorer | number[][] | number[] | string;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function isCheck(x: unknown): x is Check {
  return isObject(x) && Array.isArray(x.routes) && typeof x.maxRelError === 'number' && isObject(x.tolerance);
}

function isDerivation(x: unknown): x is Derivation {
  return isObject(x) && Array.isArray(x.steps) && typeof x.title === 'string' && !('pass' in x);
}

function isStep(x: unknown): x is Step {
  return isObject(x) && typeof x.tex === 'string' && typeof x.verify === 'function';
}

function isVerifiedStep(x: unknown): x is VerifiedStep {
  return isObject(x) && typeof x.tex === 'string' && Array.isArray(x.checks);
}

function isDeriveResult(x: unknown): x is DeriveResult {
  return isObject(x) && isObject(x.metaGradient) && isObject(x.fomaml) && Array.isArray(x.checks);
}

/** Mantissa and power of ten of a number that needs scientific notation (|x| < 1e-3 or ≥ 1e4), else undefined. */
function scientific(x: number): [mantissa: string, exponent: number] | undefined {
  if (x === 0 || (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4)) return undefined;
  const [m, e] = x.toExponential(3).split('e');
  return [m, Number(e)];
}

/**
 * A number in at most 4 significant digits, as LaTeX (for inside $$…$$ only; text takes `plainNumber`).
 *
 * @example
 * import { texNumber } from 'maml-lab/notebook';
 * texNumber(-0.000123456); // "-1.235\\times 10^{-4}"
 */
export function texNumber(x: number): string {
  if (!Number.isFinite(x)) return `\\text{${x}}`;
  const sci = scientific(x);
  return sci ? `${sci[0]}\\times 10^{${sci[1]}}` : String(Number(x.toPrecision(4)));
}

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/**
 * A number in at most 4 significant digits as text, with no LaTeX in it: powers of ten in Unicode
 * superscripts, so it reads the same in plain text and in Markdown outside math.
 *
 * @example
 * import { plainNumber } from 'maml-lab/notebook';
 * plainNumber(19290); // "1.929×10⁴"
 * plainNumber(-0.000123456); // "-1.235×10⁻⁴"
 * plainNumber(0.5); // "0.5"
 */
export function plainNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const sci = scientific(x);
  return sci ? `${sci[0]}×10${[...String(sci[1])].map((c) => SUPERSCRIPT[c]).join('')}` : String(Number(x.toPrecision(4)));
}

/**
 * A vector (as a column) or a matrix as a LaTeX bmatrix.
 *
 * @example
 * import { matrixTex } from 'maml-lab/notebook';
 * matrixTex([[1, 0], [0, 1]]); // "\\begin{bmatrix}1 & 0\\\\0 & 1\\end{bmatrix}"
 */
export function matrixTex(m: number[][] | number[]): string {
  const rows = (m as unknown[]).map((r) => (Array.isArray(r) ? (r as number[]) : [r as number]));
  return `\\begin{bmatrix}${rows.map((r) => r.map(texNumber).join(' & ')).join('\\\\')}\\end{bmatrix}`;
}

function checkLine(c: Check): string {
  const mark = c.pass ? '✓' : '✗';
  const [a, b] = c.routes;
  return `${mark} ${c.name} (${c.instance}): ${b.name} vs ${a.name}, max rel. error ${formatError(c.maxRelError)} ${c.pass ? '≤' : '>'} tolerance ${formatError(c.tolerance.relative)}${c.pass ? '' : ' FAILED'}${c.note ? `; ${c.note}` : ''}`;
}

function checksMarkdown(checks: Check[]): string {
  if (checks.length === 0) return '_no checks_';
  const noted = checks.some((c) => c.note);
  const rows = checks.map(
    (c) => `| ${c.pass ? '✓' : '✗'} | ${c.name} | ${c.instance} | ${formatError(c.maxAbsError)} | ${formatError(c.maxRelError)} | ${formatError(c.tolerance.relative)} |${noted ? ` ${c.note ?? ''} |` : ''}`,
  );
  const header = `| pass | check | instance | max abs. error | max rel. error | tolerance |${noted ? ' note |' : ''}`;
  return [header, `|---|---|---|---|---|---|${noted ? '---|' : ''}`, ...rows].join('\n');
}

/**
 * The measured facts checks carry beside their verdict (e.g. the size of what FOMAML drops), one per noted
 * check, whether it passed or failed; the check's name is added where one instance has several notes.
 */
function notes(checks: Check[]): string[] {
  const noted = checks.filter((c) => c.note);
  const perInstance = (instance: string) => noted.filter((c) => c.instance === instance).length;
  return noted.map((c) => `${c.instance}${perInstance(c.instance) > 1 ? `, ${c.name}` : ''}: ${c.note}`);
}

function stepBundle(s: VerifiedStep, index?: number): MimeBundle {
  const heading = `${index === undefined ? '' : `${index}. `}${s.title} ${s.pass ? '✓' : '✗'}`;
  const worst = Math.max(...s.checks.map((c) => c.maxRelError));
  const summary = `${s.checks.filter((c) => c.pass).length}/${s.checks.length} checks pass; worst relative error ${formatError(worst)}.`;
  const failing = s.checks.filter((c) => !c.pass);
  const noteLines = notes(s.checks);
  const markdownNotes = noteLines.length ? `\n\n${noteLines.map((n) => `- ${n}`).join('\n')}` : '';
  return {
    'text/markdown': `**${heading}**\n\n$$${s.tex}$$\n\n${s.reason}\n\n_${summary}_${markdownNotes}${failing.length ? `\n\n${checksMarkdown(failing)}` : ''}`,
    // Plain text carries no LaTeX: the title states the equation in Unicode, the reason explains it.
    'text/plain': [heading, s.reason, summary, ...noteLines.map((n) => `• ${n}`), ...failing.map(checkLine)].join('\n  '),
  };
}

function stepsBundle(steps: VerifiedStep[], title?: string): MimeBundle {
  if (steps.length === 1 && title === undefined) return stepBundle(steps[0]);
  const parts = steps.map((s, i) => stepBundle(s, i + 1));
  const verdict = steps.every((s) => s.pass) ? 'Every line verified ✓' : 'Some lines FAILED ✗';
  return {
    'text/markdown': `${title ? `### ${title}\n\n` : ''}${parts.map((p) => p['text/markdown']).join('\n\n')}\n\n**${verdict}**`,
    'text/plain': `${title ? `${title}\n` : ''}${parts.map((p) => p['text/plain']).join('\n')}\n${verdict}`,
  };
}

/**
 * The MIME bundle for anything `show` accepts: Markdown with $$…$$ for people, LaTeX where the object is
 * an equation, and plain text always. Plain text, and Markdown outside $$…$$, never hold LaTeX (numbers are
 * `plainNumber`s, steps are stated by their Unicode titles); only a LaTeX string you pass is its own plain
 * text. A step's notes (measured facts beside its checks) are shown whether its checks pass or fail.
 * Derivations and steps are verified here, so what is drawn is checked; verified steps (what
 * `claimVerified` returns) are drawn as they are, without verifying again.
 *
 * @example
 * import { render } from 'maml-lab/notebook';
 * render('\\nabla_\\theta \\theta_0 = I')['text/latex']; // "$$\\nabla_\\theta \\theta_0 = I$$"
 */
export function render(x: Showable): MimeBundle {
  if (typeof x === 'string') return { 'text/latex': `$$${x}$$`, 'text/markdown': `$$${x}$$`, 'text/plain': x };
  if (Array.isArray(x) && (x.length === 0 || typeof x[0] === 'number' || Array.isArray(x[0]))) {
    const tex = matrixTex(x as number[][]);
    const plain = (x as unknown[]).map((r) => (Array.isArray(r) ? (r as number[]) : [r as number]).map(plainNumber).join('  ')).join('\n');
    return { 'text/latex': `$$${tex}$$`, 'text/markdown': `$$${tex}$$`, 'text/plain': plain };
  }
  if (Array.isArray(x) && isVerifiedStep(x[0])) return stepsBundle(x as VerifiedStep[]);
  if (Array.isArray(x)) {
    const checks = x as Check[];
    return { 'text/markdown': checksMarkdown(checks), 'text/plain': checks.map(checkLine).join('\n') };
  }
  if (isFigure(x)) {
    const title = (x.layout.title as { text?: string } | undefined)?.text ?? 'figure';
    return { 'application/vnd.plotly.v1+json': x, 'text/html': figureHtml(x), 'text/plain': `${title} (${x.data.length} trace${x.data.length === 1 ? '' : 's'})` };
  }
  if (isLiveExplorer(x)) {
    // HTML only: the explorer lives in the page (JupyterLab or the book); plain text says where.
    return { 'text/html': explorerHtml(x), 'text/plain': `live ${x.explorer} explorer: it runs in JupyterLab and in the book (npm run book)` };
  }
  if (isCheck(x)) return { 'text/markdown': checkLine(x), 'text/plain': checkLine(x) };
  if (isDeriveResult(x)) {
    // Values named in words are text, not math: plain numbers, never LaTeX outside $$…$$.
    const lines = x.steps.map((s) => {
      const values = s.values === undefined ? '' : Array.isArray(s.values) ? `$$${matrixTex(s.values)}$$` : Object.entries(s.values).map(([k, v]) => `${k} = ${plainNumber(v)}`).join(', ');
      return `**${s.title}**\n\n$$${s.tex}$$\n\n${values}`;
    });
    const md = `${lines.join('\n\n')}\n\n${checksMarkdown(x.checks)}\n\n${x.pass ? '**All routes agree ✓**' : '**Routes disagree ✗**'}`;
    const plain = `${Object.entries(x.metaGradient).map(([p, v]) => `∂/∂${p}: ${v}`).join('\n')}\n${x.checks.map(checkLine).join('\n')}`;
    return { 'text/markdown': md, 'text/plain': plain };
  }
  if (isVerifiedStep(x)) return stepBundle(x);
  if (isStep(x)) return stepBundle(verifyStep(x));
  if (isDerivation(x)) return stepsBundle(x.steps.map((s) => verifyStep(s)), x.title);
  return { 'text/plain': String(x) };
}
