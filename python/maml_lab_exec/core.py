"""The notebook executor: runs a notebook's code cells one at a time through the tslab kernel and records
what became of each, for the notebook runner (run_notebooks.py) and the grader (execute_notebook.py).

Why not nbclient's `execute()`: it counts tslab's `abort` replies as success, stops (or goes on blindly)
at a timeout, stops at a dead kernel, and keeps every byte a cell prints. nbclient still starts and stops
the kernel (async_setup_kernel) and turns iopub messages into nbformat outputs (process_message); the
loop over cells, the reply statuses, timeouts, restarts and the output budget are here.

What the kernel's reply says is the cell's status. Output on stderr is not a failure: tslab sends a
failure as status `error` (with the text on stderr, no `error` output), and after it answers the cells
that arrive within 200 ms with status `abort` and no output, which retry_aborted re-sends after 250 ms.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import re
import signal
import sys
import time
from dataclasses import dataclass, field
from queue import Empty
from typing import Any

# JUPYTER_PATH is searched before ~/.local/share/jupyter, so a `tslab` kernelspec a user installed there
# cannot shadow the one `npm run setup` wrote into this venv, even with JUPYTER_PREFER_ENV_PATH=0.
# Set before jupyter_core reads it.
_VENV_DATA = os.path.join(sys.prefix, "share", "jupyter")
os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (_VENV_DATA, os.environ.get("JUPYTER_PATH", "")) if p)

from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionComplete  # noqa: E402
from nbformat import NotebookNode  # noqa: E402

from .isolation import IsolatedKernelManager, LimitedKernelManager, Limits, resolve_isolation  # noqa: E402
from .watchdog import Watchdog  # noqa: E402

KERNEL_NAME = "tslab"
# tslab aborts what arrives within 200 ms of a failure; a re-send waits a little longer than that.
ABORT_WINDOW_S = 0.25
MAX_ATTEMPTS = 3
# After an interrupt, how long the kernel has to answer before it is restarted.
INTERRUPT_GRACE_S = 5.0
# After the reply, how long the cell's last outputs (and its idle status) may take on iopub.
IOPUB_GRACE_S = 2.0
# How often a kernel that sends nothing is checked for being alive.
POLL_S = 0.5
# The stderr kept for errorText even when the output budget is spent.
STDERR_TAIL_BYTES = 64 * 1024
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Stack frames inside tslab and node's vm say nothing about the notebook; they are dropped from reports.
NOISE_FRAME = re.compile(r"^\s+at .*(node:vm|node:internal|/node_modules/tslab/|sigintHandlersWrap)")
MAX_ERROR_LINES = 30


@dataclass
class Options:
    """ExecuteOptions of src/notebook/execute.ts, plus the runner's rule of stopping at a timeout."""

    cwd: str
    cell_timeout: float
    limit_seconds: float | None = None
    retry_aborted: bool = False
    restart_dead_kernel: bool = False
    max_output_bytes: int | None = None
    # The whole run's output (every cell together); past it outputs are dropped, the cells marked truncated.
    max_total_output_bytes: int | None = None
    # Memory, processes and file size per kernel (isolation.Limits). None, the notebook runner's choice
    # for its own trusted notebooks: no rlimits and no watchdog (a sandbox still gets Limits' tmpfs sizes).
    limits: Limits | None = None
    isolation: str = "none"
    hide: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    # False: the kernel gets only KERNEL_ENV_KEEP of this process's environment (plus env), so a grader's
    # secrets (tokens, keys in the environment) never reach a student's code.
    inherit_env: bool = True
    # The notebook runner's rule: after a timeout the rest of the notebook is not run (no restart).
    stop_after_timeout: bool = False

    @staticmethod
    def from_json(o: dict[str, Any]) -> "Options":
        """From the camelCase ExecuteOptions object the TypeScript side writes."""
        return Options(
            cwd=o["cwd"],
            cell_timeout=float(o["cellTimeoutSeconds"]),
            limit_seconds=o.get("limitSeconds"),
            retry_aborted=bool(o.get("retryAborted", False)),
            restart_dead_kernel=bool(o.get("restartDeadKernel", False)),
            max_output_bytes=o.get("maxOutputBytes"),
            max_total_output_bytes=o.get("maxTotalOutputBytes", 5_000_000),
            limits=Limits(memory_mb=positive_int(o, "memoryLimitMb", 2048), processes=positive_int(o, "processLimit", 64),
                          file_mb=positive_int(o, "fileLimitMb", 100)),
            isolation=o.get("isolation", "auto"),
            hide=list(o.get("hide", [])),
            env=dict(o.get("env", {})),
            inherit_env=bool(o.get("inheritEnv", True)),
        )


