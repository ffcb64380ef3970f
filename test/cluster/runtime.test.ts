// The runtime and the API VIP as the pinned releases document them: containerd 2.x pinned with checksums,
// the support matrix in docs/bootstrap.md equal to the one preflight checks, preflight's runtime verdicts,
// and kube-vip's environment against the variables of the pinned kube-vip release.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { EXAMPLE, ROOT } from '../helpers.ts';
import { resolve } from 'node:path';
import { requireSite } from '../../installer/inventory/validate.ts';
import { buildPlan } from '../../installer/cluster/plan.ts';
import {
  ARCHES,
  containerdConfig,
  containerdRelease,
  downloadUrl,
  kubeVipPod,
} from '../../installer/cluster/artifacts.ts';
import {
  checkHost,
  containerdVersion,
  SUPPORTED_OS,
  versionReport,
  type HostReport,
} from '../../installer/cluster/preflight.ts';
import type { Facts } from '../../installer/cluster/facts.ts';

const r = requireSite(EXAMPLE);
if (!('site' in r)) throw new Error('example inventory invalid');
const site = r.site;
const node = (n: string) => site.nodes.find((x) => x.name === n)!;

// The environment variables kube-vip v1.2.3 reads (pkg/kubevip/config_envvar.go at tag v1.2.3, commit 7ce55caf;
// the subset a control-plane ARP deployment can use). vip_cidr is not among them: removed in v0.9.0.
const KUBE_VIP_V1_2_3_ENV = [
  'vip_arp',
  'vip_arpRate',
  'vip_leaderelection',
  'vip_leasename',
  'vip_leaseduration',
  'vip_renewdeadline',
  'vip_retryperiod',
  'vip_loglevel',
  'vip_interface',
  'vip_subnet',
  'address',
  'port',
  'vip_nodename',
  'cp_namespace',
  'cp_enable',
  'svc_enable',
  'dns_mode',
  'prometheus_server',
  'k8s_config_file',
  'bgp_enable',
];

describe('containerd 2.x: pinned with its checksums, configured in its 2.x format', () => {
  it('gitops/versions.yaml pins a 2.x release and runc, each with a sha256 per architecture', () => {
    const rel = containerdRelease(site);
    expect(rel.version).toMatch(/^2\.\d+\.\d+$/);
    for (const a of ARCHES) {
      expect(rel.sha256[a]).toMatch(/^[0-9a-f]{64}$/);
      expect(rel.runc.sha256[a]).toMatch(/^[0-9a-f]{64}$/);
      expect(downloadUrl(rel, a)).toBe(
        `https://github.com/containerd/containerd/releases/download/v${rel.version}/containerd-${rel.version}-linux-${a}.tar.gz`,
      );
    }
    expect(rel.sha256.amd64).not.toBe(rel.sha256.arm64);
  });

  it('an air-gapped site (kubernetes.releaseMirror) downloads the same files, checked by the same sha256, from its mirror only', () => {
    const r2 = requireSite(resolve(ROOT, 'test/fixtures/inventory/valid/airgapped.yaml'));
    if ('errors' in r2) throw new Error(JSON.stringify(r2.errors));
    const mirror = r2.site.kubernetes.releaseMirror!;
    expect(mirror).toMatch(/^http:\/\/mirror\./);
    const rel = containerdRelease(r2.site);
    const steps = buildPlan(r2.site)
      .phases.flatMap((p) => p.hosts.flatMap((h) => h.steps))
      .filter((s) => s.id === '0020-containerd');
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) {
      expect(s.script).not.toMatch(/github\.com/);
      for (const a of ARCHES) {
        expect(s.script).toContain(`'${mirror}/containerd-${rel.version}-linux-${a}.tar.gz'`);
        expect(s.script).toContain(`'${mirror}/runc.${a}'`);
        expect(s.script).toContain(`'${rel.sha256[a]}'`);
      }
    }
  });

  it('kubernetes.containerdPackage (no longer used) is reported as ignored, at its line', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'labctl-cpkg-')), 'inventory.yaml');
    writeFileSync(
      file,
      readFileSync(EXAMPLE, 'utf8').replace(/^( {2}apiDnsName: .*)$/m, '$1\n  containerdPackage: containerd'),
    );
    const r2 = requireSite(file);
    if ('errors' in r2) throw new Error(JSON.stringify(r2.errors));
    const w = r2.warnings.find((d) => d.path === 'kubernetes.containerdPackage');
    expect(w?.message).toMatch(/is ignored: containerd 2\.x is installed from the release pinned/);
    expect(w?.line).toBe(
      readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('containerdPackage: containerd')) + 1,
    );
    const clean = requireSite(EXAMPLE);
    if ('errors' in clean) throw new Error('example invalid');
    expect(clean.warnings.filter((d) => d.path === 'kubernetes.containerdPackage')).toEqual([]);
  });

  it("every node's containerd step carries the pinned URLs and checksums of both architectures", () => {
    const rel = containerdRelease(site);
    const steps = buildPlan(site)
      .phases.flatMap((p) => p.hosts.flatMap((h) => h.steps))
      .filter((s) => s.id === '0020-containerd');
    expect(steps).toHaveLength(site.nodes.length);
    for (const s of steps)
      for (const a of ARCHES) {
        expect(s.script).toContain(`'${downloadUrl(rel, a)}'`);
        expect(s.script).toContain(`'${rel.sha256[a]}'`);
        expect(s.script).toContain(`'${rel.runc.sha256[a]}'`);
      }
  });

  it('a containerd version override without a pinned checksum stops the plan, naming the field', () => {
    expect(() => containerdRelease({ ...site, versions: { containerd: '2.3.0' } })).toThrow(
      /versions\.containerd: 2\.3\.0 has no pinned sha256/,
    );
  });

  it('config version 3: systemd cgroups, runc from the release, the sandbox image of the pinned versions, hosts.toml mirrors', () => {
    const cfg = containerdConfig(site);
    expect(cfg).toMatch(/^version = 3$/m);
    expect(cfg).toContain(
      '[plugins."io.containerd.cri.v1.images".pinned_images]\n  sandbox = "registry.k8s.io/pause:3.10.2"',
    );
    expect(cfg).toContain('SystemdCgroup = true');
    expect(cfg).toContain('BinaryName = "/usr/local/sbin/runc"');
    expect(cfg).not.toContain('io.containerd.grpc.v1.cri');
  });
});

