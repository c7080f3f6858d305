/*
 * What the grader needs of a notebook executor. The executor itself (`executeNotebook`, src/notebook/
 * execute.ts) lives in the layer that knows tslab, above this one; the grader is handed it, and these
 * types are the contract between the two, declared here so that neither imports upward.
 */

/** How to run a notebook; see `executeNotebook` in `maml-lab/notebook`. */
export interface ExecuteOptions {
  /** The kernel's working directory (a fresh temporary folder for a submission). */
  cwd: string;
  /** Per cell; on timeout the kernel is interrupted, the cell marked 'timeout', and the run goes on. */
  cellTimeoutSeconds: number;
  /** The whole run; cells not reached are 'not-run' with the reason. */
  limitSeconds?: number;
  /** A cell answered 'abort' (tslab's 200 ms window after a failure) is re-sent after the window. */
  retryAborted?: boolean;
  /** The kernel died (process.exit, crash): mark 'dead', restart, replay the earlier 'ok' cells, go on. */
  restartDeadKernel?: boolean;
  /** Per cell; beyond it outputs are dropped and the cell marked truncated. */
  maxOutputBytes?: number;
  /** The whole run, every cell together (default 5 MB); beyond it outputs are dropped, limit 'output'. */
  maxTotalOutputBytes?: number;
  /**
   * Per kernel (default 2048): each process's RLIMIT_DATA, and the sum of the resident memory of the
   * kernel's processes, checked every 0.1 s; past it they are all killed (limit 'memory').
   */
  memoryLimitMb?: number;
  /**
   * Per kernel (default 64): processes alive at once, the kernel's own included (bubblewrap's two not);
   * past it all are killed (limit 'processes').
   */
  processLimit?: number;
  /** Per kernel (default 100): RLIMIT_FSIZE, and under bubblewrap the size of its cwd and of its /tmp. */
  fileLimitMb?: number;
  /**
   * 'auto': bubblewrap when `bwrap` works here, else none (NotebookRun.isolation says which, and
   * NotebookRun.isolationNote why). The memory, process and file-size limits apply either way; the
   * sandbox (and the size of cwd and /tmp) only with bubblewrap.
   */
  isolation?: 'auto' | 'bubblewrap' | 'none';
  /**
   * Paths the kernel must not see under bubblewrap (the source, submissions, out dir); unused without it.
   * The sandbox shows only the system, the built package and cwd anyway; this is defence in depth.
   */
  hide?: string[];
  /** Added to the kernel's environment. */
  env?: Record<string, string>;
  /**
   * False: the kernel gets only PATH, HOME, LANG, LC_ALL, TZ, TMPDIR and the project's own switches
   * (MAML_LAB_*, TF_*) of this process's environment, plus `env`; a grader's secrets stay out of
   * students' reach. Default true.
   */
  inheritEnv?: boolean;
  /** The Python interpreter to run the executor with; default: the package's .venv (`npm run setup`). */
  python?: string;
}

/** What became of one code cell. */
export interface CellRun {
  /** Index in the executed notebook's cells (markdown cells included; only code cells have a CellRun). */
  index: number;
  status: 'ok' | 'error' | 'abort' | 'timeout' | 'dead' | 'not-run';
  /** From the first send to the last reply, retries included. */
  seconds: number;
  /** Sends: 1, more when aborted sends were retried, 0 for an empty or not-run cell. */
  attempts: number;
  /** tslab's stderr for a failed or timed-out cell, ANSI and kernel frames removed. */
  errorText?: string;
  /** nbformat outputs (stream, display_data), capped by maxOutputBytes. */
  outputs: unknown[];
  truncated: boolean;
  reason?: string;
  /**
   * Which of the run's limits this cell ran into (reason then says it in words): 'memory', 'processes'
   * (the kernel was killed: status 'dead', or an allocation failed: 'error'), 'file-size', 'disk' (a
   * write failed: 'error'), 'output' (the run's output budget ran out: outputs dropped).
   */
  limit?: 'memory' | 'processes' | 'file-size' | 'disk' | 'output';
}

/** What became of a notebook. */
export interface NotebookRun {
  /** One per code cell, in notebook order. */
  cells: CellRun[];
  seconds: number;
  kernelRestarts: number;
  isolation: 'bubblewrap' | 'none';
  /** Set when isolation 'auto' fell back to none: why bubblewrap could not be used. */
  isolationNote?: string;
  /** Set when the kernel never started (every cell is then 'not-run'). */
  startupError?: string;
  /** Set when a kernel that started but did not answer within the startup timeout was started again. */
  startupRetries?: number;
}

/** Runs a notebook in a fresh kernel: `executeNotebook` from `maml-lab/notebook`. */
export type NotebookExecutor = (notebook: object, options: ExecuteOptions, signal?: AbortSignal) => Promise<NotebookRun>;
