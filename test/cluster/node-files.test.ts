// Files named by flags (issue 13 section 2), for the example and every valid test inventory: every node path
// a rendered kubeadm configuration, static pod, containerd config/hosts.toml or step script names is written
// by a step that runs before it is read (node-files.ts says how readers and writers are found).
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { EXAMPLE, fixture } from '../helpers.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { buildPlan } from '../../installer/cluster/plan.ts';
import { SITE_CA_FILE } from '../../installer/cluster/artifacts.ts';
import { referencesOf, unwrittenReferences } from './node-files.ts';

const INVENTORIES = [EXAMPLE, ...readdirSync(fixture('inventory/valid')).map((f) => fixture('inventory/valid', f))];
const load = (file: string) => {
  const r = requireSite(file);
  if (!('site' in r)) throw new Error(`${file}: ${JSON.stringify(r.errors)}`);
  return r.site;
};

describe('every node file a flag, config or script names is written by an earlier step', () => {
  for (const file of INVENTORIES) {
    it(file.replace(/.*\//, ''), () => {
      const site = load(file);
      expect(unwrittenReferences(site, buildPlan(site))).toEqual([]);
    });
  }

  it('internal-ca sites: the site CA is named by the API server (OIDC CA) and containerd (hosts.toml), written by 0015-site-ca', () => {
    const site = load(fixture('inventory/valid/airgapped.yaml'));
    expect(site.tls.mode).toBe('internal-ca');
    const plan = buildPlan(site);
    const steps = plan.phases.flatMap((p) => p.hosts.flatMap((h) => h.steps.map((s) => ({ node: h.node, s }))));
    const refs = steps.flatMap(({ node, s }) =>
      referencesOf(site, node, s)
        .filter((r) => r.path === SITE_CA_FILE)
        .map((r) => `${node} ${s.id} ${r.by}`),
    );
    const first = plan.firstControlPlane;
    expect(refs).toContain(`${first} 0050-kubeadm-init kubeadm configuration`);
    expect(refs.some((r) => / 0020-containerd \/etc\/containerd\/certs\.d\/.*\/hosts\.toml$/.test(r))).toBe(true);
    const cps = site.nodes.filter((n) => n.roles.includes('control-plane') && n.name !== first);
    for (const cp of cps)
      expect(refs).toContain(`${cp.name} 0060-kubeadm-join-control-plane ClusterConfiguration (kubeadm-config)`);
    for (const n of site.nodes)
      expect(steps.filter(({ node, s }) => node === n.name && s.id === '0015-site-ca')).toHaveLength(1);
  });

  it('can fail: without the site-CA step the internal-ca site names a CA file nothing writes (what every internal-ca site had before)', () => {
    const site = load(fixture('inventory/valid/airgapped.yaml'));
    const plan = buildPlan(site);
    for (const p of plan.phases) for (const h of p.hosts) h.steps = h.steps.filter((s) => s.id !== '0015-site-ca');
    const problems = unwrittenReferences(site, plan);
    expect(problems.map((p) => `${p.step} ${p.path} (${p.by})`)).toContain(
      `0050-kubeadm-init ${SITE_CA_FILE} (kubeadm configuration)`,
    );
    expect(problems.some((p) => p.step === '0020-containerd' && p.path === SITE_CA_FILE)).toBe(true);
  });

  it('can fail: a static pod naming a kubeconfig kubeadm does not write on that node (super-admin.conf on a joined control plane)', () => {
    const site = load(EXAMPLE);
    const plan = buildPlan(site);
    const step = plan.phases
      .flatMap((p) => p.hosts)
      .filter((h) => h.node === 'cp2')
      .flatMap((h) => h.steps)
      .find((s) => s.id === '0065-kube-vip')!;
    step.script = step.script.replace('path: /etc/kubernetes/admin.conf', 'path: /etc/kubernetes/super-admin.conf');
    expect(unwrittenReferences(site, plan)).toEqual([
      { node: 'cp2', step: '0065-kube-vip', path: '/etc/kubernetes/super-admin.conf', by: 'static pod manifest' },
    ]);
  });
});
