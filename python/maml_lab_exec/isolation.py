"""How the tslab kernel is launched: as the kernelspec says, or inside a bubblewrap sandbox.

The sandbox is a kernel-manager override (IsolatedKernelManager), not a temporary kernelspec: the
manager already knows the kernel's command line, its connection file and its cwd at launch time, and it
relaunches through the same override when the executor restarts a dead kernel, so both stay one code path.

Under bubblewrap the kernel sees:
  * the whole filesystem read-only (`--ro-bind / /`), with a fresh empty tmpfs on /tmp and /dev/shm;
  * its cwd writable (the only writable place besides the scratch tmpfs);
  * every path in `hide` replaced by an empty tmpfs (a folder) or /dev/null (a file);
  * a PID namespace of its own, and death with its parent (`--die-with-parent`);
  * no network (`--unshare-net`): Jupyter's TCP on 127.0.0.1 cannot cross a network namespace, so the
    kernel talks ZMQ over unix sockets (transport `ipc`) in a folder bound into the sandbox. tslab does
    read `transport` from the connection file, but it names an ipc endpoint `ipc://<ip>:<port>` where
    jupyter_client uses `ipc://<ip>-<port>`; a symlink `<ip>-<port>` → `<ip>:<port>` per port joins the
    two (a unix-socket connect follows symlinks).

Interrupts: jupyter_client interrupts by SIGINT to the kernel's process group, which includes bwrap's
own processes; bwrap dies of SIGINT (and takes the kernel with it), so it is started with SIGINT ignored
(`trap '' INT`). Node installs its own SIGINT handler, so the kernel still gets the interrupt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from typing import Any

from jupyter_client.manager import AsyncKernelManager

# The ports jupyter_client writes into a connection file, one ZMQ socket each.
PORT_NAMES = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


def bwrap_problem() -> str | None:
    """Why bubblewrap cannot sandbox a kernel here (None when it can): tried once, with every flag used."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bwrap is not installed (Debian: apt-get install bubblewrap)"
    try:
        probe = subprocess.run(
            [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid", "--unshare-net",
             "--die-with-parent", "true"],
            capture_output=True, timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap does not run: {exc}"
    if probe.returncode != 0:
        return f"bwrap does not work here: {probe.stderr.decode(errors='replace').strip() or probe.returncode}"
    return None


def resolve_isolation(requested: str) -> tuple[str, str | None]:
    """('bubblewrap' | 'none', a note on why 'auto' fell back). 'bubblewrap' that cannot work raises."""
    if requested == "none":
        return "none", None
    problem = bwrap_problem()
    if problem is None:
        return "bubblewrap", None
    if requested == "bubblewrap":
        raise RuntimeError(f"isolation 'bubblewrap' was asked for, but {problem}")
    return "none", problem


# The package this executor belongs to (python/maml_lab_exec/ is two folders below its root).
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))


def kernel_needs(cwd: str) -> list[str]:
    """What the kernel must still read once /tmp is blanked: the package (tslab, maml-lab's dist) and the
    node_modules its cwd resolves imports from, when they live under /tmp (a clone in /tmp, say)."""
    candidates = [PACKAGE_ROOT, os.path.realpath(os.path.join(cwd, "node_modules"))]
    return [p for p in dict.fromkeys(candidates) if os.path.exists(p) and (p == "/tmp" or p.startswith("/tmp/"))]


def bwrap_argv(command: list[str], cwd: str, ipc_dir: str, hide: list[str]) -> list[str]:
    """`command` wrapped in bwrap as the module doc says; later mounts win, so the binds come after /tmp,
    and the hidden paths after what the kernel needs (a hidden path inside the package stays hidden)."""
    argv = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
            "--tmpfs", "/dev/shm"]
    for path in kernel_needs(cwd):
        argv += ["--ro-bind", path, path]
    for path in hide:
        real = os.path.realpath(path)
        if os.path.isdir(real):
            argv += ["--tmpfs", real]
        elif os.path.exists(real):
            argv += ["--ro-bind", "/dev/null", real]
    argv += ["--bind", cwd, cwd, "--bind", ipc_dir, ipc_dir, "--chdir", cwd,
             "--unshare-pid", "--unshare-net", "--die-with-parent", "--"]
    # sh only to start bwrap with SIGINT ignored (see the module doc); exec leaves no shell behind.
    return ["/bin/sh", "-c", "trap '' INT; exec \"$@\"", "sh", *argv, *command]


class IsolatedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager that launches the kernel inside bubblewrap over ipc sockets.

    Set `sandbox_cwd` and `sandbox_hide` before starting. The ipc folder is made here and removed by
    `remove_ipc_dir` once the kernel is shut down for good.
    """

    sandbox_cwd: str = ""
    sandbox_hide: list[str] = []

    def __init__(self, **kwargs: Any) -> None:
        # Short path: a unix socket path must fit in 108 bytes.
        self.ipc_dir = tempfile.mkdtemp(prefix="mlk-", dir="/tmp")
        super().__init__(transport="ipc", ip=os.path.join(self.ipc_dir, "k"),
                         connection_file=os.path.join(self.ipc_dir, "kernel.json"), **kwargs)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        # Runs on every (re)start, after the connection file is written: the symlinks are made again
        # when jupyter_client's cleanup removed them.
        for name in PORT_NAMES:
            port = getattr(self, name)
            link = f"{self.ip}-{port}"
            if not os.path.lexists(link):
                os.symlink(f"{self.ip}:{port}", link)
        command = super().format_kernel_cmd(extra_arguments)
        return bwrap_argv(command, self.sandbox_cwd, self.ipc_dir, self.sandbox_hide)

    def remove_ipc_dir(self) -> None:
        shutil.rmtree(self.ipc_dir, ignore_errors=True)
