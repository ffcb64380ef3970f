// Delivering the platform's Secrets into a real kube-apiserver (test/kube/global-setup.ts, loopback only):
// `secrets apply` sends what the store can give and lists what waits (the Harbor robot token cannot exist
// before Harbor runs) instead of failing; `up`'s delivery before the hand-over stops with the exact next
// command while ArgoCD could not pull the site repository, and delivers its repository Secret once set.
// The site repository URL is a loopback address where nothing answers (no network beyond loopback).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import * as k8s from '@kubernetes/client-node';
import { EXAMPLE } from '../helpers.ts';
import { labctlAsync as labctl } from './cli.ts';
import { kubeConfig, kubeconfigPath } from '../kube/client.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { SecretStore } from '../../installer/secrets/store.ts';
import { deliverPlatformSecrets } from '../../installer/cli/commands/up.ts';

let dir: string;
let repo: string;
let key: string;
let inv: string;
let site: Site;
let core: k8s.CoreV1Api;
const REPO_URL = 'https://127.0.0.1:9/it/site.git';

const secretOf = async (ns: string, name: string) => {
  try {
    return await core.readNamespacedSecret({ namespace: ns, name });
  } catch {
    return undefined;
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labctl-deliver-'));
  repo = join(dir, 'site');
  mkdirSync(repo);
  key = join(dir, 'site.agekey');
  const doc = parse(readFileSync(EXAMPLE, 'utf8')) as { site: Record<string, string> };
  doc.site.gitRepo = REPO_URL;
  inv = join(repo, 'inventory.yaml');
  writeFileSync(inv, stringify(doc));
  const r = requireSite(inv);
  if (!('site' in r)) throw new Error(JSON.stringify(r.errors));
  site = r.site;
  for (const args of [
    ['secrets', 'init', '-r', repo, '-k', key],
    ['secrets', 'generate', '-i', inv, '-r', repo, '-k', key],
  ]) {
    const x = await labctl(args);
    if (x.code !== 0) throw new Error(`${args.join(' ')}: ${x.stderr}`);
  }
  core = kubeConfig().makeApiClient(k8s.CoreV1Api);
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('secrets apply into a real API server', () => {
  it('delivers what the store has, lists what waits with why and the next command, exits 0', async () => {
    const r = await labctl(['secrets', 'apply', '-i', inv, '-r', repo, '-k', key, '--kubeconfig', kubeconfigPath()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^applied \d+ Secrets/m);
    expect(r.stdout).toMatch(
      /^waits: Secret argocd\/site-repo: the store lacks argocd\/site-repo-password \(.*\); then: labctl secrets set argocd\/site-repo-password /m,
    );
    // Each command named keeps the site flags as typed (-i, -r, -k): copied, it runs against this site.
    const typed = ` -i ${inv} -r ${repo} -k ${key}`;
    expect(r.stdout).toContain(`; then: labctl secrets set argocd/site-repo-password${typed}\n`);
    expect(r.stdout).toContain(`wait; run labctl secrets apply${typed} again once they are set\n`);
    // generated entries arrived; the waiting Secret was not half-sent
    const applied = Number(/^applied (\d+)/m.exec(r.stdout)![1]);
    expect(applied).toBeGreaterThan(3);
    expect(await secretOf('argocd', 'site-repo')).toBeUndefined();
  }, 120_000);
});

describe('up: the secrets before the hand-over', () => {
  const o = () => ({
    inventory: inv,
    output: 'text' as const,
    concurrency: 1,
    connectTimeout: 1,
    handOver: true,
    waitTimeout: 1,
    keyFile: key,
  });

  it('stops with the exact next command while ArgoCD could not pull the site repository', async () => {
    const logs: string[] = [];
    await expect(deliverPlatformSecrets(site, o(), repo, kubeconfigPath(), (l) => logs.push(l))).rejects.toThrow(
      `ArgoCD needs credentials to pull the site repository (git ls-remote ${REPO_URL} without credentials failed: `,
    );
    await expect(deliverPlatformSecrets(site, o(), repo, kubeconfigPath(), () => {})).rejects.toThrow(
      `and the secret store in ${repo} has no argocd/site-repo-password. Store it, then run labctl up -i ${inv} -r ${repo} -k ${key} again (finished steps are not repeated): labctl secrets set argocd/site-repo-password -i ${inv} -r ${repo} -k ${key}`,
    );
  }, 120_000);

  it('once the credential is set, delivers the ArgoCD repository Secret (labelled for ArgoCD) with the rest', async () => {
    await new SecretStore(repo, { keyFile: key }).put('argocd/site-repo-password', 'glpat-test-token');
    const logs: string[] = [];
    await deliverPlatformSecrets(site, o(), repo, kubeconfigPath(), (l) => logs.push(l));
    const s = await secretOf('argocd', 'site-repo');
    expect(s?.metadata?.labels?.['argocd.argoproj.io/secret-type']).toBe('repository');
    expect(Buffer.from(s!.data!.url!, 'base64').toString()).toBe(REPO_URL);
    expect(Buffer.from(s!.data!.password!, 'base64').toString()).toBe('glpat-test-token');
    expect(logs[0]).toMatch(new RegExp(`^secrets: applied \\d+ Secrets/ConfigMaps from ${repo}`));
  }, 120_000);

  it('without the site key: stops naming the key and secrets apply with the admin kubeconfig', async () => {
    await expect(
      deliverPlatformSecrets(
        site,
        { ...o(), keyFile: join(dir, 'missing.agekey') },
        repo,
        '/state/admin.conf',
        () => {},
      ),
    ).rejects.toThrow(
      `cannot read the secret store in ${repo} to deliver the platform's Secrets: site key ${join(dir, 'missing.agekey')} not found`,
    );
  }, 120_000);
});
