import { createHmac, timingSafeEqual } from 'node:crypto';
import { isTestOutcomes, runningTests, type TestOutcome } from './runTests';

/*
 * Signed grade records: how a grade cell's results leave the kernel. The grader puts a fresh key and nonce
 * into a harness cell it writes (`startGrading`); each grade cell then shows its outcomes signed with
 * HMAC-SHA256, and the grader keeps only records whose signature and nonce check out. Everything relied on
 * is captured when this module loads (in the harness cell, before any student code runs), so a student's
 * later monkey-patching of JSON.stringify or crypto changes no record.
 */

/** The MIME type of a grade record's display_data output. */
export const GRADE_MIME = 'application/vnd.maml-lab.grade+json';

/** What the grader gives the kernel: an HMAC key and a nonce, both fresh for each submission. */
export interface GradingSession {
  key: string;
  nonce: string;
}

/** One question's outcomes, signed: `mac` = HMAC-SHA256(key, JSON.stringify({ nonce, question, results })) as hex. */
export interface GradeRecord {
  nonce: string;
  question: string;
  results: TestOutcome[];
  mac: string;
}

const stringify = JSON.stringify;
const parse = JSON.parse;
const hmac = createHmac;
const sameBytes = timingSafeEqual;
const bufferFrom = Buffer.from.bind(Buffer);
const freeze = Object.freeze;
const isArray = Array.isArray;
const isFiniteNumber = Number.isFinite;
const hexPattern = /^[0-9a-f]{64}$/;
const matches = RegExp.prototype.test;
// The Hmac object's own methods too: patching Hmac.prototype.digest later must not change a MAC.
const hmacPrototype = Object.getPrototypeOf(createHmac('sha256', 'probe')) as { update: (data: string) => unknown; digest: (encoding: 'hex') => string };
const update = hmacPrototype.update;
const digest = hmacPrototype.digest;

let session: GradingSession | undefined;

/** The outcomes with their fields in one fixed order, so signer and verifier hash the same text. */
function canonicalResults(results: readonly TestOutcome[]): TestOutcome[] {
  const out: TestOutcome[] = [];
  // An index loop, not map or for…of: neither Array.prototype.map nor the array iterator is consulted.
  for (let i = 0; i < results.length; i++) {
    const { name, points, passed, message, seconds, hidden } = results[i];
    out[i] = { name, points, passed, message, seconds, hidden };
  }
  return out;
}

function macOf(key: string, nonce: string, question: string, results: readonly TestOutcome[]): string {
  const h = hmac('sha256', key);
  update.call(h, stringify({ nonce, question, results: canonicalResults(results) }));
  return digest.call(h, 'hex');
}

function requireSession(s: unknown, where: string): GradingSession {
  const { key, nonce } = (s ?? {}) as Partial<GradingSession>;
  if (typeof key !== 'string' || key.length < 16) throw new TypeError(`${where}: session.key must be a string of at least 16 characters`);
  if (typeof nonce !== 'string' || nonce === '') throw new TypeError(`${where}: session.nonce must be a non-empty string`);
  return { key, nonce };
}

/**
 * Starts grading in this process: from now on `grade` also shows each question's outcomes as a signed
 * `GradeRecord`. Called once, by the grader's harness cell, before any student code; a second call throws,
 * so student code cannot swap the key.
 *
 * @example
 * import { randomBytes } from 'node:crypto';
 * import { startGrading } from 'maml-lab/homework';
 * // what the grader's harness cell does, with a fresh key and nonce per submission
 * startGrading({ key: randomBytes(32).toString('hex'), nonce: randomBytes(16).toString('hex') });
 */
export function startGrading(s: GradingSession): void {
  const checked = requireSession(s, 'startGrading');
  if (session) throw new Error('startGrading: grading has already started in this process');
  session = freeze(checked);
}

/**
 * Whether `startGrading` has been called in this process.
 *
 * @example
 * import { grading } from 'maml-lab/homework';
 * typeof grading(); // "boolean"
 */
export function grading(): boolean {
  return session !== undefined;
}

/**
 * The outcomes of one question signed with the session's key, or undefined when grading has not started
 * (a student's own kernel). Only lists `runTests` returned are signed, and never from inside an answer or
 * a test while one runs; anything else throws.
 *
 * @example
 * import { gradeRecord, question, runTests, test } from 'maml-lab/homework';
 * const q = question('q1', [test('runs', 1, () => undefined)]);
 * const record = gradeRecord('q1', await runTests(q, () => 0, []));
 * // a signed { nonce, question, results, mac } while grading; undefined in a student's own kernel
 */
export function gradeRecord(questionId: string, outcomes: TestOutcome[]): GradeRecord | undefined {
  if (!isTestOutcomes(outcomes)) throw new TypeError('gradeRecord: only outcomes returned by runTests can be signed');
  if (typeof questionId !== 'string' || questionId === '') throw new TypeError('gradeRecord: the question id must be a non-empty string');
  if (runningTests()) throw new Error('gradeRecord: a record cannot be signed from inside an answer or a test');
  if (!session) return undefined;
  const results = canonicalResults(outcomes);
  return freeze({ nonce: session.nonce, question: questionId, results, mac: macOf(session.key, session.nonce, questionId, results) });
}

function isOutcome(x: unknown): x is TestOutcome {
  const o = x as Partial<TestOutcome>;
  return typeof x === 'object' && x !== null
    && typeof o.name === 'string' && typeof o.points === 'number' && isFiniteNumber(o.points) && o.points > 0
    && typeof o.passed === 'boolean' && typeof o.message === 'string'
    && typeof o.seconds === 'number' && isFiniteNumber(o.seconds) && o.seconds >= 0 && typeof o.hidden === 'boolean';
}

/**
 * The grader's side: the record (an object, or the JSON text of a GRADE_MIME output) if it is well formed,
 * carries this session's nonce and its MAC matches under this session's key; otherwise undefined.
 * The record returned holds only the known fields.
 *
 * @example
 * import { verifyGradeRecord } from 'maml-lab/homework';
 * const session = { key: 'a key of at least sixteen characters', nonce: 'n-1' };
 * verifyGradeRecord({ nonce: 'n-1', question: 'q1', results: [], mac: '00' }, session); // undefined
 */
export function verifyGradeRecord(record: unknown, s: GradingSession): GradeRecord | undefined {
  const { key, nonce } = requireSession(s, 'verifyGradeRecord');
  let r = record as Partial<GradeRecord>;
  if (typeof record === 'string') {
    try {
      r = parse(record);
    } catch {
      return undefined;
    }
  }
  if (typeof r !== 'object' || r === null) return undefined;
  if (r.nonce !== nonce || typeof r.question !== 'string' || r.question === '' || !isArray(r.results)) return undefined;
  for (let i = 0; i < r.results.length; i++) if (!isOutcome(r.results[i])) return undefined;
  if (typeof r.mac !== 'string' || !matches.call(hexPattern, r.mac)) return undefined;
  const results = canonicalResults(r.results);
  if (!sameBytes(bufferFrom(r.mac, 'hex'), bufferFrom(macOf(key, nonce, r.question, results), 'hex'))) return undefined;
  return { nonce, question: r.question, results, mac: r.mac };
}
