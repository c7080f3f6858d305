/**
 * Checks of the numbers a figure is drawn from. A plot refuses bad input with an error that names the
 * argument, its shape and the first bad entry, because Plotly would draw it anyway: NaN as a blank cell,
 * a ragged row as a shifted picture.
 */

/** The rows and columns of a rectangular matrix of finite numbers; throws naming `name` otherwise. */
export function matrixShape(name: string, z: unknown): [rows: number, columns: number] {
  if (!Array.isArray(z) || z.length === 0) throw new RangeError(`${name} must be a non-empty matrix (an array of rows), got ${describe(z)}`);
  const rows = z as unknown[];
  if (!Array.isArray(rows[0]) || rows[0].length === 0) throw new RangeError(`${name}[0] must be a non-empty row of numbers, got ${describe(rows[0])}`);
  const columns = rows[0].length;
  // Plain loops, not forEach: a 1761² Hessian has 3·10⁶ entries to look at.
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Array.isArray(row) || row.length !== columns) {
      throw new RangeError(`${name} must be rectangular: row 0 has ${columns} entries but row ${i} has ${Array.isArray(row) ? row.length : describe(row)}`);
    }
    for (let j = 0; j < columns; j++) {
      const v: unknown = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name}[${i}][${j}] is ${describe(v)}; a ${rows.length}×${columns} matrix of finite numbers is needed`);
    }
  }
  return [rows.length, columns];
}

/** Throws naming `name` unless `z` is a square matrix of finite numbers; returns its size. */
export function squareSize(name: string, z: unknown): number {
  const [rows, columns] = matrixShape(name, z);
  if (rows !== columns) throw new RangeError(`${name} must be square, got ${rows}×${columns}`);
  return rows;
}

/** Throws naming `name` unless `values` is a list of finite numbers (of at least `min` entries). */
export function finiteList(name: string, values: unknown, min = 0): number[] {
  if (!Array.isArray(values)) throw new RangeError(`${name} must be an array of numbers, got ${describe(values)}`);
  if (values.length < min) throw new RangeError(`${name} needs at least ${min} value${min === 1 ? '' : 's'}, got ${values.length}`);
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name}[${i}] is ${describe(v)}; finite numbers are needed`);
  });
  return values as number[];
}

/** Throws naming `name` unless `x` is a finite number above zero. */
export function positive(name: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) throw new RangeError(`${name} must be a finite number above 0, got ${describe(x)}`);
  return x;
}

function describe(x: unknown): string {
  if (typeof x === 'number') return String(x);
  if (Array.isArray(x)) return `an array of ${x.length}`;
  return x === null ? 'null' : typeof x === 'object' ? 'an object' : JSON.stringify(x) ?? String(x);
}