describe("support matrix and preflight's version report", () => {
  const facts = (o: Partial<Facts>): Facts => ({
    osId: 'debian',
    osVersionId: '12',
    osPretty: 'Debian GNU/Linux 12 (bookworm)',
    kernel: '6.1.0-30-amd64',
    arch: 'x86_64',
    hostname: 'cp1',
    init: 'systemd',
    cgroupFs: 'cgroup2fs',
    cpus: 8,
    cpuVirt: 'vmx',
    kvm: true,
    memTotalKiB: 32 << 20,
    swaps: [],
    ntpSynchronized: 'yes',
    timeDaemons: [],
    addresses: ['eth0 10.10.0.11/24'],
    listening: [],
    lvm: true,
    rbd: 'module',
    containerd: '',
    containerdSocket: false,
    kubelet: false,
    kubeadm: false,
    clusterMember: false,
    docker: false,
    uid: 0,
    disks: [],
    ...o,
  });

  it('docs/bootstrap.md shows exactly the matrix preflight checks', () => {
    const doc = readFileSync(resolve(ROOT, 'docs/bootstrap.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| (debian|ubuntu) \| ([\d.]+) \| containerd ([\d.]+) \| (.+?) \|$/gm)].map(
      (m) => `${m[1]} ${m[2]} ${m[3]}`,
    );
    expect(rows).toEqual(SUPPORTED_OS.flatMap((o) => o.versions.map((v) => `${o.id} ${v} ${o.distroContainerd}`)));
    expect(doc).toContain(`containerd ${containerdRelease(site).version}`);
  });

  it('a distribution containerd 1.x is reported (up replaces it); 2.x passes; an unsupported OS fails', () => {
    const old = checkHost(
      site,
      node('cp1'),
      facts({ containerd: 'containerd containerd.io 1.6.20~ds1 1.6.20~ds1-1+b1' }),
    );
    expect(old.find((c) => c.id === 'runtime')).toEqual({
      id: 'runtime',
      status: 'warn',
      reason: 'containerd 1.6.20 is installed; Kubernetes 1.36 needs 2.x: up replaces it with the pinned 2.2.1',
    });
    const ok = checkHost(
      site,
      node('cp1'),
      facts({ containerd: 'containerd github.com/containerd/containerd/v2 v2.2.1 dea7da5' }),
    );
    expect(ok.find((c) => c.id === 'runtime')).toEqual({ id: 'runtime', status: 'pass', reason: 'containerd 2.2.1' });
    expect(ok.find((c) => c.id === 'os')!.reason).toBe(
      'Debian GNU/Linux 12 (bookworm) (supported; its containerd 1.6 is replaced by the pinned 2.2.1)',
    );
    const bad = checkHost(site, node('cp1'), facts({ osId: 'centos', osVersionId: '7', osPretty: 'CentOS Linux 7' }));
    expect(bad.find((c) => c.id === 'os')).toMatchObject({ status: 'fail' });
    expect(containerdVersion('containerd github.com/containerd/containerd v1.7.24 abc')).toBe('1.7.24');
  });

  it('the version report names OS and runtime per host against the matrix', () => {
    const hosts: HostReport[] = [
      {
        node: 'cp1',
        address: '',
        roles: ['control-plane'],
        reachable: true,
        checks: [],
        facts: facts({ containerd: 'containerd containerd.io 1.6.20~ds1 x' }),
      },
      {
        node: 'cp2',
        address: '',
        roles: ['control-plane'],
        reachable: true,
        checks: [],
        facts: facts({
          osId: 'ubuntu',
          osVersionId: '24.04',
          containerd: 'containerd github.com/containerd/containerd/v2 v2.2.1 x',
        }),
      },
      {
        node: 'cp3',
        address: '',
        roles: ['control-plane'],
        reachable: true,
        checks: [],
        facts: facts({ osId: 'rocky', osVersionId: '9' }),
      },
    ];
    expect(versionReport(hosts)).toBe(
      [
        'cp1: os debian 12 (supported), kernel 6.1.0-30-amd64, containerd 1.6.20 (up installs 2.2.1)',
        'cp2: os ubuntu 24.04 (supported), kernel 6.1.0-30-amd64, containerd 2.2.1 (pinned)',
        'cp3: os rocky 9 (NOT supported), kernel 6.1.0-30-amd64, containerd none (up installs 2.2.1)',
      ].join('\n') + '\n',
    );
  });
});

describe('kube-vip: the variables of the pinned release', () => {
  const env = (first: boolean) =>
    (
      parseAllDocuments(kubeVipPod(site, node(first ? 'cp1' : 'cp2'), first))[0]!.toJS() as {
        spec: { containers: { env: { name: string; value?: string; valueFrom?: unknown }[] }[] };
      }
    ).spec.containers[0]!.env;

  it('every variable is one kube-vip v1.2.3 reads; vip_subnet instead of the removed vip_cidr; vip_nodename from the node', () => {
    for (const first of [true, false]) {
      const e = env(first);
      for (const v of e) expect(KUBE_VIP_V1_2_3_ENV, v.name).toContain(v.name);
      expect(e.map((v) => v.name)).not.toContain('vip_cidr');
      expect(e).toContainEqual({ name: 'vip_subnet', value: '32' });
      expect(e).toContainEqual({ name: 'vip_nodename', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
      expect(e).toContainEqual({ name: 'svc_enable', value: 'false' });
    }
  });
});

describe("control planes that run workloads lose kubeadm's load-balancer exclude label (issue 13 section 3)", () => {
  const scripts = (file: string) => {
    const rr = requireSite(file);
    if (!('site' in rr)) throw new Error('invalid');
    return buildPlan(rr.site).phases.flatMap((p) =>
      p.hosts.flatMap((h) => h.steps.map((s) => ({ node: h.node, id: s.id, script: s.script }))),
    );
  };
  const UNLABEL = `label node "$node" 'node.kubernetes.io/exclude-from-external-load-balancers'-`;

  it('single-rack (control planes also storage): the init and control-plane join steps remove it and check it is gone', () => {
    const s = scripts(resolve(ROOT, 'test/fixtures/inventory/valid/single-rack.yaml'));
    const withIt = s.filter((x) => x.script.includes(UNLABEL)).map((x) => `${x.node} ${x.id}`);
    expect(withIt).toEqual([
      'node1 0050-kubeadm-init',
      'node2 0060-kubeadm-join-control-plane',
      'node3 0060-kubeadm-join-control-plane',
    ]);
    expect(s.find((x) => x.id === '0050-kubeadm-init')!.script).toContain(
      `get nodes -l 'node.kubernetes.io/exclude-from-external-load-balancers' -o name`,
    );
  });

  it('the example (dedicated, tainted control planes): no step touches the label', () => {
    expect(scripts(EXAMPLE).filter((x) => x.script.includes(UNLABEL))).toEqual([]);
  });
});

describe('site CA for the nodes', () => {
  it('only the certificate blocks of the secret-store entry go to the nodes, never a key; the result passes the run-time check', async () => {
    const { certificateBlocks } = await import('../../installer/cluster/site-ca.ts');
    const { runtimeAssignment } = await import('../../installer/cluster/shell.ts');
    const cert = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\nAbCd+/==\n-----END CERTIFICATE-----';
    const key = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----';
    const out = certificateBlocks(`${key}\r\n${cert}\n`.replace(/\n/g, '\r\n'));
    expect(out).toBe(`${cert}\n`);
    expect(out).not.toContain('PRIVATE KEY');
    expect(runtimeAssignment('siteCaCert', 'LABCTL_SITE_CA_CERT', out)).toBe(`LABCTL_SITE_CA_CERT='${cert}\n'\n`);
    expect(certificateBlocks(key)).toBe('');
  });
});
