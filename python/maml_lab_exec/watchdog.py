"""The kernel's memory and process caps that rlimits cannot give, enforced by looking.

RLIMIT_DATA caps each process, not the sum of a kernel that spawns many; and RLIMIT_NPROC does nothing for
root (the kernel's uid here) and counts every process of the uid across the machine anyway. So every
POLL_S the watchdog reads /proc, sums the resident memory of every process below this executor (the kernel
and whatever it started), counts them, and past a limit SIGKILLs them all, remembering why.

Below this executor: under bubblewrap every process the kernel starts lives in the sandbox's PID
namespace, whose init is a child of the bwrap this executor started, so nothing escapes the tree. Without
bubblewrap a process that double-forks would be re-parented to the host's init; this executor makes itself
a child subreaper (prctl) so such orphans are re-parented to it instead and stay counted (and are reaped
here).

What it cannot do: stop an allocation between two looks. One process cannot pass RLIMIT_DATA; many may
together exceed the cap by what they allocate in POLL_S before they are killed.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import threading
import time
from contextlib import asynccontextmanager
from typing import AsyncIterator
from dataclasses import dataclass
from typing import Callable

from .isolation import Limits

POLL_S = 0.1
PAGE = os.sysconf("SC_PAGE_SIZE")
PR_SET_CHILD_SUBREAPER = 36
# bwrap's own two processes (the one started here and the namespace's init) are not the kernel's doing.
NOT_COUNTED = ("bwrap",)


@dataclass
class Proc:
    pid: int
    ppid: int
    state: str
    comm: str
    rss: int  # bytes


def read_proc(pid: int) -> Proc | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read().decode(errors="replace")
    except OSError:
        return None  # gone meanwhile
    # "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split at the last ')'.
    close = raw.rfind(")")
    fields = raw[close + 2:].split()
    return Proc(pid, int(fields[1]), fields[0], raw[raw.find("(") + 1:close], int(fields[21]) * PAGE)


def children_of(pid: int) -> list[int] | None:
    """From /proc/PID/task/*/children (Linux 4.2+ with CONFIG_PROC_CHILDREN); None where it is missing."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found: list[int] = []
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", "rb") as f:
                found += [int(c) for c in f.read().split()]
        except FileNotFoundError:
            if not os.path.exists(f"/proc/{pid}/task/{task}"):
                continue  # the thread ended meanwhile
            return None
        except OSError:
            continue
    return found


def descendants(root: int) -> list[Proc]:
    """Every process below `root`. Walks the children files when the kernel has them: a few reads for a
    kernel (about 0.3 ms), where scanning all of /proc costs milliseconds on a busy machine, every look."""
    found: list[Proc] = []
    stack = [root]
    while stack:
        kids = children_of(stack.pop())
        if kids is None:
            return descendants_by_scan(root)
        for pid in kids:
            proc = read_proc(pid)
            if proc is not None:
                found.append(proc)
                stack.append(pid)
    return found


def descendants_by_scan(root: int) -> list[Proc]:
    children: dict[int, list[Proc]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            proc = read_proc(int(name))
            if proc is not None:
                children.setdefault(proc.ppid, []).append(proc)
    found: list[Proc] = []
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child.pid)
    return found


def become_subreaper() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


class Watchdog:
    """Started once per run; `hit` holds (kind, reason) of the last limit it enforced until taken."""

    def __init__(self, limits: Limits, kernel_pid: Callable[[], int | None]) -> None:
        self.limits = limits
        self.kernel_pid = kernel_pid
        self.hit: tuple[str, str] | None = None
        self.peak_bytes = 0
        self.task: asyncio.Task[None] | None = None
        self.subreaper = become_subreaper()
        # Held from a look's reading of /proc to its kill: `paused` waits for it, so a kill decided on the
        # old kernel's processes never lands on the kernel started meanwhile.
        self.lock = threading.Lock()
        self.is_paused = False

    def start(self) -> None:
        if self.task is None:
            self.task = asyncio.ensure_future(self.loop())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass
            self.task = None

    def take(self) -> tuple[str, str] | None:
        hit, self.hit = self.hit, None
        return hit

    @asynccontextmanager
    async def paused(self) -> AsyncIterator[None]:
        """No looking while the kernel is restarted."""
        self.is_paused = True
        await asyncio.to_thread(self.lock.acquire)
        try:
            yield
        finally:
            self.lock.release()
            self.is_paused = False

    async def loop(self) -> None:
        while True:
            await asyncio.to_thread(self.look)
            await asyncio.sleep(POLL_S)

    def look(self) -> None:
        with self.lock:
            if not self.is_paused:
                self.look_once()

    def look_once(self) -> None:
        me = os.getpid()
        procs = descendants(me)
        self.reap(procs)
        live = [p for p in procs if p.state not in ("Z", "X")]
        memory = sum(p.rss for p in live)
        self.peak_bytes = max(self.peak_bytes, memory)
        counted = [p for p in live if p.comm not in NOT_COUNTED]
        # The reason is set before the kill: the executor may see the dead kernel before kill_all returns.
        if memory > self.limits.memory_mb * 1024 * 1024:
            self.hit = ("memory", f"the kernel used more than its {self.limits.memory_mb} MB of memory "
                                  f"({memory / 2**20:.0f} MB in {len(counted)} process(es)) and was stopped")
            self.kill_all(me)
        elif len(counted) > self.limits.processes:
            self.hit = ("processes", f"the kernel started more than {self.limits.processes} processes "
                                     f"({len(counted)} at once) and was stopped")
            self.kill_all(me)

    def kill_all(self, me: int) -> None:
        """SIGKILL to everything below this executor until nothing is left (a fork bomb keeps forking
        between two looks; each round kills the parents of the next). Under bubblewrap killing the
        namespace's init already takes every process in it."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            procs = [p for p in descendants(me) if p.state not in ("Z", "X")]
            if not procs:
                return
            for p in procs:
                try:
                    os.kill(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)

    def reap(self, procs: list[Proc]) -> None:
        """Orphans re-parented to this subreaper are its children to wait for; the kernel itself is
        jupyter_client's to wait for (its exit code is reported)."""
        me = os.getpid()
        kernel = self.kernel_pid()
        for p in procs:
            if p.ppid == me and p.state == "Z" and p.pid != kernel:
                try:
                    os.waitpid(p.pid, os.WNOHANG)
                except ChildProcessError:
                    pass
