"""Execute notebooks through the tslab kernel and fail on anything a reader would see go wrong.

Usage: .venv/bin/python python/run_notebooks.py [--timeout SECONDS] [--save-executed DIR]
                        [--notebook-outputs-module FILE] NOTEBOOK...
(normally started by `npm run notebooks` and `npm run book`, through runnerCommand() in
src/notebook/execute.ts, which passes the environment that makes Jupyter find our kernelspec).

The notebook report front-end of the executor (maml_lab_exec/core.py), which the grader reaches through
execute_notebook.py: the same kernel, statuses and timeouts; the two differ only in what they do with
the results. With --save-executed, each notebook that ran is also written to DIR under its own file name,
with the outputs it produced (failed ones too: their copy shows where they failed). That is how
`npm run book` gets the notebooks it exports.

Each notebook runs in memory, its outputs cleared first (outputs a reader left in the working copy are
neither run against nor reported), with the kernel's cwd set to the notebook's folder; the file is never
written. A notebook fails when:
  * its metadata kernelspec is not `tslab`;
  * --notebook-outputs-module (the development checkout's scripts/notebook_outputs.py) is given and
    the copy git stores has outputs, for a notebook that .gitattributes sends through the clear-outputs
    filter; that module also clears the execution-only metadata before the run;
  * a cell's execute_reply has status `error` or `abort`. tslab reports a thrown error or a TypeScript
    diagnostic as status `error` with the text on stderr, and then answers the cells sent in the next
    200 ms with status `abort` and nothing else; a notebook is meant to run top to bottom, so an abort
    is a failure here (the grader re-sends them instead);
  * a cell has an output of type `error` (other kernels' way of reporting, kept for safety);
  * a cell runs past the timeout (the rest of the notebook is not run), or the kernel dies or does not start.

Output: one line per notebook (PASS/FAIL, wall time, slowest cell), the failures indented under it, and
a last line `N passed, N failed`. Exit status 0 only when every notebook passed; 128 + the signal number
when Ctrl-C, SIGTERM or SIGHUP stopped the run (the running kernel is shut down first).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

try:
    import nbformat

    from maml_lab_exec.core import KERNEL_NAME, Options, clean_error_text, execute
except KeyboardInterrupt:  # Ctrl-C during the ~1 s of imports: nothing to clean up yet
    sys.exit(130)

# The signal that stopped the run, if any: the report tells it from a real failure, and the run ends there.
stopped_by: signal.Signals | None = None


@dataclass
class Result:
    """What happened to one notebook."""

    path: str
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    code_cells: int = 0
    slowest: tuple[float, int, str] | None = None  # (seconds, code cell number, first line)
    # The notebook with the outputs of this run; None when it never reached the kernel.
    executed: nbformat.NotebookNode | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


def first_line(source: str) -> str:
    """The cell's first non-blank line, short enough for one report line."""
    for line in source.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= 70 else line[:67] + "..."
    return "(empty)"


