// Preflight of this machine, before any server is touched: the tools `up` runs here for the hand-over
// (helm, kubectl: found, and the version against what gitops/versions.yaml pins where it pins one) and
// the site key (readable, and one of the recipients the site key holder confirmed for the store).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as age from 'age-encryption';
import type { Site } from '../inventory/types.ts';
import { handOverTools } from './local-tools.ts';
import { defaultKeyFile, readIdentity } from '../secrets/store.ts';
import { verifiedConfirmed, CONFIRMED_FILE } from '../secrets/recipients.ts';
import { shellWord } from '../core/shell-words.ts';
import { showControls } from '../core/show-controls.ts';

export interface LocalCheck {
  id: 'helm' | 'kubectl' | 'site-key';
  status: 'pass' | 'warn' | 'fail';
  found?: string;
  expected: string;
  reason?: string;
}

export async function localChecks(site: Site, o: { repo: string; keyFile?: string }): Promise<LocalCheck[]> {
  // helm and kubectl: the judgment doctor shows too (local-tools.ts).
  const out: LocalCheck[] = await handOverTools(site.kubernetes.version);
  out.push(await siteKeyCheck(o));
  return out;
}

async function siteKeyCheck(o: { repo: string; keyFile?: string }): Promise<LocalCheck> {
  const keyFile = o.keyFile ?? defaultKeyFile();
  const confirmedFile = join(o.repo, 'secrets', CONFIRMED_FILE);
  // Paths as typed (or the inventory's folder) may hold control characters: shown escaped, hints quoted.
  const expected = `a recipient confirmed in ${showControls(confirmedFile)}`;
  if (!existsSync(confirmedFile)) {
    return {
      id: 'site-key',
      status: 'warn',
      expected,
      reason: `no secret store in ${showControls(join(o.repo, 'secrets'))} yet: create it with labctl secrets init -r ${shellWord(o.repo)} (up reads the site CA and the platform's Secrets from it)`,
    };
  }
  try {
    const identity = readIdentity(keyFile, 'to read the secret store');
    const recipient = await age.identityToRecipient(identity);
    const confirmed = verifiedConfirmed({ confirmedFile, identity, siteRecipient: recipient }) ?? [];
    if (!confirmed.includes(recipient))
      return {
        id: 'site-key',
        status: 'fail',
        found: recipient,
        expected,
        reason: `${showControls(keyFile)} (${recipient}) is not a confirmed recipient of the store: it is not this site's key`,
      };
    return { id: 'site-key', status: 'pass', found: `${showControls(keyFile)} (${recipient})`, expected };
  } catch (e) {
    return { id: 'site-key', status: 'fail', expected, reason: showControls((e as Error).message) };
  }
}

export function localTable(checks: LocalCheck[]): string {
  return (
    checks
      .map(
        (c) =>
          `local ${c.id.padEnd(8)} ${c.status === 'pass' ? 'ok  ' : c.status === 'warn' ? 'warn' : 'FAIL'} ${c.found ?? '-'} (expected ${c.expected})${c.reason ? `: ${c.reason}` : ''}`,
      )
      .join('\n') + '\n'
  );
}
