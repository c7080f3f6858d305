import { DENSE_HESSIAN_LIMIT } from './hessian';

/**
 * The overview `maml-lab --help` prints, and with every usage error.
 *
 * @example
 * import { USAGE } from './help';
 * console.log(USAGE);
 */
export const USAGE = `Usage:
  maml-lab --version                         package, tfjs and backend in use
  maml-lab verify [--steps K] [--json] [--verbose]
                                             check every line of the k-step MAML derivation
  maml-lab derive --spec FILE [--json]       symbolic derivation of your own loss (see README)
  maml-lab metagrad --spec FILE [--json] [--repeat N]
                                             a meta-gradient (maml, fomaml, reptile, imaml) of a task batch
  maml-lab hessian --spec FILE [--json] [--eigen K]
                                             the Hessian of a task's MSE, its Gauss–Newton and residual parts, eigenvalues
  maml-lab reproduce sinusoid [--protocol finn2017|li2017] [--iterations N] [--seed S] [--shots K] [--json]
                                             the sinusoid benchmark: MAML, FOMAML, Reptile, pretrained
  maml-lab assign SRC.ipynb OUTDIR [--force] the student version of an assignment: solutions stubbed, hidden tests removed
  maml-lab grade SRC.ipynb SUBMISSION... --out DIR [--jobs N] [--shard I/N] [--cell-timeout S] [--limit S]
                                             grade submissions: gradebook.csv and a JSON report per student
  maml-lab grade --merge DIR... --out DIR    combine the gradebooks of shards graded apart

  maml-lab COMMAND --help                    what each flag of COMMAND does

Environment: MAML_LAB_BACKEND=wasm|cpu|tensorflow forces a tfjs backend.`;

/**
 * What `maml-lab COMMAND --help` prints: every flag of the command, explained, and its exit codes.
 *
 * @example
 * import { COMMAND_HELP } from './help';
 * console.log(COMMAND_HELP.verify);
 */