def indent(text: str, prefix: str = "      ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def kernel_problem(nb: nbformat.NotebookNode) -> str | None:
    """The notebook asks for another kernel: running it through tslab would test a different notebook."""
    spec = nb.metadata.get("kernelspec", {}) or {}
    if spec.get("name") == KERNEL_NAME:
        return None
    return (
        f"metadata kernelspec is {spec.get('name')!r}, not {KERNEL_NAME!r}: "
        "pick the 'TypeScript (tslab)' kernel and save"
    )


def cell_failure(label: str, cell: dict[str, Any], timeout: int) -> str | None:
    """The report line (and indented text) for one CellRun, or None when it went well."""
    status = cell["status"]
    text = cell.get("errorText") or "(the kernel sent no error text)"
    if status == "error":
        return f"{label} failed:\n{indent(text)}"
    if status == "abort":
        return (f"{label} was aborted by the kernel (status abort, no output): "
                "tslab drops the cells queued right after a failing one")
    if status == "timeout":
        return f"{label} ran longer than the {timeout} s cell timeout"
    if status == "dead":
        return f"the tslab kernel died during {label}"
    if status == "ok" and any(o.get("output_type") == "error" for o in cell["outputs"]):
        errors = [o for o in cell["outputs"] if o.get("output_type") == "error"]
        traceback = "\n".join("\n".join(o.get("traceback", [])) or f"{o.get('ename')}: {o.get('evalue')}" for o in errors)
        return f"{label} has an error output:\n{indent(clean_error_text(traceback))}"
    return None


# Notes already printed (say, "not a git checkout"): each is said once per run, not once per notebook.
notes_shown: set[str] = set()


def run_notebook(path: str, timeout: int, outputs_module: ModuleType | None) -> Result:
    global stopped_by
    result = Result(path=path)
    started = time.monotonic()
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # unreadable or invalid JSON: nothing else can be checked
        result.failures.append(f"cannot be read as a notebook: {exc}")
        result.seconds = time.monotonic() - started
        return result

    # Reports number code cells from 1, as a reader counts them; the executor's index counts every cell.
    numbers = {i: n for n, i in enumerate((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), start=1)}
    result.code_cells = len(numbers)
    if outputs_module is not None:
        committed, note = outputs_module.committed_output_problem(path)
        if note is not None and note not in notes_shown:
            notes_shown.add(note)
            print(f"note: {note}", flush=True)
        if committed is not None:
            result.failures.append(committed)
    wrong_kernel = kernel_problem(nb)
    if wrong_kernel is not None:
        result.failures.append(wrong_kernel)
        result.seconds = time.monotonic() - started
        return result
    if outputs_module is not None:
        # The reader's working copy (autosaved with outputs and their view state) is not part of the test.
        outputs_module.clear_outputs(nb)

    options = Options(cwd=os.path.dirname(os.path.abspath(path)), cell_timeout=timeout, stop_after_timeout=True)
    run = asyncio.run(execute(nb, options))
    if run.get("startupError"):
        result.failures.append(f"could not run: {run['startupError']}")
    for cell in run["cells"]:
        index = cell["index"]
        number = numbers.get(index, 0)
        line = first_line(nb.cells[index].source)
        if cell["attempts"] > 0 and (result.slowest is None or cell["seconds"] > result.slowest[0]):
            result.slowest = (cell["seconds"], number, line)
        failure = cell_failure(f"cell {number} (`{line}`)", cell, timeout)
        if failure is not None:
            result.failures.append(failure)
    if run.get("stoppedBy") in signal.Signals.__members__:
        stopped_by = signal.Signals[run["stoppedBy"]]
        result.failures.append(f"stopped by {stopped_by.name}")
    result.executed = nb
    result.seconds = time.monotonic() - started
    return result


def save_executed(result: Result, folder: str) -> None:
    """Writes the notebook as this run left it (cleared, then executed) to folder/<its file name>."""
    if result.executed is not None:
        nbformat.write(result.executed, os.path.join(folder, os.path.basename(result.path)))


def display_path(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def report(result: Result) -> None:
    status = "PASS" if result.passed else "FAIL"
    detail = f"{result.code_cells} code cell{'' if result.code_cells == 1 else 's'}"
    if result.slowest is not None:
        seconds, number, line = result.slowest
        detail += f", slowest: cell {number} (`{line}`) {seconds:.1f} s"
    print(f"{status} {display_path(result.path)}  {result.seconds:.1f} s  ({detail})", flush=True)
    for failure in result.failures:
        head, _, rest = failure.partition("\n")
        print(f"  - {head}" + (f"\n{rest}" if rest else ""), flush=True)


def load_module(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("notebook_outputs", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=600, help="per-cell timeout in seconds (default 600)")
    parser.add_argument("--save-executed", metavar="DIR", help="also write each executed notebook, with its outputs, to DIR")
    parser.add_argument("--notebook-outputs-module", metavar="FILE",
                        help="scripts/notebook_outputs.py of a development checkout: check committed outputs, clear view state")
    parser.add_argument("notebooks", nargs="+", help=".ipynb files to execute")
    args = parser.parse_args(argv)
    if args.save_executed is not None:
        names = [os.path.basename(p) for p in args.notebooks]
        clash = next((n for n in names if names.count(n) > 1), None)
        if clash is not None:
            parser.error(f"--save-executed writes each notebook under its file name, and {clash} is given twice")
        os.makedirs(args.save_executed, exist_ok=True)
    outputs_module = None if args.notebook_outputs_module is None else load_module(args.notebook_outputs_module)

    global stopped_by
    results = []
    for path in args.notebooks:
        try:
            result = run_notebook(path, args.timeout, outputs_module)
        except KeyboardInterrupt:  # Ctrl-C while no kernel runs (reading the notebook, between notebooks)
            stopped_by = signal.SIGINT
            result = Result(path=path, failures=["stopped by SIGINT"])
        report(result)
        if args.save_executed is not None:
            save_executed(result, args.save_executed)
        results.append(result)
        if stopped_by is not None:
            break
    passed = sum(r.passed for r in results)
    if stopped_by is not None and len(results) < len(args.notebooks):
        print(f"stopped by {stopped_by.name}: {len(args.notebooks) - len(results)} notebook(s) not run", flush=True)
    print(f"\n{passed} passed, {len(results) - passed} failed", flush=True)
    if stopped_by is not None:
        return 128 + stopped_by.value
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
