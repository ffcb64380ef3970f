// The flags that select the site (-i, -r, -k, --state-dir) as the user typed them, for the commands labctl
// suggests: a suggestion copied from the output must run against the same site, not the current folder's.
import type { Command } from 'commander';

export interface SiteFlags {
  inventory?: string;
  repo?: string;
  keyFile?: string;
  stateDir?: string;
}

/** The site flags given on the command line (not defaults, not filled in from another flag). */
export function typedSiteFlags(cmd: Command): SiteFlags {
  const o = cmd.opts() as Record<string, unknown>;
  const typed = (k: keyof SiteFlags) =>
    cmd.getOptionValueSource(k) === 'cli' && typeof o[k] === 'string' ? { [k]: o[k] as string } : {};
  return { ...typed('inventory'), ...typed('repo'), ...typed('keyFile'), ...typed('stateDir') };
}

/** A word a POSIX shell reads back unchanged. */
export const shellWord = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

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
