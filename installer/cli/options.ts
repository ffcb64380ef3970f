// Options several commands share, and the site repository layout they agree on (docs/decisions.md,
// "Site repository layout"): the site repository is the folder that holds inventory.yaml; commands run
// from its root, so -i defaults to inventory.yaml and -o/-r to the inventory's folder.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Command, Option } from 'commander';
import { UsageError } from '../core/diagnostics.ts';
import { parseFormat } from './output.ts';

export const DEFAULT_INVENTORY = 'inventory.yaml';

/** A whole number from 1 to `max` for a flag; `unit` names what it counts in the error. */
export const wholeNumber =
  (flag: string, max: number, unit = 'a whole number') =>
  (v: string): number => {
    const n = /^[0-9]+$/.test(v) ? Number(v) : Number.NaN; // decimal digits only: not 0x10, 1e3, " 5" or 5.0
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new UsageError(`${flag} ${v}: expected ${unit} from 1 to ${max}`);
    return n;
  };
/**
 * Seconds for a timeout or interval flag, at most a week. The bound: a timer past 2^31-1 ms fires at once in
 * Node (TimeoutOverflowWarning), so `--drain-timeout 1e21` would have ended a step in 1 ms.
 */
export const seconds = (flag: string) => wholeNumber(flag, 604_800, 'whole seconds (a week at most)');
/** A count of hosts or nodes handled at once: more than a campus has is a typo, not a request. */
export const count = (flag: string) => wholeNumber(flag, 10_000);
export const outputOption = () =>
  new Option('--output <format>', 'text or json').default('text').argParser((v) => parseFormat(v));
export const inventoryOption = () =>
  new Option('-i, --inventory <file>', 'site inventory file').default(DEFAULT_INVENTORY);
/** -o of render and diff: no commander default, the inventory's folder is filled in by siteRepoOf. */
export const outOption = (what: string) =>
  new Option(SITE_OUT_FLAGS, `${what} (default: the folder that holds the inventory)`);
const SITE_OUT_FLAGS = '-o, --out <dir>';
/**
 * Whether the command's --out names the site repository's folder (render, diff: outOption), not a file it
 * writes (kubeconfig -o FILE) or a folder of its own (images build --out).
 */
export const takesSiteOut = (cmd: Command): boolean => cmd.options.some((o) => o.flags === SITE_OUT_FLAGS);
/** -r of the commands that read or write the secret store. */
export const repoOption = (withInventory = true) =>
  new Option(
    '-r, --repo <dir>',
    `the site repository checkout holding secrets/ (default: ${withInventory ? 'the folder that holds the inventory' : 'the current folder, when it holds inventory.yaml'})`,
  );
/** -k of every command that needs the site key; $LABCTL_AGE_KEY_FILE is read in one place (secrets/store.ts defaultKeyFile). */
export const keyFileOption = (use = 'the site private key') =>
  new Option('-k, --key-file <file>', `${use} (default: $LABCTL_AGE_KEY_FILE or ~/.config/labctl/site.agekey)`);

/** The site repository of an inventory: the folder that holds it. */
export const siteRepoOf = (inventory: string): string => dirname(inventory);

/**
 * -r for the secrets commands that take no inventory: the given folder, else the current folder when it
 * is a site repository (holds inventory.yaml, or secrets/ already). Refused otherwise, so running one of
 * them in the wrong folder does not start a secret store there.
 */
export function repoOrHere(repo: string | undefined, command: string): string {
  if (repo !== undefined) return repo;
  if (existsSync(DEFAULT_INVENTORY) || existsSync('secrets/recipients.txt')) return '.';
  throw new UsageError(
    `this folder holds no ${DEFAULT_INVENTORY}, so it is not a site repository: run labctl ${command} from the site repository's root (the folder with ${DEFAULT_INVENTORY}), or name it with -r DIR`,
  );
}
