// The upgrade plan and its refusals, as pure functions of the example inventory and the versions the
// cluster reports (no hosts): kubeadm's one-minor rule, downgrades, the inventory pin, the order of nodes,
// the batches, and resume (a journal key per target version). The scripts are checked by real bash -n.
import { describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { EXAMPLE, labctl } from '../helpers.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { buildPlan } from '../../installer/cluster/plan.ts';
import { buildUpgradePlan, formatUpgradePlan, stepKey, UpgradeRefused } from '../../installer/cluster/upgrade/plan.ts';
import { upgradeRefusals } from '../../installer/cluster/upgrade/versions.ts';
import { OBSERVE_SCRIPT, parseObserved } from '../../installer/cluster/upgrade/observe.ts';
import { buildRemovePlan } from '../../installer/cluster/remove/plan.ts';
import { membership, formatMembership } from '../../installer/cluster/upgrade/members.ts';
import type { Site } from '../../installer/inventory/types.ts';

const r = requireSite(EXAMPLE);
if (!('site' in r)) throw new Error('example inventory invalid');
const site: Site = r.site;
const all = (v: string) => Object.fromEntries(site.nodes.map((n) => [n.name, v]));
const CPS = ['cp1', 'cp2', 'cp3'];
const refusal = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof UpgradeRefused) return e.reasons;
    throw e;
  }
  throw new Error('not refused');
};