def positive_int(o: dict[str, Any], key: str, default: int) -> int:
    value = o.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{key} must be a positive whole number, got {value!r}")
    return value


# What a kernel needs of the environment to start node and find its tools, and the project's own switches.
KERNEL_ENV_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "MAML_LAB_BACKEND", "MAML_LAB_ENGINE",
                   "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS")


def kernel_env(o: Options) -> dict[str, str]:
    base = dict(os.environ) if o.inherit_env else {k: os.environ[k] for k in KERNEL_ENV_KEEP if k in os.environ}
    return {**base, **o.env}


def clean_error_text(text: str) -> str:
    """ANSI codes, tslab's and node's own stack frames and blank lines removed; at most 30 lines."""
    lines = [l for l in ANSI.sub("", text).splitlines() if l.strip() and not NOISE_FRAME.match(l)]
    if len(lines) > MAX_ERROR_LINES:
        lines = lines[:MAX_ERROR_LINES] + [f"... ({len(lines) - MAX_ERROR_LINES} more lines)"]
    return "\n".join(lines)


def error_text(stderr: str, outputs: list[NotebookNode]) -> str:
    """What a reader sees of a failure: tslab's stderr, and any `error` output (other kernels' way)."""
    parts = [stderr]
    for output in outputs:
        if output.get("output_type") == "error":
            traceback = "\n".join(output.get("traceback", []))
            parts.append(traceback or f"{output.get('ename', 'Error')}: {output.get('evalue', '')}")
    return clean_error_text("\n".join(p for p in parts if p))


def output_bytes(content: dict[str, Any]) -> int:
    """What an output costs against the budget: its text, or the sum of its MIME bundle's values."""
    if "text" in content:
        return len(str(content["text"]).encode())
    data = content.get("data") or {}
    return sum(len(v.encode()) if isinstance(v, str) else len(str(v)) for v in data.values())


class Budgeted(NotebookClient):
    """nbclient's output handling, with a byte budget per cell and adjacent stream chunks merged.

    Beyond the budget outputs are dropped as they arrive (a stream keeps the prefix that fits), so a cell
    printing 100 MB costs this process its budget, not 100 MB. The tail of stderr is kept apart for the
    error text. Ctrl-C, SIGTERM and SIGHUP cancel the run (run_task), which then shuts the kernel down.
    """

    max_output_bytes: int | None = None
    # The run's budget across cells; None: no cap. total_spent says it, not the cell's cap, cut an output.
    max_total_output_bytes: int | None = None
    total_used = 0
    counting = True
    run_task: asyncio.Task[Any] | None = None
    stopped_by: signal.Signals | None = None

    def start_cell(self) -> None:
        self.used_bytes = 0
        self.truncated = False
        self.total_spent = False
        self.stderr_tail = ""

    def room(self) -> int | None:
        """Bytes this cell may still add: the cell's cap and the run's, whichever is nearer."""
        rooms = []
        if self.max_output_bytes is not None:
            rooms.append(self.max_output_bytes - self.used_bytes)
        if self.max_total_output_bytes is not None and self.counting:
            rooms.append(self.max_total_output_bytes - self.total_used)
        return min(rooms) if rooms else None

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None, cell_index: int) -> NotebookNode | None:
        content = msg["content"]
        is_stream = msg["msg_type"] == "stream"
        if is_stream and content.get("name") == "stderr":
            self.stderr_tail = (self.stderr_tail + content.get("text", ""))[-STDERR_TAIL_BYTES:]
        size = output_bytes(content)
        room = self.room()
        if room is not None and size > room:
            self.truncated = True
            if (self.max_total_output_bytes is not None and self.counting
                    and self.max_total_output_bytes - self.total_used == room):
                self.total_spent = True
            if not is_stream or room <= 0:
                return None
            content["text"] = content["text"].encode()[:room].decode(errors="ignore")
            size = room
        self.used_bytes += size
        if self.counting:
            self.total_used += size
        last = outs[-1] if outs else None
        if is_stream and last is not None and last.get("output_type") == "stream" and last.get("name") == content.get("name"):
            last["text"] += content["text"]
            return last
        return super().output(outs, msg, display_id, cell_index)

    async def async_start_new_kernel(self, **kwargs: Any) -> None:
        # nbclient's own handlers (set just before) shut the kernel down but let the loop go on.
        loop = asyncio.get_running_loop()

        def stop(signum: signal.Signals) -> None:
            self.stopped_by = signum
            if self.run_task is not None:
                self.run_task.cancel()

        for signum in STOP_SIGNALS:
            try:
                loop.add_signal_handler(signum, stop, signum)
            except (RuntimeError, NotImplementedError):  # not the main thread, or Windows
                pass
        await super().async_start_new_kernel(**kwargs)


