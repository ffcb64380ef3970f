// The flags that select the site (-i, -r, -k, --state-dir) as the user typed them, for the commands labctl
// suggests: a suggestion copied from the output must run against the same site, not the current folder's.
import type { Command } from 'commander';
import { shellWord, siteArgs, type SiteFlags } from '../core/shell-words.ts';

export { shellWord, siteArgs, type SiteFlags };

/** The site flags given on the command line (not defaults, not filled in from another flag). */
export function typedSiteFlags(cmd: Command): SiteFlags {
  const o = cmd.opts() as Record<string, unknown>;
  const typed = (k: keyof SiteFlags) =>
    cmd.getOptionValueSource(k) === 'cli' && typeof o[k] === 'string' ? { [k]: o[k] as string } : {};
  return { ...typed('inventory'), ...typed('repo'), ...typed('keyFile'), ...typed('stateDir') };
}
