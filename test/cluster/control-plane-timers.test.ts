// The control-plane timers (issue 21): the kubeadm certificate-expiry textfile script, run by real bash
// against the REAL kubeadm v1.36.4 on certificates that kubeadm itself generates in a temp dir, its output
// read by the real promtool; and the etcd defragmentation script, run by real bash against a crictl/etcdctl
// STAND-IN (no etcd runs here) that answers like `etcdctl endpoint health/status -w json` and records calls.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, ROOT, fixture } from '../helpers.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { buildPlan } from '../../installer/cluster/plan.ts';
import {
  certsScript,
  controlPlaneTimerFiles,
  defragCalendar,
  defragScript,
  CERTS_SCRIPT,
  DEFRAG_SCRIPT,
  DEFRAG_MIN_FREE_MIB,
} from '../../installer/cluster/control-plane-timers.ts';
import { alerts as monitoringAlerts } from '../../installer/render/components/monitoring/alerts.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';

const KUBEADM = resolve(ROOT, '.tools/bin/kubeadm');
const load = (file: string): Site => {
  const r = requireSite(file);
  if ('errors' in r) throw new Error(JSON.stringify(r.errors));
  return r.site;
};

/** Runs a program asynchronously (a blocked worker cannot answer vitest's RPC). */
const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const p = execFile(
      cmd,
      args,
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } },
      (err, stdout, stderr) =>
        done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
    if (input !== undefined) p.stdin!.end(input);
  });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'labctl-cptimers-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('kubeadm certificate expiry as node-exporter textfile metrics', () => {
  let cfg: string;
  let script: string;
  beforeAll(async () => {
    expect(existsSync(KUBEADM), `${KUBEADM} missing (built by .ci/kube-harness.sh)`).toBe(true);
    cfg = join(dir, 'kubeadm.yaml');
    writeFileSync(
      cfg,
      [
        'apiVersion: kubeadm.k8s.io/v1beta4',
        'kind: ClusterConfiguration',
        'kubernetesVersion: v1.36.4',
        `certificatesDir: ${join(dir, 'pki')}`,
        'controlPlaneEndpoint: "k8s-api.lab.example.edu:6443"',
        '---',
        'apiVersion: kubeadm.k8s.io/v1beta4',
        'kind: InitConfiguration',
        'localAPIEndpoint: {advertiseAddress: 198.18.0.11, bindPort: 6443}',
        'nodeRegistration: {name: cp1}',
        '',
      ].join('\n'),
    );
    // Real certificates, made by kubeadm itself (CA, apiserver, etcd, front proxy...) in the temp dir:
    // a dozen RSA keys, so asynchronously (the worker keeps answering vitest meanwhile).
    const certs = await run(KUBEADM, ['init', 'phase', 'certs', 'all', '--config', cfg]);
    if (certs.code !== 0) throw new Error(`kubeadm init phase certs: ${certs.stderr}`);
    script = join(dir, 'labctl-kubeadm-certs');
    writeFileSync(script, certsScript());
    chmodSync(script, 0o755);
  });

  it('passes shellcheck', async () => {
    const r = await run('shellcheck', ['-s', 'bash', '-S', 'style', script]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it("writes one expiry per certificate and CA kubeadm reports, equal to the certificate's notAfter; promtool accepts the file", async () => {
    const out = join(dir, 'textfile-ok');
    const r = await run('bash', [script, '--config', cfg], { LABCTL_TEXTFILE_DIR: out, LABCTL_KUBEADM: KUBEADM });
    expect(r.code, r.stderr).toBe(0);
    const prom = readFileSync(join(out, 'kubeadm-certs.prom'), 'utf8');
    const lint = await run('promtool', ['check', 'metrics'], {}, prom);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    // What kubeadm itself says, as JSON: every present certificate and CA has exactly its line.
    const info = JSON.parse(
      execFileSync(KUBEADM, ['certs', 'check-expiration', '--config', cfg, '-o', 'json'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
    const present = [
      ...info.certificates
        .filter((c: { missing: boolean }) => !c.missing)
        .map((c: { name: string }) => ['cert', c.name]),
      ...info.certificateAuthorities
        .filter((c: { missing: boolean }) => !c.missing)
        .map((c: { name: string }) => ['ca', c.name]),
    ];
    expect(present.length).toBeGreaterThanOrEqual(10); // apiserver, etcd and front-proxy certificates and their three CAs
    const series = [
      ...prom.matchAll(
        /^labctl_kubeadm_certificate_expiration_timestamp_seconds\{certificate="([^"]+)",kind="([^"]+)"\} (\d+)$/gm,
      ),
    ].map((m) => ({ name: m[1]!, kind: m[2]!, ts: Number(m[3]) }));
    expect(series.map((s) => `${s.kind} ${s.name}`).sort()).toEqual(
      present.map(([k, n]: string[]) => `${k} ${n}`).sort(),
    );
    // The apiserver certificate: the timestamp is its notAfter, as openssl reads it.
    const notAfter = execFileSync('openssl', ['x509', '-enddate', '-noout', '-in', join(dir, 'pki/apiserver.crt')], {
      encoding: 'utf8',
    })
      .trim()
      .replace('notAfter=', '');
    expect(series.find((s) => s.kind === 'cert' && s.name === 'apiserver')!.ts).toBe(
      Math.floor(Date.parse(notAfter) / 1000),
    );
    // kubeadm issues them for a year (CAs ten): between 360 and 366 days, and 9 to 10 years for the CAs.
    const now = Date.now() / 1000;
    for (const s of series) {
      const days = (s.ts - now) / 86400;
      if (s.kind === 'cert') expect(days).toBeGreaterThan(360);
      else expect(days).toBeGreaterThan(3600);
    }
    expect(prom).toMatch(/^labctl_kubeadm_certs_check_success 1$/m);
    expect(prom).toMatch(/^labctl_kubeadm_certs_check_timestamp_seconds \d{10}$/m);
  });

  it('a failing kubeadm: success 0, no expiry series, non-zero exit (the unit fails), the file still replaced', async () => {
    const out = join(dir, 'textfile-fail');
    const r = await run('bash', [script, '--config', join(dir, 'no-such.yaml')], {
      LABCTL_TEXTFILE_DIR: out,
      LABCTL_KUBEADM: KUBEADM,
    });
    expect(r.code).not.toBe(0);
    const prom = readFileSync(join(out, 'kubeadm-certs.prom'), 'utf8');
    expect(prom).toMatch(/^labctl_kubeadm_certs_check_success 0$/m);
    expect(prom).not.toMatch(/^labctl_kubeadm_certificate_expiration_timestamp_seconds\{/m);
    expect((await run('promtool', ['check', 'metrics'], {}, prom)).code).toBe(0);
  });

  it('the alerts read exactly the metrics the script writes', () => {
    const text = certsScript();
    const written = new Set([...text.matchAll(/(labctl_kubeadm_[a-z_]+)/g)].map((m) => m[1]!));
    const exprs = monitoringAlerts({ site: load(EXAMPLE), ...readRenderInputs(load(EXAMPLE)) })
      .flatMap((g) => g.alerts)
      .filter((a) => a.name.startsWith('KubeadmCertificate'))
      .map((a) => a.expr)
      .join('\n');
    const read = new Set([...exprs.matchAll(/(labctl_kubeadm_[a-z_]+)/g)].map((m) => m[1]!));
    expect(read.size).toBe(3);
    for (const m of read) expect(written.has(m), m).toBe(true);
  });
});

describe('etcd defragmentation, one member at a time', () => {
  let script: string;
  /** A crictl stand-in: `ps` prints a container id (or none), `exec <id> etcdctl ...` answers from files and logs the call. */
  function standIn(
    name: string,
    o: { running: boolean; healthy: boolean; size: number; inUse: number },
  ): { env: NodeJS.ProcessEnv; log: string } {
    const d = join(dir, name);
    execFileSync('mkdir', ['-p', d]);
    const log = join(d, 'calls.log');
    const status = JSON.stringify([
      {
        Endpoint: 'https://127.0.0.1:2379',
        Status: {
          header: { cluster_id: 1, member_id: 2, revision: 9, raft_term: 3 },
          version: '3.6.8',
          dbSize: o.size,
          dbSizeInUse: o.inUse,
          leader: 2,
        },
      },
    ]);
    writeFileSync(
      join(d, 'crictl'),
      [
        '#!/bin/bash',
        `echo "$*" >> '${log}'`,
        'case "$1" in',
        `  ps) ${o.running ? 'echo 4f1c0ffee' : 'true'} ;;`,
        '  exec) shift 2; [ "$1" = etcdctl ] || exit 9; shift',
        '    for a in "$@"; do case "$a" in',
        `      health) ${o.healthy ? 'echo "https://10.10.0.11:2379 is healthy"; exit 0' : 'echo "https://10.10.0.12:2379 is unhealthy: failed to commit proposal" >&2; exit 1'} ;;`,
        `      status) echo '${status}'; exit 0 ;;`,
        '      defrag) echo "Finished defragmenting etcd member[https://127.0.0.1:2379]"; exit 0 ;;',
        '    esac; done; exit 8 ;;',
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(join(d, 'crictl'), 0o755);
    return { env: { LABCTL_CRICTL: join(d, 'crictl') }, log };
  }
  const calls = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  const MiB = 1024 * 1024;

  beforeAll(() => {
    script = join(dir, 'labctl-etcd-defrag');
    writeFileSync(script, defragScript());
  });

  it('passes shellcheck', async () => {
    const r = await run('shellcheck', ['-s', 'bash', '-S', 'style', script]);
    expect(r.stdout + r.stderr).toBe('');
  });

  it('healthy cluster, much to give back: defragments this member only (the local endpoint, no --cluster)', async () => {
    const s = standIn('frag', { running: true, healthy: true, size: 3000 * MiB, inUse: 1000 * MiB });
    const r = await run('bash', [script], s.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('defragmenting: 2000 MiB to give back (of 3000 MiB)');
    const defrag = calls(s.log).filter((c) => / defrag/.test(c));
    expect(defrag).toHaveLength(1);
    expect(defrag[0]).toContain('--endpoints=https://127.0.0.1:2379');
    expect(defrag[0]).not.toContain('--cluster');
  });

  it(`little to give back (< ${DEFRAG_MIN_FREE_MIB} MiB): leaves the member alone`, async () => {
    const s = standIn('tight', { running: true, healthy: true, size: 1100 * MiB, inUse: 1000 * MiB });
    const r = await run('bash', [script], s.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('skipped: 100 MiB to give back');
    expect(calls(s.log).some((c) => / defrag/.test(c))).toBe(false);
  });

  it('another member unhealthy: no defragmentation (it would cost quorum), and the unit fails', async () => {
    const s = standIn('sick', { running: true, healthy: false, size: 3000 * MiB, inUse: 1000 * MiB });
    const r = await run('bash', [script], s.env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('not every etcd member is healthy');
    expect(calls(s.log).some((c) => / defrag/.test(c))).toBe(false);
  });

  it('no etcd on the node (before kubeadm init): nothing to do, success', async () => {
    const s = standIn('none', { running: false, healthy: true, size: 0, inUse: 0 });
    const r = await run('bash', [script], s.env);
    expect(r.code).toBe(0);
    expect(calls(s.log)).toEqual([expect.stringMatching(/^ps /)]);
  });

  it.each(['inventory.example.yaml', 'airgapped.yaml', 'single-rack.yaml'])(
    '%s: each control plane has its own window, valid for systemd, 30 minutes apart',
    async (f) => {
      const site = load(f === 'inventory.example.yaml' ? EXAMPLE : fixture('inventory/valid', f));
      const cps = site.nodes.filter((n) => n.roles.includes('control-plane'));
      const cals = cps.map((n) => defragCalendar(site, n));
      expect(new Set(cals).size).toBe(cps.length);
      const r = await run('systemd-analyze', ['calendar', ...cals]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const minutes = cals.map((c) => {
        const [h, m] = c.split(' ')[2]!.split(':').map(Number);
        return h! * 60 + m!;
      });
      for (let i = 1; i < minutes.length; i++) expect(minutes[i]! - minutes[i - 1]!).toBe(30);
      expect(() =>
        defragCalendar(
          site,
          site.nodes.find((n) => !n.roles.includes('control-plane')) ?? { ...cps[0]!, name: 'not-a-cp' },
        ),
      ).toThrow(/not a control plane/);
    },
  );
});

describe('the bootstrap installs the timers on control planes only', () => {
  it('step 0035 on every control plane writes both scripts and units and enables both timers; no other node gets it', () => {
    const site = load(EXAMPLE);
    const plan = buildPlan(site);
    for (const node of site.nodes) {
      const step = plan.phases
        .flatMap((p) => p.hosts)
        .filter((h) => h.node === node.name)
        .flatMap((h) => h.steps)
        .find((s) => s.id === '0035-control-plane-timers');
      if (!node.roles.includes('control-plane')) {
        expect(step, node.name).toBeUndefined();
        continue;
      }
      expect(step, node.name).toBeDefined();
      for (const f of controlPlaneTimerFiles(site, node))
        expect(step!.script).toContain(`put_file '${f.path}' ${f.mode}`);
      expect(step!.script).toContain(`systemctl enable --now 'labctl-kubeadm-certs.timer' 'labctl-etcd-defrag.timer'`);
      expect(step!.script).toContain(`ExecStart=${CERTS_SCRIPT}`);
      expect(step!.script).toContain(`ExecStart=${DEFRAG_SCRIPT}`);
      expect(step!.script).toContain(`OnCalendar=${defragCalendar(site, node)}`);
    }
  });
});
