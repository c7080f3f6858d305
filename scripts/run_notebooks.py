"""Execute notebooks through the tslab kernel and fail on anything a reader would see go wrong.

Usage: .venv/bin/python scripts/run_notebooks.py [--timeout SECONDS] [--save-executed DIR] NOTEBOOK...
(normally started by scripts/run-notebooks.ts, which picks the notebooks and the environment).

With --save-executed, each notebook that ran is also written to DIR under its own file name, with the
outputs it produced (failed ones too: their copy shows where they failed). That is how `npm run book`
gets the notebooks it exports: the same execution and the same failure rules as `npm run notebooks`.

Each notebook runs in memory, cleared first (outputs a reader left in the working copy are neither run
against nor reported), with the kernel's cwd set to the notebook's folder; the file is never written.
A notebook fails when:
  * its metadata kernelspec is not `tslab`;
  * the copy git stores (its index entry) has outputs or an execution_count, for a notebook that
    .gitattributes sends through the clear-outputs filter (see notebook_outputs.py); outside a git
    checkout this check is skipped, with a note;
  * a cell's execute_reply has status `error` or `abort`. tslab reports a thrown error or a TypeScript
    diagnostic as status `error` with the text on stderr (no `error` output, no ename), and then answers
    the cells queued in the next 200 ms with status `abort` and nothing else. nbclient counts both
    statuses as success (allow_errors) or stops at the first (without it), so the statuses are read in
    nbclient's `on_cell_executed` hook, which receives every reply;
  * a cell has an output of type `error` (other kernels' way of reporting, kept for safety);
  * a cell runs past the timeout, or the kernel dies or does not start.

Output: one line per notebook (PASS/FAIL, wall time, slowest cell), the failures indented under it, and
a last line `N passed, N failed`. Exit status 0 only when every notebook passed; 128 + the signal number
when Ctrl-C, SIGTERM or SIGHUP stopped the run (the running kernel is shut down first).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import os
import re
import signal
import sys
import time
from dataclasses import dataclass, field

# JUPYTER_PATH is searched before ~/.local/share/jupyter, so a `tslab` kernelspec a user installed there
# cannot shadow the one `npm run setup` wrote into this venv, even with JUPYTER_PREFER_ENV_PATH=0.
# Set before jupyter_core reads it.
_VENV_DATA = os.path.join(sys.prefix, "share", "jupyter")
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    p for p in (_VENV_DATA, os.environ.get("JUPYTER_PATH", "")) if p
)

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    # Beside this script (sys.path[0]): the same clearing the git filter applies.
    from notebook_outputs import clear_outputs, committed_output_problem
except KeyboardInterrupt:  # Ctrl-C during the ~1 s of imports: nothing to clean up yet
    sys.exit(130)

KERNEL_NAME = "tslab"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Stack frames inside tslab and node's vm say nothing about the notebook; they are dropped from reports.
NOISE_FRAME = re.compile(r"^\s+at .*(node:vm|node:internal|/node_modules/tslab/|sigintHandlersWrap)")
MAX_ERROR_LINES = 30

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# The signal that stopped the run, if any: the report tells it from a real failure, and the run ends there.
stopped_by: signal.Signals | None = None


class Client(NotebookClient):
    """A NotebookClient on which Ctrl-C (or SIGTERM, SIGHUP) stops the whole run, not just one notebook.

    nbclient's own handler shuts the kernel down and lets the run go on with the next notebook. Ours
    replaces it before the kernel starts: it cancels the execution, and run_notebook shuts the kernel
    down on the way out.
    """

    async def async_start_new_kernel(self, **kwargs: object) -> None:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()

        def stop(signum: signal.Signals) -> None:
            global stopped_by
            stopped_by = signum
            if task is not None:
                task.cancel()

        for signum in STOP_SIGNALS:
            try:
                loop.add_signal_handler(signum, stop, signum)
            except (RuntimeError, NotImplementedError):  # not the main thread, or Windows
                pass
        await super().async_start_new_kernel(**kwargs)


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


def clean_error_text(text: str) -> str:
    # Blank lines go too: the report is indented text, and a blank line there reads as the end of it.
    lines = [l for l in ANSI.sub("", text).splitlines() if l.strip() and not NOISE_FRAME.match(l)]
    if len(lines) > MAX_ERROR_LINES:
        lines = lines[:MAX_ERROR_LINES] + [f"... ({len(lines) - MAX_ERROR_LINES} more lines)"]
    return "\n".join(lines)


def error_text(cell: nbformat.NotebookNode) -> str:
    """The text a reader would see for a failed cell: tslab's stderr, or a classic `error` output."""
    parts: list[str] = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            traceback = "\n".join(output.get("traceback", []))
            parts.append(traceback or f"{output.get('ename', 'Error')}: {output.get('evalue', '')}")
    text = clean_error_text("".join(parts))
    return text if text else "(the kernel sent no error text)"


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


