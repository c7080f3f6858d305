"""Keep notebook outputs out of git while the working copy keeps them.

  python3 scripts/notebook_outputs.py clean [PATH] < notebook.ipynb > cleared.ipynb

`clean` is the git clean filter that `npm run setup` registers (git config filter.clear-outputs.clean) and
.gitattributes applies to *.ipynb: `git add` then stores a notebook without outputs, execution counts or
execution timing, and the file on disk keeps all of them. PATH (git passes it as %f) only names the file
in messages. The filter:
  * is a no-op, byte for byte, on a notebook that has nothing to clear, hence idempotent;
  * keeps everything else, cell metadata such as nbgrader's included, in the order it had;
  * passes text that is not an nbformat-4 notebook (an empty file, a merge conflict) through unchanged,
    with a warning on stderr, since refusing it would only make git store it unfiltered anyway.

run_notebooks.py imports clear_outputs() to execute a cleared copy of each notebook, and
committed_output_problem() to fail a notebook whose copy in git (the index) has outputs.

Standard library only: git runs the filter with the system python3, not the project's .venv.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any, Optional

# The name .gitattributes uses (`*.ipynb filter=clear-outputs`) and setup.ts registers in git config.
FILTER_NAME = "clear-outputs"

# Cell metadata that only records a run, or the state of an output area that is no longer there:
#   execution   JupyterLab's "record timing" (iopub.execute_input, shell.execute_reply, ... timestamps)
#   ExecuteTime the classic notebook's ExecuteTime extension
#   collapsed, scrolled   nbformat's output-area state (collapsed / scrolled outputs)
EXECUTION_ONLY_CELL_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled")
# ... and inside metadata.jupyter: JupyterLab's "outputs hidden" state.
EXECUTION_ONLY_JUPYTER_METADATA = ("outputs_hidden",)


def clear_outputs(nb: dict) -> bool:
    """Clears outputs, execution counts and execution-only metadata in place; True when anything changed."""
    changed = False
    for cell in nb.get("cells", []):
        if not isinstance(cell, dict):
            continue
        if cell.get("cell_type") == "code":
            if cell.get("outputs"):
                cell["outputs"] = []
                changed = True
            if cell.get("execution_count") is not None:
                cell["execution_count"] = None
                changed = True
        metadata = cell.get("metadata")
        if not isinstance(metadata, dict):
            continue
        for key in EXECUTION_ONLY_CELL_METADATA:
            if key in metadata:
                del metadata[key]
                changed = True
        jupyter = metadata.get("jupyter")
        if isinstance(jupyter, dict):
            for key in EXECUTION_ONLY_JUPYTER_METADATA:
                if key in jupyter:
                    del jupyter[key]
                    changed = True
            if not jupyter:
                del metadata["jupyter"]
    return changed


def cells_with_outputs(nb: dict) -> list[int]:
    """Numbers (from 1, counting code cells only, as run_notebooks.py reports them) of the code cells
    that have outputs or an execution count."""
    numbers: list[int] = []
    code_cells = [c for c in nb.get("cells", []) if isinstance(c, dict) and c.get("cell_type") == "code"]
    for number, cell in enumerate(code_cells, start=1):
        if cell.get("outputs") or cell.get("execution_count") is not None:
            numbers.append(number)
    return numbers


def _indent_of(text: str) -> int:
    """The indent the file uses (nbformat writes 1), so that a cleared file differs only where it was cleared."""
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" ")
        if stripped and len(stripped) < len(line):
            return len(line) - len(stripped)
    return 1


def clean_text(text: str, where: str = "notebook") -> str:
    """The notebook text with outputs cleared; the input itself when there is nothing to clear."""
    try:
        nb = json.loads(text)
    except ValueError as exc:
        if text.strip():
            print(f"{FILTER_NAME}: {where} is not valid JSON ({exc}); stored unchanged.", file=sys.stderr)
        return text
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        print(f"{FILTER_NAME}: {where} is not an nbformat-4 notebook (no cells list); stored unchanged.", file=sys.stderr)
        return text
    if not clear_outputs(nb):
        return text
    # ensure_ascii=False and no key sorting: written as Jupyter writes it, in the order the file had.
    cleared = json.dumps(nb, indent=_indent_of(text), ensure_ascii=False)
    return cleared + "\n" if text.endswith("\n") else cleared


def _git(args: list[str], cwd: str) -> Optional[subprocess.CompletedProcess]:
    """Runs git; None when there is no git to run."""
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True)
    except FileNotFoundError:
        return None


def committed_output_problem(path: str) -> tuple[Optional[str], Optional[str]]:
    """(problem, note) about the copy of `path` that git stores (its index entry, which is what a commit
    takes). The problem says which code cells have outputs and how to clear them. Nothing is checked,
    and the note says why, when there is no git or the file is not in a git checkout; nothing is checked
    silently when the file is untracked or .gitattributes does not send it through the filter (a test
    fixture that is committed with outputs on purpose)."""
    folder, name = os.path.split(os.path.abspath(path))
    inside = _git(["rev-parse", "--is-inside-work-tree"], folder)
    if inside is None:
        return None, "git was not found, so committed notebooks were not checked for outputs"
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        return None, "not a git checkout, so committed notebooks were not checked for outputs"
    attr = _git(["check-attr", "filter", "--", name], folder)
    if attr is None or attr.returncode != 0 or not attr.stdout.decode().rstrip().endswith(f": {FILTER_NAME}"):
        return None, None
    blob = _git(["cat-file", "blob", f":./{name}"], folder)
    if blob is None or blob.returncode != 0:
        return None, None  # not in the index: untracked, or in the middle of a merge conflict
    try:
        nb = json.loads(blob.stdout.decode("utf-8"))
    except ValueError as exc:
        return f"the copy git stores is not valid JSON: {exc}", None
    stored = cells_with_outputs(nb) if isinstance(nb, dict) else []
    if not stored:
        return None, None
    top = _git(["rev-parse", "--show-prefix"], folder)
    shown = (top.stdout.decode().strip() if top is not None else "") + name
    which = f"code cell {stored[0]} has" if len(stored) == 1 else f"code cells {', '.join(map(str, stored))} have"
    return (
        f"committed with outputs: {which} outputs or an execution_count in the copy git stores "
        f"(`git show :{shown}`); clear it with `npm run setup` (once: it installs the git filter that clears "
        f"outputs on `git add`), then `git add --renormalize {shown}` and commit (your working copy keeps its outputs)",
        None,
    )


def main(argv: list[str]) -> int:
    if len(argv) in (1, 2) and argv[0] == "clean":
        where = argv[1] if len(argv) == 2 else "notebook"
        # Bytes in and out: git hands over the file as stored, and a no-op must give it back unchanged.
        data = sys.stdin.buffer.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            print(f"{FILTER_NAME}: {where} is not UTF-8 text; stored unchanged.", file=sys.stderr)
            sys.stdout.buffer.write(data)
            return 0
        cleared = clean_text(text, where)
        sys.stdout.buffer.write(data if cleared is text else cleared.encode("utf-8"))
        return 0
    print("usage: python3 scripts/notebook_outputs.py clean [PATH] < notebook.ipynb", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
