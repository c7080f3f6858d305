/*
 * The curriculum's notebooks are stored exactly as JupyterLab saves them (nbformat: keys sorted, one-space
 * indent, tslab's language_info), so opening a notebook and saving it leaves git clean. Outputs are kept
 * out of git by the clean filter (scripts/notebook_outputs.py); this covers everything else.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const notebooksDir = path.resolve(__dirname, '..', 'notebooks');

/** JSON as Python's json.dumps(sort_keys=True, indent=1, ensure_ascii=False) writes it, which nbformat uses. */
function nbformatText(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
  return `${JSON.stringify(sorted(value), null, 1)}\n`;
}

describe('notebooks are stored as JupyterLab saves them', () => {
  const files = fs.readdirSync(notebooksDir).filter((f) => f.endsWith('.ipynb')).sort();

  test('there are notebooks to check', () => assert.ok(files.length >= 10, `found ${files.length}`));

  for (const file of files) {
    test(file, () => {
      const text = fs.readFileSync(path.join(notebooksDir, file), 'utf8');
      const nb = JSON.parse(text);
      // What tslab's kernel_info reply gives JupyterLab, which it writes into the notebook on save.
      assert.deepEqual(nb.metadata.language_info, {
        codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true },
        file_extension: '.ts',
        mimetype: 'text/typescript',
        name: 'typescript',
        version: '3.7.2',
      }, `${file}: metadata.language_info is not what JupyterLab writes for tslab; open the notebook in JupyterLab (npm start) and save it`);
      assert.ok(text === nbformatText(nb), `${file}: not in nbformat's layout (keys sorted, indent 1), so saving it in JupyterLab would change it; save it there, or rewrite it with .venv/bin/python -c "import nbformat, sys; nbformat.write(nbformat.read(sys.argv[1], 4), sys.argv[1])" FILE`);
    });
  }
});
