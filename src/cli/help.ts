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
  maml-lab doctor FILE.json [--json] [--alphas A1,A2,…]
                                             is my MAML exact? which algorithm a meta-gradient from any framework implements
  maml-lab reproduce sinusoid [--protocol finn2017|li2017] [--iterations N] [--seed S] [--seeds N] [--shots K] [--json [--parameters]]
                                             the sinusoid benchmark: MAML, FOMAML, Reptile, pretrained
  maml-lab new FILE.ipynb [--questions N] [--title T]
                                             a new assignment: every cell with its metadata, lint-clean
  maml-lab lint SRC.ipynb...                 prove an assignment's tests: they must reject every wrong answer
  maml-lab assign SRC.ipynb OUTDIR [--force] the student version of an assignment (after lint): solutions stubbed, hidden tests removed
  maml-lab grade SRC.ipynb SUBMISSION... --out DIR [--jobs N] [--shard I/N] [--cell-timeout S] [--limit S]
                                             grade submissions: gradebook.csv and a JSON report per student
  maml-lab grade --merge DIR... --out DIR    combine the gradebooks of shards graded apart
  maml-lab handout SRC.ipynb... OUTDIR [--package FILE.tgz] [--force]
                                             a folder for students: student versions and the package, \`npm start\` opens it
  maml-lab lab [DIR] [--port N]              set up Jupyter (first time ~20 s), then JupyterLab on DIR (default .)
  maml-lab setup                             only the setup: .venv with JupyterLab and nbclient, the tslab kernelspec

  maml-lab COMMAND --help                    what each flag of COMMAND does

Environment: MAML_LAB_BACKEND=wasm|cpu|tensorflow forces a tfjs backend.`;

// The student's setup: the commands of src/cli/handout.ts and src/cli/lab.ts.
const SETUP_HELP = {
  handout: `Usage: maml-lab handout SRC.ipynb [SRC2.ipynb …] OUTDIR [--package FILE.tgz] [--force]

Makes the folder to give students instead of this repository (whose notebooks/homework holds the solutions
and hidden tests). OUTDIR gets:
  - the student version of each SRC, as \`maml-lab assign\` writes it (solutions stubbed, hidden tests
    removed, outputs cleared);
  - maml-lab-VERSION.tgz, this installation of the package packed by \`npm pack\` (about 350 kB);
  - package.json, depending on maml-lab from that tarball, with \`npm start\` = \`maml-lab lab\`;
  - README.md for students (\`npm install && npm start\`; Node 20 and Python 3 needed), .gitignore, and
    .npmrc (omit=optional: no @tensorflow/tfjs-node download; the notebooks use tfjs's wasm backend).
Every SRC is checked before anything is written; the SRCs are never modified; other files in OUTDIR are
left alone.

  --package FILE.tgz  copy this tarball (made earlier with \`npm pack\`) instead of packing
  --force             overwrite the handout's files in OUTDIR (without it, handout refuses and names them)

Exit code: 0 on success, 1 when a SRC is not a valid assignment, a file exists or npm pack fails, 2 for a
usage mistake.`,
  lab: `Usage: maml-lab lab [DIR] [--port N]

Runs setup (see \`maml-lab setup --help\`; about 20 s the first time, instant after), then JupyterLab on DIR
(default: the current folder), bound to 127.0.0.1, with the TypeScript (tslab) kernel, and prints its URL
with the token. Ctrl-C stops it and its kernels. A handout's \`npm start\` runs \`maml-lab lab\`.

  --port N     listen on port N, or fail if it is taken (also MAML_LAB_PORT=N); default: the first free
               port from 8888

Exit code: 0 when stopped with Ctrl-C, 1 when setup or JupyterLab fails, 2 for a usage mistake.`,
  setup: `Usage: maml-lab setup

Makes this installation of maml-lab ready for notebooks: a Python environment (.venv in the package's
folder, e.g. node_modules/maml-lab/.venv) with JupyterLab, nbclient, nbconvert and plotly from pip, the
tslab kernelspec in it, and JupyterLab settings with news and update checks off. Only the missing steps
run: about 20 s the first time, instant after. \`maml-lab lab\` and \`maml-lab grade\`'s kernels need it.
Needs python3 with its venv module on PATH.

Exit code: 0 when ready, 1 when python3 or pip fails (the message says what to install).`,
} as const;

