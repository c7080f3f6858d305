"""How the tslab kernel is launched: as the kernelspec says, or inside a bubblewrap sandbox.

The sandbox is a kernel-manager override (IsolatedKernelManager), not a temporary kernelspec: the
manager already knows the kernel's command line, its connection file and its cwd at launch time, and it
relaunches through the same override when the executor restarts a dead kernel, so both stay one code path.

Under bubblewrap the kernel sees only what it needs:
  * the system, read-only: /usr (and the /bin, /lib… symlinks into it), the few /etc files of ETC_FILES,
    Node's own install if it lives elsewhere; /dev and /proc of its own;
  * the built package, read-only: its package.json, dist/ and the node_modules it resolves from; not its
    .git, notebooks/ (solutions, hidden tests), src/ or test/, nor anything else under its parent folders;
  * its cwd as a fresh tmpfs of `file_mb` (what the host put in the cwd, such as the node_modules link,
    shown read-only inside it), an empty /tmp and /dev/shm of `file_mb` each: the only writable places,
    and what is written there stays in the sandbox;
  * every path in `hide` replaced by an empty tmpfs (a folder) or an empty file, in case one of them
    lies inside what is bound (defence in depth; most are simply not there);
  * no home folder, no /work, /root, /home, /etc at large, /var, /opt, /run, /sys;
  * PID, IPC and UTS namespaces of its own, and death with its parent (`--die-with-parent`);
  * no network (`--unshare-net`): Jupyter's TCP on 127.0.0.1 cannot cross a network namespace, so the
    kernel talks ZMQ over unix sockets (transport `ipc`) in a folder bound into the sandbox. tslab does
    read `transport` from the connection file, but it names an ipc endpoint `ipc://<ip>:<port>` where
    jupyter_client uses `ipc://<ip>-<port>`; a symlink `<ip>-<port>` → `<ip>:<port>` per port joins the
    two (a unix-socket connect follows symlinks).

With or without bubblewrap, the kernel starts under the rlimits of `Limits` (limits_prefix); the
watchdog (watchdog.py) adds the caps rlimits cannot give.

Interrupts: jupyter_client interrupts by SIGINT to the kernel's process group, which includes bwrap's
own processes; bwrap dies of SIGINT (and takes the kernel with it), so it is started with SIGINT ignored
(`trap '' INT`). Node installs its own SIGINT handler, so the kernel still gets the interrupt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
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
            [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--size", "1048576", "--tmpfs", "/tmp",
             "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "true"],
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

# The package's parts a kernel imports: its manifest (the `exports` map) and the built code. Its
# node_modules (tslab, tfjs, and the `maml-lab` self-link) is bound as its own entry, see package_binds.
PACKAGE_PARTS = ("package.json", "dist")
# What must never show inside the sandbox even where it sits inside a bound folder (an installed
# package's node_modules holds the package itself): the solutions, the sources, the history.
PACKAGE_SECRETS = (".git", "notebooks", "src", "test", ".venv")
# The top-level folders Node and the dynamic loader need: on a merged-/usr system all but /usr are symlinks.
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# What of /etc a Node kernel reads: the loader's cache and config, user and group names (os.userInfo),
# the name-service switch, the time zone. Not /etc at large (the grader's configuration, keys, tokens).
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "nsswitch.conf", "passwd", "group", "localtime",
             "timezone", "os-release", "alternatives")


@dataclass
class Limits:
    """Per kernel. memory_mb: RLIMIT_DATA of each process (and the watchdog's cap on the sum); file_mb:
    RLIMIT_FSIZE, and the size of the sandbox's /tmp and of its cwd; processes: the watchdog's cap."""

    memory_mb: int = 2048
    processes: int = 64
    file_mb: int = 100


def limits_prefix(limits: Limits) -> str:
    """Shell lines that set the kernel's rlimits before it starts; inherited by everything it spawns.

    RLIMIT_DATA, not RLIMIT_AS: V8 and wasm reserve tens of GB of address space they never touch (a
    wasm memory reserves 10 GB of guard pages), so RLIMIT_AS breaks them; RLIMIT_DATA counts only the
    writable private memory a process actually maps. SIGXFSZ is ignored so that a write past RLIMIT_FSIZE
    fails with EFBIG (a catchable error in the cell) instead of killing the kernel.
    dash's `ulimit -f` counts 512-byte blocks, `-d` KiB.
    """
    return (f"trap '' XFSZ; ulimit -d {limits.memory_mb * 1024} && ulimit -f {limits.file_mb * 2048} || exit 126; ")


def system_binds() -> list[str]:
    argv: list[str] = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    argv += ["--dir", "/etc"]
    for name in ETC_FILES:
        argv += ["--ro-bind-try", os.path.join("/etc", name), os.path.join("/etc", name)]
    return argv


def executable_binds(command: list[str]) -> list[str]:
    """Node's own install when it is not under /usr (nvm, a tarball in /opt): its prefix, read-only."""
    found = shutil.which(command[0]) if command else None
    if found is None:
        return []
    real = os.path.realpath(found)
    if real.startswith("/usr/"):
        return []
    prefix = os.path.dirname(os.path.dirname(real))  # <prefix>/bin/node
    return ["--ro-bind", prefix, prefix]


def package_binds(cwd: str, empty: str) -> list[str]:
    """The built package, read-only: package.json and dist/ of the package, and the node_modules the
    kernel resolves from (the package's own, or the project's it is installed in: where the cwd's
    node_modules link points). Nothing else of the package: not notebooks/, src/, test/ or .git."""
    paths = [os.path.join(PACKAGE_ROOT, part) for part in PACKAGE_PARTS]
    paths.append(os.path.realpath(os.path.join(PACKAGE_ROOT, "node_modules")))
    paths.append(os.path.realpath(os.path.join(cwd, "node_modules")))
    # @tensorflow/tfjs-node's native libraries may be links out of node_modules (`npm run setup:tfjs-node`
    # links them from a cache in the home folder): their folders too, read-only, or the backend cannot load.
    for modules in dict.fromkeys(paths[-2:]):
        lib = os.path.join(modules, "@tensorflow", "tfjs-node", "deps", "lib")
        if os.path.isdir(lib):
            paths += [os.path.dirname(os.path.realpath(os.path.join(lib, name))) for name in sorted(os.listdir(lib))]
    argv: list[str] = []
    for path in dict.fromkeys(p for p in paths if os.path.exists(p)):
        argv += ["--ro-bind", path, path]
    # An installed package sits inside the node_modules just bound; whatever it ships beyond dist/ is
    # blanked again (defence in depth: the published package holds no notebooks, but a link may).
    for name in PACKAGE_SECRETS:
        path = os.path.join(PACKAGE_ROOT, name)
        if os.path.exists(path) and any(path.startswith(p + "/") for p in paths):
            argv += ["--tmpfs", path] if os.path.isdir(path) else ["--ro-bind", empty, path]
    return argv


def cwd_binds(cwd: str, limits: Limits) -> list[str]:
    """The cwd is a fresh tmpfs of file_mb, not the host folder: what the kernel writes is bounded and
    stays in the sandbox. What the host put there (the node_modules link, data files) is shown as it is,
    read-only."""
    argv = ["--size", str(limits.file_mb * 1024 * 1024), "--tmpfs", cwd]
    for name in sorted(os.listdir(cwd)):
        path = os.path.join(cwd, name)
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        else:
            argv += ["--ro-bind", path, path]
    return argv


def empty_file(private_dir: str) -> str:
    """An empty read-only file in `private_dir`, made anew unless it is one (a regular file, not a link)."""
    empty = os.path.join(private_dir, "empty")
    if not (os.path.lexists(empty) and not os.path.islink(empty) and os.path.isfile(empty) and os.path.getsize(empty) == 0):
        if os.path.lexists(empty):
            os.unlink(empty)
        open(empty, "w").close()
        os.chmod(empty, 0o444)
    return empty


def bwrap_argv(command: list[str], cwd: str, ipc_dir: str, hide: list[str], limits: Limits | None = None,
               private_dir: str | None = None) -> list[str]:
    """`command` wrapped in bwrap as the module doc says. Later mounts win: /tmp's tmpfs comes before the
    binds that may lie under /tmp (the package in a /tmp clone, the cwd, the ipc folder), and the hidden
    paths after what the kernel needs (a hidden path inside the package stays hidden)."""
    limits = limits or Limits()
    # What a hidden file is replaced by. Not /dev/null: where /dev is mounted nodev (containers), opening
    # it through a bind fails with EACCES, which tells the kernel something is there. Never in the ipc
    # folder: the kernel can write there, and an `empty` it turned into a link to a host file would show
    # that file in place of every hidden one after a restart.
    empty = empty_file(private_dir or tempfile.mkdtemp(prefix="mlk-private-"))
    size = str(limits.file_mb * 1024 * 1024)
    argv = ["bwrap", *system_binds(), *executable_binds(command), "--dev", "/dev", "--proc", "/proc",
            "--size", size, "--tmpfs", "/tmp", "--size", size, "--tmpfs", "/dev/shm",
            *package_binds(cwd, empty)]
    for path in hide:
        real = os.path.realpath(path)
        if os.path.isdir(real):
            argv += ["--tmpfs", real]
        elif os.path.exists(real):
            argv += ["--ro-bind", empty, real]
    # bwrap's own root is a tmpfs without a size, where it makes the mount points: read-only, or a kernel
    # could fill memory through it (and it would look like the package's folder is writable).
    argv += [*cwd_binds(cwd, limits), "--bind", ipc_dir, ipc_dir, "--remount-ro", "/", "--chdir", cwd,
             "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--"]
    # sh to start bwrap with SIGINT ignored (see the module doc) and the rlimits set; exec leaves no shell.
    return ["/bin/sh", "-c", "trap '' INT; " + limits_prefix(limits) + "exec \"$@\"", "sh", *argv, *command]


def limited_argv(command: list[str], limits: Limits) -> list[str]:
    """Without a sandbox: the same rlimits, nothing else."""
    return ["/bin/sh", "-c", limits_prefix(limits) + "exec \"$@\"", "sh", *command]


class LimitedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel starts under the rlimits of `limits` (isolation 'none')."""

    limits: Limits = Limits()

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        return limited_argv(super().format_kernel_cmd(extra_arguments), self.limits)


class IsolatedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager that launches the kernel inside bubblewrap over ipc sockets.

    Set `sandbox_cwd` and `sandbox_hide` before starting. The ipc folder is made here and removed by
    `remove_ipc_dir` once the kernel is shut down for good.
    """

    sandbox_cwd: str = ""
    sandbox_hide: list[str] = []
    limits: Limits = Limits()

    def __init__(self, **kwargs: Any) -> None:
        # Short path: a unix socket path must fit in 108 bytes.
        self.ipc_dir = tempfile.mkdtemp(prefix="mlk-", dir="/tmp")
        # Out of the sandbox's reach: what hidden files are replaced by.
        self.private_dir = tempfile.mkdtemp(prefix="mlk-private-")
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
        return bwrap_argv(command, self.sandbox_cwd, self.ipc_dir, self.sandbox_hide, self.limits, self.private_dir)

    def remove_ipc_dir(self) -> None:
        shutil.rmtree(self.ipc_dir, ignore_errors=True)
        shutil.rmtree(self.private_dir, ignore_errors=True)