export const COMMAND_HELP: Readonly<Record<'verify' | 'derive' | 'metagrad' | 'hessian' | 'reproduce' | 'assign' | 'grade', string>> = {
  verify: `Usage: maml-lab verify [--steps K] [--json] [--verbose]

Checks every line of the k-step MAML derivation on small instances (linear regression and tiny MLPs), each
line by two or more independent routes (closed form, autodiff, finite differences, symbolic), and prints
one row per step: the routes, the worst relative error and the tolerance.

  --steps K    the number of inner steps k (default 2)
  --json       every check as JSON, with the values each route computed, instead of the tables
  --verbose    after the summary, a row for every check (its instance, absolute and relative error,
               tolerance); without it, only the failing checks get a row

Exit code: 0 when every check passes, 1 when one fails, 2 for a usage mistake.`,
  derive: `Usage: maml-lab derive --spec FILE [--json]

Derives the meta-gradient of your own loss symbolically and checks it against autodiff and finite
differences. FILE is JSON: {loss, params, inputs, train, test, alpha, steps, at} (see the README).

  --spec FILE  the loss and data to derive
  --json       the result as JSON: {metaGradient, fomaml, gradientTex, steps, checks, pass}

Exit code: 0 when all routes agree, 1 when they do not or the spec is wrong, 2 for a usage mistake.`,
  metagrad: `Usage: maml-lab metagrad --spec FILE [--json] [--repeat N]

Computes one meta-gradient (maml, fomaml, reptile or imaml) of a batch of tasks. FILE is JSON:
{model, params, tasks, alpha, steps, method, lambda?, reptileRate?} (see the README).

  --spec FILE  the model, parameters, tasks and method
  --json       {loss, grads: [{shape, values}], backend, timing: {medianMs, n}}
  --repeat N   time N more runs after one warm-up (default 0: no timing)

Exit code: 0 on success, 1 when the spec is wrong, 2 for a usage mistake.`,
  hessian: `Usage: maml-lab hessian --spec FILE [--json] [--eigen K]

The Hessian of the first task's support loss (the MSE: mean over points and outputs, no ½) at the spec's
parameters, in float64 from the spec's numbers as written, by the float64 reference route (hand-written MLP
backprop with Pearlmutter's R-operator). FILE is a metagrad spec: {model, params, tasks, alpha, steps,
method, ...} (see the README); only the model, the parameters and tasks[0].support are used.

The Hessian H is printed with its two parts, each computed on its own: the Gauss–Newton part
(2/(P·O))·JᵀJ (P points, O outputs, J the Jacobian of the outputs) and the residual part
(2/(P·O))·Σ (M − y)·∇²M; their Frobenius shares and ‖GN + R − H‖_F / ‖H‖_F; and all eigenvalues.
Densely for models of at most ${DENSE_HESSIAN_LIMIT} parameters (the 1-40-40-1 MLP has 1761).

  --spec FILE  the model, parameters and tasks
  --json       {route, parameters, hessian: {shape, values}, gaussNewton: {…}, residual: {…},
               eigenvalues: [ascending], split: {frobenius, shares, relativeSumError}}
  --eigen K    instead, the K smallest and K largest eigenvalues by Lanczos (3K + 50 iterations, at
               most the number of parameters), for a model of any size; with --json
               {route, parameters, iterations, smallest: {values, residuals}, largest: {values, residuals}},
               each residual bounding the distance to an eigenvalue

Exit code: 0 on success, 1 when the spec is wrong or the model is too large without --eigen, 2 for a
usage mistake.`,
  reproduce: `Usage: maml-lab reproduce sinusoid [--protocol finn2017|li2017] [--iterations N] [--seed S] [--shots K] [--json]

Trains MAML, FOMAML, Reptile and a pretrained (non-meta) baseline on sinusoid regression, then reports the
query MSE ± 95% CI on held-out tasks after 1 and 10 steps, with the reference figures beside it.

  --protocol   finn2017 (default): Finn et al. 2017: y = A sin(x − φ), meta-batch 25, K support and K
               query points, 600 held-out tasks.
               li2017: Li et al. 2017 (Meta-SGD): ω ~ U[0.8, 1.2] as well, meta-batch 4, K support and
               10 query points, 100 held-out tasks with 100 query points, scored at K = 5, 10 and 20.
  --iterations N  training iterations per method (default: the paper's, 70,000 or 60,000)
  --seed S     seed of the initial parameters, the training tasks and the held-out tasks (default 0)
  --shots K    support points per task in training (default 10 for finn2017, 5 for li2017)
  --json       the results as JSON, with the settings used, and no progress display

Ctrl-C stops the method in training, scores what it has and skips the rest; a second Ctrl-C quits.
Exit code: 0 on success, 1 when a method diverged, 2 for a usage mistake.`,
  assign: `Usage: maml-lab assign SRC.ipynb OUTDIR [--force]

Writes the student version of an assignment (a tslab notebook with nbgrader cell metadata, see
notebooks/homework/README.md) to OUTDIR/SRC's file name: every // BEGIN SOLUTION … // END SOLUTION
region replaced by a line that throws "not implemented yet", every // BEGIN HIDDEN TESTS … // END HIDDEN
TESTS region removed with its markers, all outputs and execution counts cleared, metadata kept. SRC is
checked first (markers balanced and in the right cells, unique grade_ids, points on every grade cell, the
tslab kernel); every problem is reported with its cell number and grade_id. SRC is never modified.

  --force      overwrite OUTDIR's file if it exists (without it, assign refuses and names the file)

Exit code: 0 on success, 1 when SRC is not a valid assignment or the file exists, 2 for a usage mistake.`,
  grade: `Usage: maml-lab grade SRC.ipynb SUBMISSION... --out DIR [options]
       maml-lab grade --merge DIR... --out DIR [--force]

Grades students' notebooks against the assignment SRC.ipynb (the instructor's copy, with solutions and
hidden tests). First the source's own solution is graded (the reference run): it must score full marks, and
it tells the grader which tests each grade cell runs. Then each submission runs in a fresh tslab kernel in
an empty temporary folder (under bubblewrap where it is installed: read-only filesystem, no network, SRC,
the submissions and DIR hidden). Locked and test cells come from SRC, never from the submission; a
submission is only read.

Writes DIR/gradebook.csv (one row per student: a column per question, total), DIR/reports/STUDENT.json
(per test: passed, message, seconds; notes on the student's failing cells) and DIR/grading.json. A student
is named by the submission's file name, or by its folder when the file names are all the same.

  --out DIR            where the gradebook and the reports go (refused if it holds other files)
  --jobs N             kernels at a time (default 2)
  --cell-timeout S     seconds per cell; a cell past it is stopped and its tests score 0 (default 60)
  --limit S            seconds per submission; cells not reached score 0 (default 600)
  --shard I/N          grade only shard I of N (I from 0; a student's shard is a hash of the name)
  --merge              combine the DIRs of all N shards into --out; equal to grading all at once
  --isolation MODE     auto (default: bubblewrap, refused with the reason where it does not work),
                       bubblewrap (required), none (no sandbox: said so; only the resource limits apply)
  --force              replace an earlier gradebook in DIR

Exit code: 0 when every submission was graded (whatever the scores), 1 when SRC cannot be graded (its own
solution fails, or it is not an assignment) or DIR cannot be written, 2 for a usage mistake.`,
};