class KernelDied(Exception):
    pass


class NoReply(Exception):
    pass


@dataclass
class Attempt:
    status: str  # ok | error | abort | timeout | dead
    seconds: float
    # After a timeout's interrupt: 'answered', 'silent' (no reply within the grace) or 'died'.
    interrupt: str = "answered"


class Executor:
    """One notebook, one kernel (restarted when it dies or hangs)."""

    def __init__(self, nb: NotebookNode, options: Options, isolation: str, isolation_note: str | None = None) -> None:
        self.nb = nb
        self.isolation_note = isolation_note
        self.options = options
        self.isolation = isolation
        km: AsyncKernelManager
        if isolation == "bubblewrap":
            km = IsolatedKernelManager(kernel_name=KERNEL_NAME)
            km.sandbox_cwd = os.path.realpath(options.cwd)
            km.sandbox_hide = options.hide
            km.limits = options.limits or Limits()
        elif options.limits is not None:
            km = LimitedKernelManager(kernel_name=KERNEL_NAME)
            km.limits = options.limits
        else:
            km = AsyncKernelManager(kernel_name=KERNEL_NAME)
        self.km = km
        self.watchdog = Watchdog(options.limits, self.kernel_pid) if options.limits is not None else None
        self.client = Budgeted(nb, km=km, kernel_name=KERNEL_NAME, startup_timeout=120, shutdown_kernel="immediate",
                               record_timing=False)
        self.client.max_output_bytes = options.max_output_bytes
        self.client.max_total_output_bytes = options.max_total_output_bytes
        self.last_failure = 0.0
        self.restarts = 0

    def kernel_pid(self) -> int | None:
        process = getattr(self.km.provisioner, "process", None)
        return getattr(process, "pid", None)

    # -- one message exchange --------------------------------------------------------------------

    async def wait_reply(self, msg_id: str, deadline: float | None) -> dict[str, Any]:
        kc = self.client.kc
        assert kc is not None
        while True:
            wait = POLL_S if deadline is None else min(POLL_S, deadline - time.monotonic())
            if wait <= 0:
                raise NoReply()
            try:
                msg = await kc.shell_channel.get_msg(timeout=wait)
            except Empty:
                if not await self.km.is_alive():
                    raise KernelDied() from None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    async def collect(self, msg_id: str, cell: NotebookNode, index: int) -> None:
        kc = self.client.kc
        assert kc is not None
        while True:
            msg = await kc.iopub_channel.get_msg(timeout=None)
            if msg["parent_header"].get("msg_id") == msg_id:
                try:
                    self.client.process_message(msg, cell, index)
                except CellExecutionComplete:
                    return

    async def attempt(self, cell: NotebookNode, index: int, deadline: float | None) -> Attempt:
        """Sends the cell once and waits for its reply; on the deadline interrupts the kernel."""
        kc = self.client.kc
        assert kc is not None
        started = time.monotonic()
        cell.outputs = []
        self.client.start_cell()
        self.client.clear_before_next_output = False
        msg_id = kc.execute(cell.source, store_history=True, stop_on_error=False, allow_stdin=False)
        outputs = asyncio.ensure_future(self.collect(msg_id, cell, index))
        try:
            try:
                reply = await self.wait_reply(msg_id, deadline)
                status = reply["content"].get("status", "error")
                if reply["content"].get("execution_count"):
                    cell.execution_count = reply["content"]["execution_count"]
            except KernelDied:
                return Attempt("dead", time.monotonic() - started)
            except NoReply:
                await self.km.interrupt_kernel()
                try:
                    await self.wait_reply(msg_id, time.monotonic() + INTERRUPT_GRACE_S)
                    interrupt = "answered"
                except NoReply:
                    interrupt = "silent"
                except KernelDied:
                    interrupt = "died"
                status = "timeout"
            try:
                await asyncio.wait_for(asyncio.shield(outputs), IOPUB_GRACE_S)
            except asyncio.TimeoutError:
                pass  # the idle status was lost (a flooded iopub drops messages): what came is what counts
            if status in ("error", "timeout"):
                self.last_failure = time.monotonic()
            return Attempt(status, time.monotonic() - started, interrupt if status == "timeout" else "answered")
        finally:
            outputs.cancel()

    # -- kernel lifetime --------------------------------------------------------------------------

    async def restart(self) -> None:
        async with self.watchdog.paused() if self.watchdog is not None else contextlib.nullcontext():
            await self.km.restart_kernel(now=True)
            kc = self.client.kc
            assert kc is not None
            await kc.wait_for_ready(timeout=self.client.startup_timeout)
        self.restarts += 1

    async def replay(self, indices: list[int]) -> str:
        """Runs the cells again in the fresh kernel, outputs discarded; says how that went."""
        failed = []
        self.client.counting = False  # what a replay prints is discarded, so it costs the run nothing
        try:
            for index in indices:
                scratch = NotebookNode(source=self.nb.cells[index].source, outputs=[], metadata={}, execution_count=None)
                result = await self.attempt_with_retries(scratch, index, None)
                if result[0].status != "ok":
                    failed.append(f"{index} ({result[0].status})")
                if result[0].status == "dead":
                    break
        finally:
            self.client.counting = True
        note = f"the kernel was restarted and the {len(indices)} earlier cell(s) that had succeeded were replayed"
        return note + (f"; on replay these did not succeed: {', '.join(failed)}" if failed else "")

    async def attempt_with_retries(self, cell: NotebookNode, index: int, run_deadline: float | None) -> tuple[Attempt, int]:
        """The cell's last attempt (its seconds counted from the first send) and how many were made."""
        attempts = 0
        started = time.monotonic()
        while True:
            attempts += 1
            deadline = time.monotonic() + self.options.cell_timeout
            if run_deadline is not None:
                deadline = min(deadline, run_deadline)
            result = await self.attempt(cell, index, deadline)
            if result.status != "abort" or not self.options.retry_aborted or attempts >= MAX_ATTEMPTS:
                result.seconds = time.monotonic() - started
                return result, attempts
            await asyncio.sleep(max(0.0, self.last_failure + ABORT_WINDOW_S - time.monotonic()))

    # -- the notebook -----------------------------------------------------------------------------

    async def run(self) -> dict[str, Any]:
        started = time.monotonic()
        o = self.options
        run_deadline = None if o.limit_seconds is None else started + float(o.limit_seconds)
        code = [i for i, c in enumerate(self.nb.cells) if c.get("cell_type") == "code"]
        runs: dict[int, dict[str, Any]] = {i: cell_run(i, "not-run", reason="not reached") for i in code}
        result: dict[str, Any] = {"cells": [runs[i] for i in code], "kernelRestarts": 0, "isolation": self.isolation,
                                  "isolationNote": self.isolation_note}
        self.client.run_task = asyncio.current_task()
        for i in code:
            self.nb.cells[i].outputs = []
            self.nb.cells[i].execution_count = None

        def rest(after: int, reason: str) -> None:
            for j in code:
                if j > after:
                    runs[j].update(status="not-run", reason=reason)

        kernel = contextlib.AsyncExitStack()
        try:
            for start in range(1, STARTUP_ATTEMPTS + 1):
                try:
                    # cleanup_kc: shut the kernel down on the way out although the manager was passed in.
                    await kernel.enter_async_context(
                        self.client.async_setup_kernel(cwd=o.cwd, env=kernel_env(o), cleanup_kc=True))
                    break
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    atexit.unregister(self.client._cleanup_kernel)
                    # A kernel that runs but never answers (seen once in CI, on a loaded machine) is shut
                    # down by nbclient; one more start is worth its cost. A kernel that died is not retried.
                    if start < STARTUP_ATTEMPTS and SILENT_KERNEL in str(exc):
                        result["startupRetries"] = start
                        continue
                    tried = f" ({start} starts)" if start > 1 else ""
                    result["startupError"] = f"the tslab kernel did not start{tried}: {type(exc).__name__}: {exc}"
                    rest(-1, "the kernel did not start")
                    return result
            if self.watchdog is not None:
                self.watchdog.start()
            try:
                await self.read_kernel_info()
                for index in code:
                    if run_deadline is not None and time.monotonic() >= run_deadline:
                        rest(index - 1, f"not run: the run's limit of {o.limit_seconds} s was reached")
                        break
                    if not await self.run_cell(index, runs, run_deadline, rest):
                        break
            finally:
                if self.watchdog is not None:
                    await self.watchdog.stop()
                await kernel.aclose()
        except asyncio.CancelledError:
            # A stop signal: the kernel is shut down (above); what did not run says so.
            why = f"stopped by {self.client.stopped_by.name}" if self.client.stopped_by else "stopped"
            for r in runs.values():
                if r["status"] == "not-run" and r["reason"] == "not reached":
                    r["reason"] = why
            result["stoppedBy"] = self.client.stopped_by.name if self.client.stopped_by else "cancel"
        finally:
            if isinstance(self.km, IsolatedKernelManager):
                self.km.remove_ipc_dir()
            result["kernelRestarts"] = self.restarts
            result["seconds"] = time.monotonic() - started
        return result

    async def read_kernel_info(self) -> None:
        """nbclient's execute() records the kernel's language_info; nbconvert highlights code with it."""
        kc = self.client.kc
        assert kc is not None
        reply = await self.wait_reply(kc.kernel_info(), time.monotonic() + 30)
        if "language_info" in reply["content"]:
            self.nb.metadata["language_info"] = reply["content"]["language_info"]

    async def run_cell(self, index: int, runs: dict[int, dict[str, Any]], run_deadline: float | None, rest: Any) -> bool:
        """Runs one code cell into runs[index]; False when the run ends here."""
        o = self.options
        cell = self.nb.cells[index]
        if not cell.source.strip():
            runs[index].update(status="ok", reason=None, attempts=0)
            return True
        if self.watchdog is not None:
            self.watchdog.peak_bytes = 0
        attempt, attempts = await self.attempt_with_retries(cell, index, run_deadline)
        run = runs[index]
        run.update(status=attempt.status, seconds=attempt.seconds, attempts=attempts, outputs=list(cell.outputs),
                   truncated=self.client.truncated, reason=None)
        if attempt.status in ("error", "timeout"):
            run["errorText"] = error_text(self.client.stderr_tail, cell.outputs) or None
        limit = self.limit_hit(attempt.status, run.get("errorText") or "")
        if limit is not None:
            run["limit"], run["reason"] = limit
        ok_before = [j for j, r in runs.items() if j < index and r["status"] == "ok" and r["attempts"] > 0]
        if attempt.status == "timeout":
            at_limit = run_deadline is not None and time.monotonic() >= run_deadline - 0.05
            if at_limit:
                run["reason"] = f"stopped at the run's limit of {o.limit_seconds} s"
                rest(index, f"not run: the run's limit of {o.limit_seconds} s was reached")
                return False
            run["reason"] = ((run["reason"] + "; ") if run["reason"] else "") + \
                f"ran longer than the {o.cell_timeout:g} s cell timeout and was interrupted"
            if o.stop_after_timeout:
                rest(index, "not run: an earlier cell timed out")
                return False
            if attempt.interrupt != "answered":
                run["reason"] += (f"; the kernel did not answer the interrupt within {INTERRUPT_GRACE_S:g} s, so "
                                  if attempt.interrupt == "silent" else "; the interrupt killed the kernel, so ")
                await self.restart()
                run["reason"] += await self.replay(ok_before)
        elif attempt.status == "dead":
            code = getattr(getattr(self.km.provisioner, "process", None), "returncode", None)
            died = "the kernel died" + (f" (exit code {code})" if code is not None else "")
            run["reason"] = died if run["reason"] is None else run["reason"]
            if not o.restart_dead_kernel:
                rest(index, f"not run: the kernel died at cell {index}")
                return False
            await self.restart()
            run["reason"] += "; " + await self.replay(ok_before)
        return True

    def limit_hit(self, status: str, error: str) -> tuple[str, str] | None:
        """(kind, reason) when the cell ran into one of the run's limits, so the grader can say which."""
        limits = self.options.limits
        if limits is not None and self.watchdog is not None:
            hit = self.watchdog.take()
            if hit is not None and status in ("dead", "timeout"):
                return hit
            if status == "dead" and self.watchdog.peak_bytes > limits.memory_mb * 1024 * 1024 // 2:
                # V8 aborts the process when RLIMIT_DATA refuses its heap more memory: no error, a dead kernel.
                return ("memory", f"the kernel died after using {self.watchdog.peak_bytes / 2**20:.0f} MB of "
                                  f"memory, probably at its limit of {limits.memory_mb} MB")
            if status == "error" and MEMORY_ERROR.search(error):
                return ("memory", f"the cell asked for more memory than the kernel's limit of {limits.memory_mb} MB")
            if status == "error" and "EFBIG" in error:
                return ("file-size", f"the cell wrote a file larger than the limit of {limits.file_mb} MB")
            if status == "error" and "ENOSPC" in error and self.isolation == "bubblewrap":
                return ("disk", f"the cell filled its writable space (the limit is {limits.file_mb} MB for the "
                                "working folder and for /tmp)")
        if self.client.total_spent:
            return ("output", f"the run's output budget of {self.options.max_total_output_bytes} bytes is spent; "
                              "later output was dropped")
        return None