# Notes already printed (say, "not a git checkout"): each is said once per run, not once per notebook.
notes_shown: set[str] = set()


def run_notebook(path: str, timeout: int) -> Result:
    result = Result(path=path)
    started = time.monotonic()
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # unreadable or invalid JSON: nothing else can be checked
        result.failures.append(f"cannot be read as a notebook: {exc}")
        result.seconds = time.monotonic() - started
        return result

    # Reports number code cells from 1, as a reader counts them; nbclient's cell_index counts every cell.
    numbers: dict[int, int] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            numbers[index] = len(numbers) + 1
    result.code_cells = len(numbers)
    committed, note = committed_output_problem(path)
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
    # A working copy run in JupyterLab has outputs (autosaved); they are the reader's, not part of the test.
    clear_outputs(nb)

    cell_started: dict[int, float] = {}
    current: list[int] = [-1]

    def label(index: int) -> str:
        return f"cell {numbers.get(index, '?')} (`{first_line(nb.cells[index].source)}`)"

    def on_cell_execute(cell: nbformat.NotebookNode, cell_index: int) -> None:
        current[0] = cell_index
        cell_started[cell_index] = time.monotonic()

    def on_cell_executed(cell: nbformat.NotebookNode, cell_index: int, execute_reply: dict) -> None:
        seconds = time.monotonic() - cell_started.get(cell_index, time.monotonic())
        if result.slowest is None or seconds > result.slowest[0]:
            result.slowest = (seconds, numbers.get(cell_index, 0), first_line(cell.source))
        status = (execute_reply or {}).get("content", {}).get("status")
        if status == "error":
            result.failures.append(f"{label(cell_index)} failed:\n{indent(error_text(cell))}")
        elif status == "abort":
            result.failures.append(
                f"{label(cell_index)} was aborted by the kernel (status abort, no output): "
                "tslab drops the cells queued right after a failing one"
            )
        elif status != "ok":
            result.failures.append(f"{label(cell_index)} got execute_reply status {status!r}")
        elif any(o.get("output_type") == "error" for o in cell.outputs):
            result.failures.append(f"{label(cell_index)} has an error output:\n{indent(error_text(cell))}")

    # The cell objects are copies in memory: outputs land there, and the file on disk is never written.
    client = Client(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=timeout,
        # Keep going after a failure so aborted and later failing cells are reported too; failures are
        # judged in on_cell_executed, not by nbclient.
        allow_errors=True,
        record_timing=False,
        on_cell_execute=on_cell_execute,
        on_cell_executed=on_cell_executed,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    try:
        try:
            client.execute()
        except BaseException:
            if stopped_by is None:
                raise
            # Whatever nbclient raised on the way out (CancelledError, DeadKernelError, ...). A cancel
            # during kernel startup comes before nbclient's own cleanup is armed, so shut down here too
            # (the same call nbclient's signal handler makes; it is a no-op once the kernel is gone).
            if client.km is not None:
                client._cleanup_kernel()
            # nbclient also left this registered for exit, where it would fail on the cleaned-up client.
            atexit.unregister(client._cleanup_kernel)
            result.failures.append(f"stopped by {stopped_by.name}")
    except CellTimeoutError:
        result.failures.append(f"{label(current[0])} ran longer than the {timeout} s cell timeout")
    except DeadKernelError:
        where = label(current[0]) if current[0] >= 0 else "startup"
        result.failures.append(f"the tslab kernel died during {where}")
    except Exception as exc:  # kernel could not start, missing kernelspec, ...
        result.failures.append(f"could not run: {type(exc).__name__}: {exc}")
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=600, help="per-cell timeout in seconds (default 600)")
    parser.add_argument("--save-executed", metavar="DIR", help="also write each executed notebook, with its outputs, to DIR")
    parser.add_argument("notebooks", nargs="+", help=".ipynb files to execute")
    args = parser.parse_args(argv)
    if args.save_executed is not None:
        names = [os.path.basename(p) for p in args.notebooks]
        clash = next((n for n in names if names.count(n) > 1), None)
        if clash is not None:
            parser.error(f"--save-executed writes each notebook under its file name, and {clash} is given twice")
        os.makedirs(args.save_executed, exist_ok=True)

    global stopped_by
    results = []
    for path in args.notebooks:
        try:
            result = run_notebook(path, args.timeout)
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
