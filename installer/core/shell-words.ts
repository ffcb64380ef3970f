// A path the user typed, written into a command labctl suggests: copied into a shell it must run as the
// same word (no `;`, `$(...)` or quote of the path acts) and shown on a terminal it must look like what
// runs (no control character of the path acts on the terminal).

/** C0 (tab and newline too: pasted, they complete or run), DEL, C1, and the bidi marks/overrides/isolates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's job.
const CONTROL = /[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Each UTF-8 byte of `c` as \xHH (two digits always, so a following hex digit is not read into it). */
const bytes = (c: string) => [...Buffer.from(c)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');

/**
 * `v` as one word a POSIX shell reads back unchanged: as is when it is plain, else in single quotes, or,
 * when it holds a control character, in ANSI-C quotes ($'...', read by bash, zsh and ksh) with each control
 * character written as its bytes in \xHH, so the printed word holds no raw control character.
 */
export function shellWord(v: string): string {
  if (/^[\w@%+=:,./-]+$/.test(v)) return v;
  if (!CONTROL.test(v)) return `'${v.replace(/'/g, `'\\''`)}'`;
  return `$'${[...v].map((c) => (c === '\\' || c === "'" ? `\\${c}` : CONTROL.test(c) ? bytes(c) : c)).join('')}'`;
}

/** The flags that select the site (-i, -r, -k, --state-dir), as the user typed them. */
export interface SiteFlags {
  inventory?: string;
  repo?: string;
  keyFile?: string;
  stateDir?: string;
}

/**
 * The flags to append to a suggested command, with a leading space ('' when none was typed). `takes` names
 * what the suggested command accepts; `repo` is given for commands whose -r has no inventory to fall back on
 * (secrets confirm, rekey, ...): they always name the folder.
 */
export function siteArgs(
  f: SiteFlags,
  takes: { inventory?: boolean; stateDir?: boolean } = { inventory: true },
  repo?: string,
): string {
  const pairs: [string, string | undefined][] = [
    ['-i', takes.inventory ? f.inventory : undefined],
    ['-r', repo ?? f.repo],
    ['-k', f.keyFile],
    ['--state-dir', takes.stateDir ? f.stateDir : undefined],
  ];
  return pairs.map(([flag, v]) => (v === undefined ? '' : ` ${flag} ${shellWord(v)}`)).join('');
}
