/**
 * Text made safe inside HTML, in an element or a quoted attribute: `&`, `<`, `>` and `"` as entities. One
 * escape for every page and output the package writes (a saved figure's title, a claim group's folded rows,
 * the book's contents).
 *
 * @example
 * import { escapeHtml } from './html';
 * escapeHtml('θ₀ < 1 & "x"'); // "θ₀ &lt; 1 &amp; &quot;x&quot;"
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