/**
 * What `maml-lab COMMAND --help` prints: every flag of the command, explained, and its exit codes.
 *
 * @example
 * import { COMMAND_HELP } from './help';
 * console.log(COMMAND_HELP.verify);
 */
export const COMMAND_HELP: Readonly<Record<'verify' | 'derive' | 'metagrad' | 'hessian' | 'doctor' | 'reproduce' | 'new' | 'lint' | 'assign' | 'grade' | keyof typeof SETUP_HELP, string>> = {
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
  doctor: `Usage: maml-lab doctor FILE.json [--json] [--alphas A1,A2,…]

Is my MAML exact? Says which algorithm a meta-gradient implements, whatever computed it (PyTorch, JAX,
this package). FILE is JSON (schema: schemas/doctor-input.schema.json in the package):
  {model: {sizes, activation: "relu"|"tanh", layout: "torch"|"maml-lab"}, params, support: {x, y},
   query: {x, y}, alpha, steps, gradient, lambda?, reptileRate?}
params and gradient list one nested array per parameter tensor: layout "torch" is the order and shapes of
nn.Sequential(Linear, act, …, Linear).parameters() (weight [out, in], then bias [out]); "maml-lab" is
mlp(sizes).init()'s (W [in, out], then b [out]). x is [tasks][points][inputs], y [tasks][points][outputs].
The loss is the MSE (mean over points and outputs, F.mse_loss's default); the meta-loss is the mean over
tasks of the query loss after \`steps\` SGD steps of size alpha on the support loss.

The gradient is compared in float64 with every variant: maml (exact), fomaml, reptile (up to a positive
scale), imaml and imaml(1/lambda) (when lambda is given; the second with 1/λ in place of λ),
hessian-at-theta (every step's Hessian at θ), second-order-last-steps-only(j=J) (the graph kept through
only the last J steps, J < k), wrong-sign (I + αH), one-loss (support used as query), no-adaptation
(∇L_query(θ)), sum-over-tasks (T × maml) and half-mse (½ × maml). The verdict is "matches NAME" within
a relative error of 1e-4, "closest to NAME, off by X" within 1%, else none. Variants that coincide for the
input (at k = 1: maml, hessian-at-theta, second-order-last-steps-only(j=1)) are reported as the first of
them, and the verdict names the others.

  --json              {nearest, verdict, candidates: [{name, relativeError, cosine, scale}]} (and with
                      --alphas, alphaOrder: {alphas, nearest, errors, order, constant})
  --alphas A1,A2,…    FILE also holds gradients: [one meta-gradient per α, in this order]; reports each
                      one's relative error against maml at its α and the order p of error ≈ C·αᵖ (FOMAML
                      and a wrong Hessian are O(α), with different C)

Exit code: 0 when the gradient was diagnosed (whatever the verdict), 1 when FILE is missing, not JSON or
not a valid input (the message names the field and the expected shape), 2 for a usage mistake.`,
  reproduce: `Usage: maml-lab reproduce sinusoid [--protocol finn2017|li2017] [--iterations N] [--seed S] [--seeds N] [--shots K] [--json [--parameters]]

Trains MAML, FOMAML, Reptile and a pretrained (non-meta) baseline on sinusoid regression, then reports the
query MSE ± 95% CI on held-out tasks after 1 and 10 steps, with the reference figures beside it.

  --protocol   finn2017 (default): Finn et al. 2017: y = A sin(x − φ), meta-batch 25, K support and K
               query points, 600 held-out tasks.
               li2017: Li et al. 2017 (Meta-SGD): ω ~ U[0.8, 1.2] as well, meta-batch 4, K support and
               10 query points, 100 held-out tasks with 100 query points, scored at K = 5, 10 and 20.
  --iterations N  training iterations per method (default: the paper's, 70,000 or 60,000)
  --seed S     seed of the initial parameters, the training tasks and the held-out tasks (default 0)
  --seeds N    train with N seeds, S to S + N − 1 (default 1), and report each method's mean ± standard
               deviation over them beside each seed's own table
  --shots K    support points per task in training (default 10 for finn2017, 5 for li2017)
  --json       the results as JSON: the settings, the provenance (engine, backend, version, git commit,
               CPU, load average), every seed's run and the spread over seeds; no progress display
  --parameters with --json: each method's trained parameters as well, flat in the model's order (about
               1,761 numbers per method for finn2017); results/sinusoid-finn2017-k10-seed0.json is one

Ctrl-C stops the method in training, scores what it has and skips the rest (and the seeds after it); a
second Ctrl-C quits.
Exit code: 0 on success, 1 when a method diverged, 2 for a usage mistake.`,
  new: `Usage: maml-lab new FILE.ipynb [--questions N] [--title T]

Writes a new assignment: a title, a locked setup cell, and N questions (default 1), each a complete
example of the format (a prompt, a locked cell with the question's call, public tests and hints, an answer
cell whose solution region sits inside the function, a check cell, and a grade cell with a seeded hidden
test and a declared mistake), every cell with its nbgrader metadata and id. It passes \`maml-lab lint\` as
written. FILE is never overwritten.

Exit code: 0 on success, 1 when FILE exists, 2 for a usage mistake.`,
  lint: `Usage: maml-lab lint SRC.ipynb [SRC2.ipynb …]

Proves an assignment's tests in one run of its source through the tslab kernel (the author's code only).
Each grade cell judges its solution, then wrong answers: the ones lint makes (all zeros, all NaN, one entry
too few or too many, entries reversed, the public example's value for every input, the input returned
unchanged) and the author's mistake(...)s in the hidden region. The solution must pass every test; every
wrong answer must fail a hidden test; the generated ones (but the hard-coded public example) and mistakes
marked { public: true } must fail a public test too, so that check() gives real feedback. Also checked:
cell ids, a solution region that swallows its function's signature, points equal to the tests' points,
each grade cell grading the question of its grade_id. Prints per question each wrong answer and the tests
that rejected it, then every problem, naming the question and the wrong answer that slipped through.

Exit code: 0 when the tests reject every wrong answer, 1 otherwise, 2 for a usage mistake.`,
  assign: `Usage: maml-lab assign SRC.ipynb OUTDIR [--force] [--no-lint]

Writes the student version of an assignment (a tslab notebook with nbgrader cell metadata, see
notebooks/homework/README.md) to OUTDIR/SRC's file name: every // BEGIN SOLUTION … // END SOLUTION
region replaced by a line that throws "not implemented yet", every // BEGIN HIDDEN TESTS … // END HIDDEN
TESTS region removed with its markers, all outputs and execution counts cleared, metadata kept. SRC is
checked first (markers balanced and in the right cells, unique grade_ids, points on every grade cell, the
tslab kernel); every problem is reported with its cell number and grade_id. SRC is never modified.

  --force      overwrite OUTDIR's file if it exists (without it, assign refuses and names the file)
  --no-lint    write it even when \`maml-lab lint\` finds problems (lint runs first by default)

Exit code: 0 on success, 1 when SRC is not a valid assignment or the file exists, 2 for a usage mistake.`,
  grade: `Usage: maml-lab grade SRC.ipynb SUBMISSION... --out DIR [options]
       maml-lab grade --merge DIR... --out DIR [--force]

Grades students' notebooks against the assignment SRC.ipynb (the instructor's copy, with solutions and
hidden tests), in three runs. The reference run executes SRC with its own solutions: it must pass every
test, and it gives each test's input (per student, for seeded inputs) and the solution's value on it. Then
each submission runs in a fresh tslab kernel in an empty temporary folder (under bubblewrap where it works):
its answers are called on those inputs and only their values come back, as data; no test code and no
expected value enters that kernel. Last, one judge run of SRC's own cells scores every student's values.
Locked and grade cells come from SRC, never from the submission; a submission is only read.

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
  ...SETUP_HELP,
};

