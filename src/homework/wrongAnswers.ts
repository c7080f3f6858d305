import type { AnswerData, AnswerOutcome } from './answerData';

/*
 * The wrong answers `lint` makes by itself, from the right answer's values as data: whatever a question's
 * answer returns (a number, a vector, a list of vectors, an object of them, a tensor), the same structure
 * with every number zero, every number NaN, the last entry of its first list dropped or one appended, that
 * list reversed, every number or one number 1% off (hidden tests must be that tight), or the public
 * example's value returned for every input. Working on data, not on the
 * answer, makes them apply to every question alike.
 */

/** A generated wrong answer: its name, whether a public test must catch it, and its value per test. */
export interface GeneratedMistake {
  name: string;
  needsPublic: boolean;
  answers: AnswerOutcome[];
}

type Tagged = { [tag: string]: unknown };

/** Finite numbers times `factor`; anything else as it is. */
const scaleBy = (factor: number) => (x: AnswerData): AnswerData => (typeof x === 'number' ? x * factor : x);

/** `data` with its first nonzero finite number times `factor` (depth first), or undefined when it has none. */
function firstNumberScaled(data: AnswerData, factor: number): AnswerData | undefined {
  let done = false;
  const changed = mapNumbers(data, (x) => {
    if (done || typeof x !== 'number' || x === 0) return x;
    done = true;
    return x * factor;
  });
  return done ? changed : undefined;
}

/** Every number in `data` replaced by `f(number)` (a tagged NaN or ±Infinity comes as its data). */
function mapNumbers(data: AnswerData, f: (x: AnswerData) => AnswerData): AnswerData {
  if (typeof data === 'number') return f(data);
  if (Array.isArray(data)) return data.map((d) => mapNumbers(d, f));
  if (data === null || typeof data !== 'object') return data;
  const t = data as Tagged;
  if ('$number' in t) return f(data);
  if ('$typed' in t) return { $typed: t.$typed, values: (t.values as AnswerData[]).map(f) };
  if ('$tensor' in t) return { $tensor: t.$tensor, values: (t.values as AnswerData[]).map(f) };
  if ('$object' in t) {
    const fields: Record<string, AnswerData> = {};
    for (const [k, v] of Object.entries(t.$object as Record<string, AnswerData>)) fields[k] = mapNumbers(v, f);
    return { $object: fields };
  }
  return data;
}

/** `data` with its first list (outermost first: an array, a typed array, an object's first list field) changed by `f`; undefined when it has none. */
function onFirstList(data: AnswerData, f: (list: AnswerData[]) => AnswerData[]): AnswerData | undefined {
  if (Array.isArray(data)) return f(data);
  if (data === null || typeof data !== 'object') return undefined;
  const t = data as Tagged;
  if ('$typed' in t) return { $typed: t.$typed, values: f(t.values as AnswerData[]) };
  if ('$object' in t) {
    const fields = t.$object as Record<string, AnswerData>;
    for (const [k, v] of Object.entries(fields)) {
      const changed = onFirstList(v, f);
      if (changed !== undefined) return { $object: { ...fields, [k]: changed } };
    }
  }
  return undefined;
}

const same = (a: AnswerData, b: AnswerData): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The generated wrong answers for a question whose right answers (one per test, as data) are `right`;
 * `publicExample` is the right answer to the first public test. A variant that equals the right answer on
 * every test (zeros where the answer is zero) is left out: it is not wrong. On a test whose value it cannot
 * change (no list to shorten or reverse), a variant gives the right value.
 *
 * @example
 * import { generatedMistakes } from 'maml-lab/homework';
 * const right = [{ value: [1, 2], seconds: 0 }, { value: [3, 4], seconds: 0 }];
 * generatedMistakes(right, right[0]).map((m) => m.name); // ["all zeros", "all NaN", "one entry too few", "one entry too many", "entries in reverse order", "every number 1% off", "one number 1% off", "the public example's value for every input"]
 */
export function generatedMistakes(right: readonly AnswerOutcome[], publicExample: AnswerOutcome | undefined): GeneratedMistake[] {
  const values = right.map((o) => ('value' in o ? o.value : undefined));
  if (values.some((v) => v === undefined)) return [];
  const rightValues = values as AnswerData[];
  const variants: { name: string; needsPublic: boolean; make: (v: AnswerData) => AnswerData | undefined }[] = [
    { name: 'all zeros', needsPublic: true, make: (v) => mapNumbers(v, () => 0) },
    { name: 'all NaN', needsPublic: true, make: (v) => mapNumbers(v, () => ({ $number: 'NaN' })) },
    { name: 'one entry too few', needsPublic: true, make: (v) => onFirstList(v, (l) => l.slice(0, -1)) },
    { name: 'one entry too many', needsPublic: true, make: (v) => onFirstList(v, (l) => [...l, l.length > 0 ? l[l.length - 1] : 0]) },
    { name: 'entries in reverse order', needsPublic: true, make: (v) => onFirstList(v, (l) => [...l].reverse()) },
  ];
  // Near misses, the size of error FOMAML-for-MAML or a dropped term makes: hidden tests must be tight
  // enough to reject them (public ones need not be: a public test may be a loose sanity check).
  variants.push({ name: 'every number 1% off', needsPublic: false, make: (v) => mapNumbers(v, scaleBy(1.01)) });
  variants.push({ name: 'one number 1% off', needsPublic: false, make: (v) => firstNumberScaled(v, 1.01) });
  if (publicExample !== undefined && 'value' in publicExample) {
    const example = publicExample.value;
    // Hard-coding the public example cannot fail a public test on that example: only hidden tests must catch it.
    variants.push({ name: "the public example's value for every input", needsPublic: false, make: () => example });
  }
  const made: GeneratedMistake[] = [];
  for (const variant of variants) {
    // A test whose value the variant cannot change (a number has no list to shorten) keeps the right value:
    // the variant is still wrong on the others, and the tests must catch it there.
    const answers = rightValues.map((v) => variant.make(v) ?? v);
    if (answers.every((a, i) => same(a, rightValues[i]))) continue;
    made.push({ name: variant.name, needsPublic: variant.needsPublic, answers: answers.map((value) => ({ value, seconds: 0 })) });
  }
  return made;
}
