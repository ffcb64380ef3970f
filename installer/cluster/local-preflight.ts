// Preflight of this machine, before any server is touched: the tools `up` runs here for the hand-over
// (helm, kubectl: found, and the version against what gitops/versions.yaml pins where it pins one) and
// the site key (readable, and one of the recipients the site key holder confirmed for the store).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as age from 'age-encryption';
import type { Site } from '../inventory/types.ts';
import { minorOf } from '../core/versions.ts';
import { defaultKeyFile, readIdentity } from '../secrets/store.ts';
import { verifiedConfirmed, CONFIRMED_FILE } from '../secrets/recipients.ts';

export interface LocalCheck {
  id: 'helm' | 'kubectl' | 'site-key';
  status: 'pass' | 'warn' | 'fail';
  found?: string;
  expected: string;
  reason?: string;
}

const run = promisify(execFile);

async function tool(argv: string[]): Promise<{ out?: string; error?: string }> {
  try {
    return { out: (await run(argv[0]!, argv.slice(1), { timeout: 15_000 })).stdout.trim() };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    return { error: err.code === 'ENOENT' ? 'not found on PATH' : (err.stderr || err.message).trim().split('\n')[0] };
  }
}

const minor = (v: string) => Number(minorOf(v).split('.')[1]);

export async function localChecks(site: Site, o: { repo: string; keyFile?: string }): Promise<LocalCheck[]> {
  const out: LocalCheck[] = [];
  // helm: gitops/versions.yaml pins charts, not the helm binary; the hand-over needs helm 3.8+ or 4.
  const helm = await tool(['helm', 'version', '--template', '{{.Version}}']);
  const helmExpected = '3.8 or newer (not pinned in gitops/versions.yaml)';
  if (helm.error)
    out.push({
      id: 'helm',
      status: 'fail',
      expected: helmExpected,
      reason: `helm ${helm.error}: up installs Calico and Argo CD with it; install it (https://helm.sh/docs/intro/install/)`,
    });
  else {
    const [maj, min] = helm.out!.replace(/^v/, '').split('.').map(Number) as [number, number];
    const ok = maj > 3 || (maj === 3 && min >= 8);
    out.push({
      id: 'helm',
      status: ok ? 'pass' : 'fail',
      found: helm.out,
      expected: helmExpected,
      ...(ok ? {} : { reason: `helm ${helm.out} is older than 3.8` }),
    });
  }
  // kubectl: the version skew policy allows one minor either side of the cluster's.
  const k8s = site.kubernetes.version;
  const kubectlExpected = `${minorOf(k8s)} ± 1 minor (kubernetes ${k8s}, gitops/versions.yaml)`;
  const kc = await tool(['kubectl', 'version', '--client', '-o', 'json']);
  let found: string | undefined;
  try {
    found = kc.out
      ? (JSON.parse(kc.out) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion
      : undefined;
  } catch {
    found = undefined;
  }
  if (!found)
    out.push({
      id: 'kubectl',
      status: 'fail',
      expected: kubectlExpected,
      reason: `kubectl ${kc.error ?? 'printed no client version'}: up applies the Calico CRDs with it; install kubectl ${minorOf(k8s)}`,
    });
  else {
    const skew = Math.abs(minor(found) - minor(k8s));
    out.push({
      id: 'kubectl',
      status: skew <= 1 ? 'pass' : 'fail',
      found,
      expected: kubectlExpected,
      ...(skew <= 1
        ? {}
        : {
            reason: `kubectl ${found} is ${skew} minors away from the cluster's ${k8s}; install kubectl ${minorOf(k8s)}`,
          }),
    });
  }
  out.push(await siteKeyCheck(o));
  return out;
}

async function siteKeyCheck(o: { repo: string; keyFile?: string }): Promise<LocalCheck> {
  const keyFile = o.keyFile ?? defaultKeyFile();
  const confirmedFile = join(o.repo, 'secrets', CONFIRMED_FILE);
  const expected = `a recipient confirmed in ${confirmedFile}`;
  if (!existsSync(confirmedFile)) {
    return {
      id: 'site-key',
      status: 'warn',
      expected,
      reason: `no secret store in ${join(o.repo, 'secrets')} yet: create it with labctl secrets init -r ${o.repo} (up reads the site CA and the platform's Secrets from it)`,
    };
  }
  try {
    const identity = readIdentity(keyFile, 'to read the secret store');
    const recipient = await age.identityToRecipient(identity);
    const confirmed = verifiedConfirmed({ confirmedFile, identity }) ?? [];
    if (!confirmed.includes(recipient))
      return {
        id: 'site-key',
        status: 'fail',
        found: recipient,
        expected,
        reason: `${keyFile} (${recipient}) is not a confirmed recipient of the store: it is not this site's key`,
      };
    return { id: 'site-key', status: 'pass', found: `${keyFile} (${recipient})`, expected };
  } catch (e) {
    return { id: 'site-key', status: 'fail', expected, reason: (e as Error).message };
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