describe('upgrade plan: order and steps', () => {
  const plan = buildUpgradePlan(site, { target: 'v1.36.4', current: all('v1.35.9') });
  it('control planes one by one (the first control plane first), storage nodes one by one, other nodes in batches of 2', () => {
    expect(plan.batches.map((b) => b.map((n) => n.node).join('+'))).toEqual([
      'cp1',
      'cp2',
      'cp3',
      'stor1',
      'stor2',
      'stor3',
      'vmh1+vmh2',
      'vmh3+vmh4',
      'vmh5+vmh6',
    ]);
    expect(plan.batches[0]![0]).toMatchObject({ role: 'first control plane', from: 'v1.35.9' });
    const three = buildUpgradePlan(site, { target: 'v1.36.4', current: all('v1.35.9'), batchSize: 3 });
    expect(three.batches.slice(6).map((b) => b.map((n) => n.node).join('+'))).toEqual([
      'vmh1+vmh2+vmh3',
      'vmh4+vmh5+vmh6',
    ]);
  });

  it('the first control plane runs kubeadm upgrade plan and apply with the target, the others kubeadm upgrade node', () => {
    const s = (node: string, id: string) =>
      plan.batches
        .flat()
        .find((n) => n.node === node)!
        .steps.find((x) => x.id === id)!;
    expect(s('cp1', '10-kubeadm').script).toContain('kubeadm upgrade plan "$target"');
    expect(s('cp1', '10-kubeadm').script).toContain('kubeadm upgrade apply -y "$target"');
    expect(s('cp1', '10-kubeadm').script).toContain("target='v1.36.4'");
    expect(s('cp1', '10-kubeadm').script).not.toContain('kubeadm upgrade node');
    for (const n of ['cp2', 'stor1', 'vmh1']) {
      expect(s(n, '10-kubeadm').script).toContain('kubeadm upgrade node');
      expect(s(n, '10-kubeadm').script).not.toContain('upgrade apply');
    }
    // kubeadm moves first, kubelet and kubectl after the drain; the pinned package source of the target minor.
    expect(s('vmh1', '10-kubeadm').script).toMatch(/pkgs=\('kubeadm' \)/);
    expect(s('vmh1', '30-kubelet').script).toMatch(/pkgs=\('kubelet' 'kubectl' \)/);
    expect(s('vmh1', '30-kubelet').script).toContain("want='1.36.4'");
    expect(s('vmh1', '30-kubelet').script).toContain('systemctl restart kubelet');
  });

  it('drains on the first control plane through the eviction API, bounded, never bypassing it', () => {
    const d = plan.batches
      .flat()
      .find((n) => n.node === 'vmh3')!
      .steps.find((x) => x.id === '20-drain')!;
    expect(d.runsOn).toBe('cp1');
    expect(d.script).toContain('drain "$node" --ignore-daemonsets --delete-emptydir-data --timeout=600s');
    expect(d.script).not.toMatch(/^[^#]*--disable-eviction/m);
    expect(d.script).not.toMatch(/^[^#]*--force/m);
    expect(d.timeoutSec).toBeGreaterThan(600);
    const short = buildUpgradePlan(site, { target: 'v1.36.4', current: all('v1.35.9'), drainTimeoutSec: 30 });
    expect(short.batches[0]![0]!.steps[1]!.script).toContain('--timeout=30s');
  });

  it('every script is valid bash (real bash -n) and passes shellcheck, with the remove and observe scripts', async () => {
    for (const n of plan.batches.flat()) for (const s of n.steps) execFileSync('bash', ['-n'], { input: s.script });
    const dir = mkdtempSync(join(tmpdir(), 'labctl-sc-day2-'));
    const files: string[] = [];
    const put = (name: string, text: string) => {
      const f = join(dir, `${name}.sh`);
      writeFileSync(f, text);
      files.push(f);
    };
    for (const n of plan.batches.slice(0, 2).flat()) for (const s of n.steps) put(`u-${n.node}-${s.id}`, s.script);
    const two = { ...site, storage: { failureDomain: 'host' as const, replicas: 2 } };
    for (const s of buildRemovePlan(two, { node: 'stor1', ready: new Set(site.nodes.map((n) => n.name)) }).steps)
      put(`r-${s.id}`, s.script);
    put('observe', `#!/bin/bash\n${OBSERVE_SCRIPT}`);
    expect(files).toHaveLength(13);
    const out = await new Promise<string>((done) =>
      execFile(
        'shellcheck',
        ['-s', 'bash', '-S', 'style', ...files],
        { encoding: 'utf8', timeout: 120_000 },
        (err, stdout, stderr) => done(err ? `shellcheck failed (${err.code ?? err.signal}): ${stdout}${stderr}` : ''),
      ),
    );
    expect(out).toBe('');
  }, 150_000);

  it('prints the plan: batches, versions from → to, and where each step runs', () => {
    const text = formatUpgradePlan(plan);
    expect(text).toContain('upgrade plan for site cs-lab: Kubernetes → v1.36.4');
    expect(text).toContain('batch 1: cp1 (first control plane, v1.35.9 → v1.36.4)');
    expect(text).toContain('batch 7: vmh1 (worker, v1.35.9 → v1.36.4), vmh2 (worker, v1.35.9 → v1.36.4)');
    expect(text).toMatch(/vmh1 +20-drain +cordon and drain .* \[on cp1\]/);
  });
});

describe('upgrade refusals', () => {
  it('refuses 1.34 → 1.36 naming the intermediate minor', () => {
    const reasons = upgradeRefusals('v1.36.4', { cp1: 'v1.34.2', w1: 'v1.35.1' }, ['cp1']);
    expect(reasons).toEqual([
      'cp1: v1.34.2 → v1.36.4 skips v1.35; kubeadm upgrades one minor at a time: upgrade to the newest v1.35.x first',
    ]);
    expect(refusal(() => buildUpgradePlan(site, { target: 'v1.36.4', current: all('v1.34.2') }))).toContain(
      'vmh6: v1.34.2 → v1.36.4 skips v1.35; kubeadm upgrades one minor at a time: upgrade to the newest v1.35.x first',
    );
  });

  it('refuses a downgrade, a major change, a version that is not a release, and a control plane that is not registered', () => {
    expect(upgradeRefusals('v1.35.2', { cp1: 'v1.36.4' }, ['cp1'])).toEqual([
      'cp1: is at v1.36.4, newer than v1.35.2; kubeadm does not downgrade',
    ]);
    expect(upgradeRefusals('v1.36.4', { cp1: 'v2.36.4' }, ['cp1'])[0]).toMatch(/changes the major version/);
    expect(upgradeRefusals('1.36', {}, [])).toEqual(['--to 1.36: expected a Kubernetes release like v1.36.4']);
    expect(upgradeRefusals('v1.36.4', { cp1: 'v1.36.0' }, ['cp1', 'cp2'])).toEqual([
      'cp2: control plane not registered in the cluster (no version reported)',
    ]);
  });

  it('refuses a minor gitops/versions.yaml does not support, and a target the inventory does not pin', () => {
    const reasons = refusal(() => buildUpgradePlan(site, { target: 'v1.37.1', current: all('v1.36.4') }));
    expect(reasons[0]).toBe(
      'v1.37.1 is not a supported minor (gitops/versions.yaml kubernetes.supportedMinors: 1.35, 1.36)',
    );
    expect(reasons.at(-1)).toMatch(
      /^--to v1\.37\.1 is not the version the inventory pins \(kubernetes\.version v1\.36\.4\): set kubernetes\.version: v1\.37\.1/,
    );
    expect(refusal(() => buildUpgradePlan(site, { target: 'v1.36.3', current: all('v1.35.0') }))).toHaveLength(1);
  });

  it('a patch upgrade within the minor is allowed (1.36.0 → 1.36.4)', () => {
    expect(buildUpgradePlan(site, { target: 'v1.36.4', current: all('v1.36.0') }).batches).toHaveLength(9);
  });
});

describe('upgrade resume and skipped nodes', () => {
  it('skips nodes at the target with nothing journaled, keeps a node whose upgrade stopped half-way, leaves unregistered nodes to up', () => {
    const current = { ...all('v1.35.9'), cp1: 'v1.36.4', cp2: 'v1.36.4' };
    delete (current as Record<string, string>).vmh6;
    const journaled = new Set([
      `cp2 ${stepKey('v1.36.4', '10-kubeadm')}`,
      `cp2 ${stepKey('v1.36.4', '20-drain')}`,
      `cp2 ${stepKey('v1.36.4', '30-kubelet')}`,
    ]);
    const plan = buildUpgradePlan(site, { target: 'v1.36.4', current, finished: (n, k) => journaled.has(`${n} ${k}`) });
    expect(plan.batches.map((b) => b.map((n) => n.node).join('+'))[0]).toBe('cp2');
    expect(plan.skipped).toEqual([
      { node: 'cp1', why: 'already at v1.36.4' },
      { node: 'vmh6', why: 'not a member of the cluster yet: labctl up joins it at the pinned version' },
    ]);
    // Without the journal, cp2 (at the target) would be left cordoned: the journal is what keeps it.
    const noJournal = buildUpgradePlan(site, { target: 'v1.36.4', current });
    expect(noJournal.skipped.map((s) => s.node)).toContain('cp2');
  });

  it('journal keys carry the target version: another target never counts as done', () => {
    expect(stepKey('v1.36.4', '20-drain')).toBe('upgrade-v1.36.4/20-drain');
    const a = buildUpgradePlan(site, { target: 'v1.36.4', current: all('v1.35.9') }).batches[0]![0]!.steps[1]!;
    expect(a.key).toBe('upgrade-v1.36.4/20-drain');
    expect(a.script).toContain("LABCTL_STEP='upgrade-v1.36.4/20-drain'");
  });

  it('reads what kubectl get nodes prints (name, kubelet version, Ready, unschedulable)', () => {
    const m = parseObserved('cp1 v1.36.4 True \nw1 v1.35.9 False true\n\n');
    expect([...m]).toEqual([
      ['cp1', { version: 'v1.36.4', ready: true, unschedulable: false }],
      ['w1', { version: 'v1.35.9', ready: false, unschedulable: true }],
    ]);
  });
});

describe('labctl up on an inventory with new nodes joins only those; labctl plan says so', () => {
  const hosts = (s: Site) => new Map(buildPlanOf(s));
  it("adding a node leaves the inputs of every existing node's steps unchanged (so up skips them) and plans the new node's steps", async () => {
    const inv = parse(readFileSync(EXAMPLE, 'utf8')) as { nodes: Record<string, unknown>[] };
    inv.nodes.push({ name: 'vmh7', rack: 'r3', address: '10.10.3.27', roles: ['worker'] });
    const dir = mkdtempSync(join(tmpdir(), 'labctl-addnode-'));
    writeFileSync(join(dir, 'inventory.yaml'), stringify(inv));
    const r2 = requireSite(join(dir, 'inventory.yaml'));
    if (!('site' in r2)) throw new Error(JSON.stringify(r2.errors));
    const before = hosts(site),
      after = hosts(r2.site);
    const changed = [...after].filter(([k, v]) => before.has(k) && before.get(k) !== v).map(([k]) => k);
    expect(changed).toEqual([]);
    expect([...after.keys()].filter((k) => !before.has(k))).toEqual([
      'vmh7 0010-os-prep',
      'vmh7 0020-containerd',
      'vmh7 0030-kube-packages',
      'vmh7 0070-kubeadm-join',
    ]);
  });

  it('membership from the journal: init/join steps finished = member; the rest join', () => {
    const j = {
      version: 1 as const,
      site: 'cs-lab',
      hosts: {
        cp1: { '0050-kubeadm-init': { inputs: 'x', finishedAt: '', durationMs: 1 } },
        cp2: { '0060-kubeadm-join-control-plane': { inputs: 'old', finishedAt: '', durationMs: 1 } },
        vmh1: { '0030-kube-packages': { inputs: 'x', finishedAt: '', durationMs: 1 } },
        old9: { '0070-kubeadm-join': { inputs: 'x', finishedAt: '', durationMs: 1 } },
      },
    };
    const m = membership(site, j);
    expect(m.members).toEqual(['cp1', 'cp2']);
    expect(m.joins).toEqual(['cp3', 'vmh1', 'vmh2', 'vmh3', 'vmh4', 'vmh5', 'vmh6', 'stor1', 'stor2', 'stor3']);
    expect(m.gone).toEqual(['old9']);
    expect(formatMembership(m, '/s/journal.json')).toContain('in the journal but not in the inventory: old9');
  });

  it('labctl plan prints "joins:" and "already members:" from the state directory\'s journal', async () => {
    const state = mkdtempSync(join(tmpdir(), 'labctl-plan-state-'));
    const none = await labctl(['plan', '-i', EXAMPLE], { env: { LABCTL_STATE_DIR: state } });
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain(
      'joins: cp1, cp2, cp3, vmh1, vmh2, vmh3, vmh4, vmh5, vmh6, stor1, stor2, stor3\nalready members: none (no journal yet: a first labctl up)\n',
    );
    mkdirSync(state, { recursive: true });
    const rec = { inputs: 'x', finishedAt: '2026-11-30T00:00:00Z', durationMs: 1 };
    writeFileSync(
      join(state, 'journal.json'),
      JSON.stringify({
        version: 1,
        site: 'cs-lab',
        hosts: {
          cp1: { '0050-kubeadm-init': rec },
          cp2: { '0060-kubeadm-join-control-plane': rec },
          cp3: { '0060-kubeadm-join-control-plane': rec },
          ...Object.fromEntries(
            ['vmh1', 'vmh2', 'vmh3', 'vmh4', 'vmh5', 'stor1', 'stor2', 'stor3'].map((n) => [
              n,
              { '0070-kubeadm-join': rec },
            ]),
          ),
        },
      }),
    );
    const some = await labctl(['plan', '-i', EXAMPLE], { env: { LABCTL_STATE_DIR: state } });
    expect(some.code, some.stderr).toBe(0);
    expect(some.stdout).toContain(
      `joins: vmh6\nalready members: cp1, cp2, cp3, vmh1, vmh2, vmh3, vmh4, vmh5, stor1, stor2, stor3 (journal ${join(state, 'journal.json')})\n`,
    );
    const json = await labctl(['plan', '-i', EXAMPLE, '--output', 'json'], { env: { LABCTL_STATE_DIR: state } });
    expect(JSON.parse(json.stdout).membership.joins).toEqual(['vmh6']);
  });
});

function buildPlanOf(s: Site): [string, string][] {
  return buildPlan(s).phases.flatMap((p) =>
    p.hosts.flatMap((h) => h.steps.map((x): [string, string] => [`${h.node} ${x.id}`, x.inputs])),
  );
}