# How often a kernel that started but did not answer within the startup timeout is started again, and how
# jupyter_client says so (wait_for_ready: "Kernel didn't respond in N seconds").
STARTUP_ATTEMPTS = 2
SILENT_KERNEL = "didn't respond"

# How V8 and Node say an allocation was refused (RLIMIT_DATA): a catchable error, the kernel lives on.
MEMORY_ERROR = re.compile(r"Array buffer allocation failed|WebAssembly\.Memory\(\): could not allocate|"
                          r"Unable to grow instance memory|"
                          r"Out of memory|ENOMEM|Cannot allocate memory|heap out of memory")


def cell_run(index: int, status: str, **extra: Any) -> dict[str, Any]:
    """A CellRun (src/notebook/execute.ts) with nothing recorded yet."""
    return {"index": index, "status": status, "seconds": 0.0, "attempts": 0, "outputs": [], "truncated": False, **extra}


async def execute(nb: NotebookNode, options: Options) -> dict[str, Any]:
    """Runs the notebook's code cells (outputs land in `nb`) and returns the NotebookRun as a dict."""
    try:
        isolation, note = resolve_isolation(options.isolation)
    except RuntimeError as exc:
        code = [i for i, c in enumerate(nb.cells) if c.get("cell_type") == "code"]
        return {"cells": [cell_run(i, "not-run", reason="the kernel did not start") for i in code], "seconds": 0.0,
                "kernelRestarts": 0, "isolation": "none", "startupError": str(exc)}
    note = None if note is None else f"isolation 'auto' fell back to none: {note}"
    return await Executor(nb, options, isolation, note).run()
