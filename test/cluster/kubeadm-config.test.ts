// Every rendered kubeadm document (v1beta4 Init/Cluster/Join) and KubeletConfiguration, for the example and
// every valid test inventory, checked by the REAL kubeadm v1.36.4 (`kubeadm config validate`, strict: an
// unknown or misplaced field fails). kubeadm is built from k8s.io/kubernetes into .tools/bin/kubeadm; the
// test fails, not skips, without it.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXAMPLE, ROOT, fixture } from '../helpers.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import {
  containerdRelease,
  ETCD_METRICS_PORT,
  ETCD_QUOTA_BYTES,
  kubeadmInitConfig,
  kubeadmJoinConfig,
  PLACEHOLDER,
} from '../../installer/cluster/artifacts.ts';
import type { Site } from '../../installer/inventory/types.ts';

const KUBEADM = resolve(ROOT, '.tools/bin/kubeadm');
const INVENTORIES = [EXAMPLE, ...readdirSync(fixture('inventory/valid')).map((f) => fixture('inventory/valid', f))];

function kubeadm(): string {
  if (!existsSync(KUBEADM)) {
    throw new Error(
      `${KUBEADM} is missing: build the real kubeadm v1.36.4 there (the kube helper's Go harness, or a module requiring k8s.io/kubernetes v1.36.4 with its staging modules pinned to v0.36.4, then go build k8s.io/kubernetes/cmd/kubeadm)`,
    );
  }
  return KUBEADM;
}

/** Join configs hold placeholders; the step fills in run-time values of these shapes before validating. */
const filled = (text: string) =>
  text
    .replace(PLACEHOLDER.joinToken, 'abcdef.0123456789abcdef')
    .replace(PLACEHOLDER.caCertHash, `sha256:${'ab'.repeat(32)}`)
    .replace(PLACEHOLDER.certificateKey, 'cd'.repeat(32));

function validate(text: string): { code: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'labctl-kubeadm-'));
  try {
    const f = join(dir, 'config.yaml');
    writeFileSync(f, text);
    const r = spawnSync(kubeadm(), ['config', 'validate', '--config', f], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const load = (file: string): Site => {
  const r = requireSite(file);
  if (!('site' in r)) throw new Error(`${file}: invalid`);
  return r.site;
};

describe('the real kubeadm v1.36.4 accepts every rendered kubeadm and kubelet document', () => {
  it('is kubeadm v1.36.4', () => {
    expect(execFileSync(kubeadm(), ['version', '-o', 'short'], { encoding: 'utf8' }).trim()).toBe('v1.36.4');
  });

  for (const file of INVENTORIES) {
    it(file.replace(/.*\//, ''), () => {
      const site = load(file);
      const cps = site.nodes.filter((n) => n.roles.includes('control-plane'));
      const docs = [
        { what: `init ${cps[0]!.name}`, text: kubeadmInitConfig(site, cps[0]!) },
        ...cps
          .slice(1, 2)
          .map((n) => ({ what: `join control plane ${n.name}`, text: filled(kubeadmJoinConfig(site, n)) })),
        ...site.nodes
          .filter((n) => !n.roles.includes('control-plane'))
          .slice(0, 1)
          .map((n) => ({ what: `join ${n.name}`, text: filled(kubeadmJoinConfig(site, n)) })),
      ];
      for (const d of docs) {
        const r = validate(d.text);
        expect(r.code, `${d.what}: ${r.out}`).toBe(0);
        expect(r.out, d.what).toContain('ok');
      }
    });
  }

  it('can fail: a mistyped field anywhere (ClusterConfiguration, KubeletConfiguration, JoinConfiguration) is refused', () => {
    const site = load(EXAMPLE);
    const cp = site.nodes.find((n) => n.roles.includes('control-plane'))!;
    const init = kubeadmInitConfig(site, cp);
    const cases = [
      { what: 'networking.podSubnet', text: init.replace('podSubnet:', 'podSubnett:'), field: 'podSubnett' },
      {
        what: 'KubeletConfiguration cgroupDriver',
        text: init.replace('cgroupDriver:', 'cgroupDriverr:'),
        field: 'cgroupDriverr',
      },
      {
        what: 'nesting: controlPlaneEndpoint under networking',
        text: init
          .replace(/^controlPlaneEndpoint: (.*)$/m, '')
          .replace('networking:\n', 'networking:\n  controlPlaneEndpoint: x:6443\n'),
        field: 'controlPlaneEndpoint',
      },
      {
        what: 'JoinConfiguration discovery',
        text: filled(kubeadmJoinConfig(site, site.nodes.find((n) => n.name === 'vmh1')!)).replace(
          'caCertHashes:',
          'caCertHash:',
        ),
        field: 'caCertHash',
      },
    ];
    for (const c of cases) {
      expect(c.text, c.what).not.toBe(init);
      const r = validate(c.text);
      expect(r.code, `${c.what}: ${r.out}`).not.toBe(0);
      expect(r.out, c.what).toContain(c.field);
    }
  });

  it('etcd: the static pod kubeadm writes serves metrics on every address and has the 4 GiB quota (kubeadm init phase etcd local --dry-run)', () => {
    const site = load(EXAMPLE);
    const cp = site.nodes.find((n) => n.roles.includes('control-plane'))!;
    const dir = mkdtempSync(join(tmpdir(), 'labctl-etcd-'));
    try {
      // certificatesDir and the dry-run directory in the temp dir: nothing is written under /etc/kubernetes.
      const cfg = join(dir, 'init.yaml');
      writeFileSync(
        cfg,
        kubeadmInitConfig(site, cp).replace(/^clusterName:/m, `certificatesDir: ${join(dir, 'pki')}\nclusterName:`),
      );
      const r = spawnSync(kubeadm(), ['init', 'phase', 'etcd', 'local', '--config', cfg, '--dry-run'], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, KUBEADM_INIT_DRYRUN_DIR: join(dir, 'dry') },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`- --listen-metrics-urls=http://0.0.0.0:${ETCD_METRICS_PORT}`);
      expect(r.stdout).toContain(`- --quota-backend-bytes=${ETCD_QUOTA_BYTES}`);
      // kubeadm probes the first metrics URL's host; 0.0.0.0 reaches the local listener.
      expect(r.stdout).toMatch(/httpGet:\n\s+host: 0\.0\.0\.0\n\s+path: \/livez/);
      // Without our flag kubeadm binds metrics to loopback only: what Prometheus could never scrape.
      writeFileSync(join(dir, 'plain.yaml'), readFileSync(cfg, 'utf8').replace(/^etcd:\n(?:  .*\n)+/m, ''));
      const p2 = spawnSync(
        kubeadm(),
        ['init', 'phase', 'etcd', 'local', '--config', join(dir, 'plain.yaml'), '--dry-run'],
        {
          encoding: 'utf8',
          timeout: 60_000,
          env: { ...process.env, KUBEADM_INIT_DRYRUN_DIR: join(dir, 'dry3') },
        },
      );
      expect(p2.status, p2.stderr).toBe(0);
      expect(p2.stdout).toContain('- --listen-metrics-urls=http://127.0.0.1:2381');
      expect(p2.stdout).not.toContain('quota-backend-bytes');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the sandbox image containerd is given is the pause image kubeadm v1.36.4 uses', () => {
    const images = execFileSync(kubeadm(), ['config', 'images', 'list', '--kubernetes-version', 'v1.36.4'], {
      encoding: 'utf8',
    });
    expect(images.split('\n')).toContain(containerdRelease(load(EXAMPLE)).sandboxImage);
  });
});
