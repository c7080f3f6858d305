/**
 * The book's contents page (index.html): a course page, not a file list. Where to start (the thread's
 * questions answered, the question map), each chapter with the questions it answers (from the question
 * map, so the two never disagree), the homework as given out, and how to run the notebooks yourself.
 */
import { escapeHtml } from '../src/notebook/html';
import { ANSWERS_PAGE, HOMEWORK_PAGE, QUESTION_MAP_PAGE, type BookPage } from './book-pages';

const STYLE = `body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 48em; margin: 3em auto; padding: 0 1em; color: #222; line-height: 1.5; }
h1 { font-weight: 600; margin-bottom: 0.2em; }
h2 { font-weight: 600; margin-top: 2em; border-bottom: 1px solid #eee; }
ol, ul { padding-left: 0; list-style: none; }
li { margin: 0.9em 0; }
li > a { font-size: 1.1em; }
.answers { color: #555; font-size: 0.92em; margin: 0.2em 0 0 1em; }
.answers li { margin: 0.1em 0; list-style: "– "; }
a { color: #1f77b4; text-decoration: none; }
a:hover { text-decoration: underline; }
pre { background: #f6f6f6; padding: 0.8em 1em; border-radius: 4px; overflow-x: auto; }`;

function link(page: BookPage): string {
  return `<a href="${encodeURI(page.file)}">${escapeHtml(page.title)}</a>`;
}

/**
 * The contents page. `answers` lists, per chapter page, the questions of the question map it answers.
 *
 * @example
 * import { indexHtml } from './book-index';
 * const page = { source: '/n/01.ipynb', file: '01.html', title: 'A < B', kind: 'chapter' as const };
 * indexHtml([page], new Map([['01.html', ['Why two levels?']]])).includes('Why two levels?') // true
 */
export function indexHtml(pages: readonly BookPage[], answers: ReadonlyMap<string, readonly string[]> = new Map()): string {
  const chapters = pages.filter((p) => p.kind === 'chapter');
  const homework = pages.filter((p) => p.kind === 'homework');
  const guides = pages.filter((p) => p.kind === 'guide');
  const start = guides.filter((p) => p.file === ANSWERS_PAGE || p.file === QUESTION_MAP_PAGE);
  const homeworkGuide = guides.find((p) => p.file === HOMEWORK_PAGE);
  const more = guides.filter((p) => !start.includes(p) && p !== homeworkGuide);
  const chapterItems = chapters.map((p) => {
    const questions = answers.get(p.file) ?? [];
    const list = questions.length ? `\n      <ul class="answers">${questions.map((q) => `<li>${escapeHtml(q)}</li>`).join('')}</ul>` : '';
    return `    <li>${link(p)}${list}</li>`;
  });
  const section = (title: string, items: string[], intro = ''): string =>
    items.length ? `<h2>${title}</h2>\n${intro}<ul>\n${items.join('\n')}\n</ul>\n` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>maml-lab: the MAML meta-gradient, line by line</title>
<style>
${STYLE}
</style>
</head>
<body>
<h1>maml-lab: the MAML meta-gradient, line by line</h1>
<p>A course in TypeScript notebooks on the MAML meta-gradient: where ∇θ θ₀ goes, why ∇θᵢ₋₁ θᵢ₋₁ = I, why the Hessian may be dropped and what that costs, why two levels of gradients. Each page is a notebook as it ran, every figure and every checked claim (✓) as the run produced them; a ✓ is a check that fails the run when it is false. The pages work offline. Code is folded: open a cell's <em>code</em> line, or show all code from the bar at the top of a page.</p>
${section('Start here', start.map((p) => `    <li>${link(p)}</li>`))}${section('The chapters', chapterItems, '<p>In order; under each, the questions it answers.</p>\n')}${section('Homework', [...(homeworkGuide ? [`    <li>${link(homeworkGuide)}</li>`] : []), ...homework.map((p) => `    <li>${link(p)} <span class="answers">(as given out: no solutions)</span></li>`)])}<h2>Run the notebooks yourself</h2>
<p>With Node.js 20 or newer and Python 3, in a clone of the project:</p>
<pre>npm install &amp;&amp; npm start   # JupyterLab on notebooks/ with the TypeScript kernel
npm install &amp;&amp; npm test    # every test, and every notebook through the real kernel</pre>
<p>Then change a number in a cell and run it again: every claim is recomputed, and fails if it stops being true.</p>
${section('More', more.map((p) => `    <li>${link(p)}</li>`))}</body>
</html>
`;
}
