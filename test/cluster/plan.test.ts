// Plan and rendered node artifacts: pure functions of the inventory (no hosts needed).
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { EXAMPLE, labctl } from '../helpers.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { buildPlan, formatPlan } from '../../installer/cluster/plan.ts';
import {
  containerdHosts,
  kubeadmInitConfig,
  kubeadmJoinConfig,
  kubeVipPod,
  PLACEHOLDER,
} from '../../installer/cluster/artifacts.ts';
import { factsScript } from '../../installer/cluster/facts.ts';
import { resetScript } from '../../installer/cluster/reset.ts';
import { Journal, writeAtomic } from '../../installer/cluster/journal.ts';
import { redact, registerSecret } from '../../installer/ssh/redact.ts';
import { stepFailure } from '../../installer/cluster/apply.ts';

const r = requireSite(EXAMPLE);
if (!('site' in r)) throw new Error('example inventory invalid');
const site = r.site;
const node = (n: string) => site.nodes.find((x) => x.name === n)!;

describe('plan', () => {
  const plan = buildPlan(site);
  it('orders phases: prepare on all, init on the first control plane, then control-plane joins, then workers', () => {
    expect(plan.phases.map((p) => p.phase)).toEqual(['prepare', 'init', 'join-control-plane', 'join-workers']);
    expect(plan.phases[0]!.hosts.map((h) => h.node)).toEqual(site.nodes.map((n) => n.name));
    expect(plan.phases[1]!.hosts).toEqual([expect.objectContaining({ node: 'cp1' })]);
    expect(plan.phases[1]!.hosts[0]!.steps.map((s) => s.id)).toEqual(['0040-kube-vip', '0050-kubeadm-init']);
    expect(plan.phases[2]!.hosts.map((h) => `${h.node}:${h.steps.map((s) => s.id).join(',')}`)).toEqual([
      'cp1:0055-join-credentials',
      'cp2:0060-kubeadm-join-control-plane,0065-kube-vip',
      'cp3:0060-kubeadm-join-control-plane,0065-kube-vip',
    ]);
    expect(plan.phases[3]!.hosts.map((h) => h.node)).toEqual([
      'vmh1',
      'vmh2',
      'vmh3',
      'vmh4',
      'vmh5',
      'vmh6',
      'stor1',
      'stor2',
      'stor3',
    ]);
  });

  it('is deterministic (same inventory, same scripts and hashes)', () => {
    expect(JSON.stringify(buildPlan(site))).toBe(JSON.stringify(plan));
  });

  it('labctl plan prints it without connecting anywhere', async () => {
    const out = await labctl(['plan', '-i', EXAMPLE], {
      env: { LABCTL_STATE_DIR: mkdtempSync(join(tmpdir(), 'labctl-plan-')) },
    });
    expect(out.code, out.stderr).toBe(0);
    // Then the day-two membership lines (test/cluster/upgrade-plan.test.ts); no journal here.
    // The example has a backup section and this checkout no secret store: the warning up would stop on
    // (test/cluster/up-backup-credentials.test.ts) comes between the two.
    expect(out.stdout).toBe(
      `${formatPlan(plan)}\n${out.stdout.match(/^warning: etcd snapshots: .*\n/m)?.[0]}\njoins: ${site.nodes.map((n) => n.name).join(', ')}\nalready members: none (no journal yet: a first labctl up)\n`,
    );
    expect(out.stdout).toContain('phase 5: hand-over to ArgoCD');
  });

  it('every rendered step script passes shellcheck', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labctl-sc-'));
    try {
      const files: string[] = [];
      const scripts = new Map<string, string>();
      for (const p of plan.phases)
        for (const h of p.hosts) for (const s of h.steps) scripts.set(`${h.node}-${s.id}`, s.script);
      scripts.set('facts', factsScript());
      scripts.set('reset', resetScript(node('cp1')));
      expect(scripts.size).toBeGreaterThan(40);
      // Many hosts run the same text (58 scripts, 26 distinct texts for the example): each text is checked
      // once, under the name of its first host; the same text gives the same findings.
      const seen = new Set<string>();
      for (const [name, text] of scripts) {
        if (seen.has(text)) continue;
        seen.add(text);
        const f = join(dir, `${name}.sh`);
        writeFileSync(f, text);
        files.push(f);
      }
      // shellcheck exits non-zero on any finding; the output names file and line. Two processes (two
      // cores), asynchronous: a worker blocked in execFileSync for a minute under load cannot answer
      // vitest's RPC and failed whole runs.
      const check = (batch: string[]) =>
        new Promise<string>((done) =>
          execFile(
            'shellcheck',
            ['-s', 'bash', '-S', 'style', ...batch],
            { encoding: 'utf8', maxBuffer: 16 << 20, timeout: 280_000 },
            (err, stdout, stderr) =>
              done(err ? `shellcheck failed (${err.code ?? err.signal}): ${stdout}${stderr}` : ''),
          ),
        );
      expect(
        await Promise.all([files.filter((_, i) => i % 2 === 0), files.filter((_, i) => i % 2 === 1)].map(check)),
      ).toEqual(['', '']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000); // ~10 s alone; a minute and more on two busy cores
});

describe('rendered node artifacts', () => {
  it('kubeadm init: v1beta4 Init/Cluster/Kubelet configuration with OIDC flags, CIDRs and the VIP endpoint', () => {
    const docs = parseAllDocuments(kubeadmInitConfig(site, node('cp1'))).map((d) => d.toJS());
    expect(docs.map((d) => `${d.apiVersion} ${d.kind}`)).toEqual([
      'kubeadm.k8s.io/v1beta4 InitConfiguration',
      'kubeadm.k8s.io/v1beta4 ClusterConfiguration',
      'kubelet.config.k8s.io/v1beta1 KubeletConfiguration',
    ]);
    const [init, cluster, kubelet] = docs;
    expect(init.localAPIEndpoint.advertiseAddress).toBe('10.10.0.11');
    expect(init.nodeRegistration.kubeletExtraArgs).toContainEqual({
      name: 'node-labels',
      value: 'topology.kubernetes.io/zone=r1',
    });
    expect(cluster.controlPlaneEndpoint).toBe('k8s-api.lab.example.edu:6443');
    expect(cluster.networking).toMatchObject({ podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12' });
    expect(cluster.kubernetesVersion).toBe('v1.36.4');
    expect(cluster.apiServer.extraArgs).toContainEqual({
      name: 'oidc-issuer-url',
      value: 'https://sso.lab.example.edu/realms/campus',
    });
    expect(cluster.apiServer.extraArgs).toContainEqual({ name: 'oidc-client-id', value: 'kubernetes' });
    expect(cluster.apiServer.extraArgs).toContainEqual({ name: 'oidc-groups-claim', value: 'groups' });
    expect(cluster.apiServer.extraArgs).toContainEqual({ name: 'oidc-username-claim', value: 'preferred_username' });
    expect(cluster.apiServer.certSANs).toEqual(['k8s-api.lab.example.edu', '10.10.0.10']);
    expect(kubelet.cgroupDriver).toBe('systemd');
  });

  it('kubeadm join: placeholders instead of secrets; control planes get a certificate key placeholder', () => {
    const w = parseAllDocuments(kubeadmJoinConfig(site, node('vmh1')))[0]!.toJS();
    expect(w.discovery.bootstrapToken).toEqual({
      apiServerEndpoint: 'k8s-api.lab.example.edu:6443',
      token: PLACEHOLDER.joinToken,
      caCertHashes: [PLACEHOLDER.caCertHash],
    });
    expect(w.controlPlane).toBeUndefined();
    const c = parseAllDocuments(kubeadmJoinConfig(site, node('cp2')))[0]!.toJS();
    expect(c.controlPlane).toEqual({
      localAPIEndpoint: { advertiseAddress: '10.10.0.12', bindPort: 6443 },
      certificateKey: PLACEHOLDER.certificateKey,
    });
  });

  it('kube-vip: super-admin.conf on the first control plane during init, admin.conf elsewhere', () => {
    const first = parseAllDocuments(kubeVipPod(site, node('cp1'), true))[0]!.toJS();
    expect(first.kind).toBe('Pod');
    expect(first.spec.volumes[0].hostPath.path).toBe('/etc/kubernetes/super-admin.conf');
    expect(first.spec.containers[0].image).toBe('ghcr.io/kube-vip/kube-vip:v1.2.3');
    expect(first.spec.containers[0].env).toContainEqual({ name: 'address', value: '10.10.0.10' });
    const other = parseAllDocuments(kubeVipPod(site, node('cp2'), false))[0]!.toJS();
    expect(other.spec.volumes[0].hostPath.path).toBe('/etc/kubernetes/admin.conf');
  });

  it('containerd: one hosts.toml per proxy cache, Harbor first with the upstream as fallback', () => {
    const h = containerdHosts(site);
    expect(h.map((x) => x.registry)).toEqual(['docker.io', 'ghcr.io', 'quay.io', 'registry.k8s.io']);
    expect(h[0]!.content).toContain('server = "https://registry-1.docker.io"');
    expect(h[0]!.content).toContain('[host."https://harbor.lab.example.edu/v2/dockerhub"]');
  });
});

describe('secrets and the journal', () => {
  it('redacts registered secrets and anything shaped like a bootstrap token or certificate key', () => {
    registerSecret('s3cr3t-value-xyz');
    expect(redact('token s3cr3t-value-xyz here')).toBe('token *** here');
    expect(redact('kubeadm join --token abcdef.0123456789abcdef')).toBe('kubeadm join --token ***');
    expect(redact(`--certificate-key ${'a1'.repeat(32)}`)).toBe('--certificate-key ***');
  });

  it("a failing step's reason is redacted and prefers the script's LABCTL_ERROR line", () => {
    expect(stepFailure(1, null, '', 'apt noise\nLABCTL_ERROR: package(s) kubeadm missing\n', 60)).toBe(
      'package(s) kubeadm missing',
    );
    expect(stepFailure(124, null, '', '', 60)).toBe('timed out after 60 s (stopped on the host)');
  });

  it('no step script in the plan contains a secret value, only placeholders', () => {
    const scripts = buildPlan(site)
      .phases.flatMap((p) => p.hosts.flatMap((h) => h.steps.map((s) => s.script)))
      .join('\n');
    expect(scripts).toContain(PLACEHOLDER.joinToken);
    expect(scripts).not.toMatch(/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/);
  });

  it('journal writes are atomic: no temp file left, content complete; a journal of another site is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labctl-journal-'));
    try {
      const f = join(dir, 'state', 'journal.json');
      const j = Journal.open(f, 'cs-lab');
      await Promise.all([
        j.markDone('cp1', '0010-os-prep', 'h1', 5),
        j.markDone('cp2', '0010-os-prep', 'h2', 6),
        j.markDone('cp1', '0020-containerd', 'h3', 7),
      ]);
      const data = JSON.parse(readFileSync(f, 'utf8'));
      expect(Object.keys(data.hosts.cp1)).toEqual(['0010-os-prep', '0020-containerd']);
      expect(readdirSync(join(dir, 'state'))).toEqual(['journal.json']);
      expect(Journal.open(f, 'cs-lab').finished('cp2', '0010-os-prep', 'h2')).toBe(true);
      expect(Journal.open(f, 'cs-lab').finished('cp2', '0010-os-prep', 'changed-inputs')).toBe(false);
      expect(() => Journal.open(f, 'other-site')).toThrow(/journal of site "cs-lab", not "other-site"/);
      writeAtomic(f, '{"version":1,"site":"cs-lab","hosts":{}}\n');
      expect(existsSync(f)).toBe(true);
      writeFileSync(f, '{"version":1,"si');
      expect(() => Journal.open(f, 'cs-lab')).toThrow(/not a readable labctl journal/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
