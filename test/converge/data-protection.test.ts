// Data that ArgoCD must never prune or delete: the CloudNativePG databases of Keycloak and Harbor (and the
// Ceph cluster) carry Prune=false,Delete=false in every golden site, so removing a component from Git, or
// a prune after a rename, orphans the data instead of deleting it.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../helpers.ts';

const GOLDEN = join(ROOT, 'test/golden');

function manifests(site: string): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  const comps = join(GOLDEN, site, 'components');
  for (const c of readdirSync(comps)) {
    let files: string[] = [];
    try {
      files = readdirSync(join(comps, c, 'manifests'));
    } catch {
      continue;
    }
    for (const f of files)
      out.push(...parseAllDocuments(readFileSync(join(comps, c, 'manifests', f), 'utf8')).map((d) => d.toJSON()));
  }
  return out;
}

describe('databases are protected from prune', () => {
  it.each(readdirSync(GOLDEN).sort())('%s: every CNPG Cluster has Prune=false,Delete=false', (site) => {
    const clusters = manifests(site).filter(
      (m) => m.apiVersion?.startsWith('postgresql.cnpg.io/') && m.kind === 'Cluster',
    );
    expect(clusters.map((c) => c.metadata.name).sort()).toEqual(expect.arrayContaining(['harbor-db', 'keycloak-db']));
    for (const c of clusters) {
      const opts = String(c.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '').split(',');
      expect(opts, `${c.metadata.namespace}/${c.metadata.name}`).toEqual(
        expect.arrayContaining(['Prune=false', 'Delete=false']),
      );
    }
  });
});
