// The "did you mean" of an unknown name: the valid name it most likely misspells, only when it is close
// enough to be a typo. Otherwise none: the messages list the valid names, and a far guess ("zzzzzzzz": did
// you mean "timezone"?, "huge": did you mean "large"?) only misleads.
import { closest, distance } from 'fastest-levenshtein';

/** Two names of one length that differ only by one swapped pair of neighbours (`dmeo`, `demo`). */
function swapped(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const diff = [...a].flatMap((c, i) => (c === b[i] ? [] : [i]));
  return diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]!] && a[diff[1]!] === b[diff[0]!];
}

/**
 * The valid name `typed` most likely misspells, or undefined: one edit away, or one swapped pair, or at most
 * 40% of the longer name's characters edited (`tiemzone` is two edits of eight).
 */
export function nearName(typed: string, names: readonly string[]): string | undefined {
  if (!names.length) return undefined;
  const guess = closest(typed, names);
  const d = distance(typed, guess);
  if (d === 0) return undefined;
  return d <= Math.max(1, Math.floor(0.4 * Math.max(typed.length, guess.length))) || swapped(typed, guess)
    ? guess
    : undefined;
}
