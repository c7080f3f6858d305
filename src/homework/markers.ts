/*
 * Solution and hidden-test markers, matched as nbgrader matches them: a line holding the marker text
 * anywhere, so `// BEGIN SOLUTION` works in TypeScript as `### BEGIN SOLUTION` does in Python.
 */

/** A kind of marked region: the text of its opening and closing markers. */
export interface MarkerPair {
  begin: string;
  end: string;
}

/** The two kinds of marked regions in an assignment. */
export const MARKERS: Readonly<{ solution: MarkerPair; hiddenTests: MarkerPair }> = Object.freeze({
  solution: Object.freeze({ begin: 'BEGIN SOLUTION', end: 'END SOLUTION' }),
  hiddenTests: Object.freeze({ begin: 'BEGIN HIDDEN TESTS', end: 'END HIDDEN TESTS' }),
});

/** A marked region: the 0-based lines of its opening and closing markers. */
export interface Region {
  begin: number;
  end: number;
}

/**
 * The regions between `pair`'s markers in `source`, in order, or a sentence saying how the markers are
 * unbalanced (lines counted from 1, as an editor shows them).
 *
 * @example
 * import { MARKERS, markedRegions } from 'maml-lab/homework';
 * markedRegions('a\n// BEGIN SOLUTION\nb\n// END SOLUTION', MARKERS.solution); // [{ "begin": 1, "end": 3 }]
 * markedRegions('// BEGIN SOLUTION\nb', MARKERS.solution); // "BEGIN SOLUTION on line 1 has no END SOLUTION after it"
 */
export function markedRegions(source: string, pair: MarkerPair): Region[] | string {
  const regions: Region[] = [];
  let open: number | undefined;
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const begins = lines[i].includes(pair.begin);
    const ends = lines[i].includes(pair.end);
    if (begins && ends) return `line ${i + 1} holds both ${pair.begin} and ${pair.end}; put each marker on its own line`;
    if (begins) {
      if (open !== undefined) return `${pair.begin} on line ${i + 1} opens a region inside the one opened on line ${open + 1}`;
      open = i;
    } else if (ends) {
      if (open === undefined) return `${pair.end} on line ${i + 1} has no ${pair.begin} before it`;
      regions.push({ begin: open, end: i });
      open = undefined;
    }
  }
  if (open !== undefined) return `${pair.begin} on line ${open + 1} has no ${pair.end} after it`;
  return regions;
}
