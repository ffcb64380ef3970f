// The etcd snapshot script (/usr/local/sbin/labctl-etcd-snapshot), run by real bash with:
//  - a REAL etcd (Debian's etcd-server 3.4) started here on loopback with TLS and client-certificate auth,
//    for at most 10 minutes;
//  - a crictl STAND-IN (no container runtime here): `ps` names one "etcd container" and `exec <id> etcdctl
//    ...` runs the host's real etcdctl with the script's own arguments (endpoint, CA, client certificate);
//  - the REAL restic (Debian's package);
//  - an S3 server that is gofakes3 (github.com/johannesboyne/gofakes3, an S3 implementation in Go, built by
//    .ci/gofakes3.sh), NOT AWS S3 or Ceph RGW, storing the bucket in one bolt file (values as they are). It
//    does not verify signatures; its wrapper refuses a wrong access key id only.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, ROOT } from '../helpers.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { snapshotScript } from '../../installer/cluster/etcd-snapshot.ts';
import { ETCD_SNAPSHOT_SIZE_METRIC, ETCD_SNAPSHOT_SUCCESS_METRIC } from '../../installer/render/platform/backup.ts';

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const p = execFile(
      cmd,
      args,
      { encoding: 'utf8', timeout: 180_000, maxBuffer: 64 << 20, env: { ...process.env, ...env } },
      (err, stdout, stderr) =>
        done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
    if (input !== undefined) p.stdin!.end(input);
  });

const freePort = () =>
  new Promise<number>((done, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

const BUCKET = 'labcloud-backups';
const ACCESS_KEY = 'AKLABCTLTEST';
const PASSWORD = 'correct-horse-battery-staple-0123456789';
const CANARY = `plaintext-canary-${process.pid}-${Date.now()}`;

let dir: string;
let etcd: ChildProcess | undefined;
let s3: ChildProcess | undefined;
let s3Port: number;
let etcdUrl: string;
let script: string;
const pki = () => join(dir, 'pki');
const bucketFile = () => join(dir, 's3', 'bucket.bolt');
const prom = () => join(dir, 'textfiles', 'etcd-snapshot.prom');
const repo = (port = s3Port) => `s3:http://127.0.0.1:${port}/${BUCKET}/etcd/cs-lab`;

function envFile(name: string, o: { password?: string; accessKey?: string; port?: number } = {}): string {
  const file = join(dir, name);
  const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  writeFileSync(
    file,
    [
      `RESTIC_REPOSITORY=${q(repo(o.port))}`,
      `RESTIC_PASSWORD=${q(o.password ?? PASSWORD)}`,
      `AWS_ACCESS_KEY_ID=${q(o.accessKey ?? ACCESS_KEY)}`,
      `AWS_SECRET_ACCESS_KEY=${q('secret-not-checked-by-gofakes3')}`,
      `AWS_DEFAULT_REGION=${q('us-east-1')}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return file;
}

const scriptEnv = (env: string) => ({
  LABCTL_ETCD_BACKUP_ENV: env,
  LABCTL_TEXTFILE_DIR: join(dir, 'textfiles'),
  LABCTL_SNAPSHOT_DIR: join(dir, 'work'),
  LABCTL_ETCD_PKI: pki(),
  LABCTL_ETCD_ENDPOINT: etcdUrl,
  LABCTL_CRICTL: join(dir, 'bin', 'crictl'),
  LABCTL_LOCK_SLEEP: '1',
});
const snapshot = (env = join(dir, 'good.env'), extra: NodeJS.ProcessEnv = {}) =>
  run('bash', [script], { ...scriptEnv(env), ...extra });

/** The script's restic (LABCTL_RESTIC): the real one, its S3 client retrying once instead of 10 times. */
function fewRetries(): NodeJS.ProcessEnv {
  const file = join(dir, 'bin', 'restic-few-retries');
  writeFileSync(file, '#!/bin/sh\nexec restic -o s3.retries=1 "$@"\n', { mode: 0o755 });
  return { LABCTL_RESTIC: file };
}

/** restic's own view of the repository, with the right password. */
async function snapshots(): Promise<{ hostname: string; tags: string[]; time: string }[]> {
  const r = await run('restic', ['snapshots', '--json'], {
    RESTIC_REPOSITORY: repo(),
    RESTIC_PASSWORD: PASSWORD,
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: 'x',
  });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

async function openssl(args: string): Promise<void> {
  const r = await run('bash', ['-c', `cd ${pki()} && ${args}`]);
  expect(r.code, r.stderr).toBe(0);
}

async function waitFor(what: string, ok: () => Promise<boolean>, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up within ${tries * 0.2} s`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labctl-etcdsnap-'));
  for (const d of ['pki', 'bin', 'textfiles', 'work', 's3']) mkdirSync(join(dir, d));
  // TLS as kubeadm sets it up: a CA, the server certificate for 127.0.0.1, the healthcheck client certificate.
  const ec = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  await openssl(`openssl req -x509 ${ec} -keyout ca.key -out ca.crt -subj /CN=etcd-ca -days 1 2>/dev/null`);
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth'],
    ['healthcheck-client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    await openssl(
      `openssl req ${ec} -keyout ${name}.key -out ${name}.csr -subj /CN=${name} 2>/dev/null && printf '${ext}\\n' > ${name}.ext && openssl x509 -req -in ${name}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out ${name}.crt -days 1 -extfile ${name}.ext 2>/dev/null`,
    );
  }
  const [client, peer] = [await freePort(), await freePort()];
  etcdUrl = `https://127.0.0.1:${client}`;
  // Bounded: `timeout` ends etcd after 10 minutes even if afterAll never runs.
  etcd = spawn(
    'timeout',
    [
      '600',
      'etcd',
      '--name=t',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=t=http://127.0.0.1:${peer}`,
      `--cert-file=${pki()}/server.crt`,
      `--key-file=${pki()}/server.key`,
      `--trusted-ca-file=${pki()}/ca.crt`,
      '--client-cert-auth',
      '--log-level=error',
    ],
    { stdio: 'ignore' },
  );
  const etcdctl = (...a: string[]) =>
    run('etcdctl', [
      `--endpoints=${etcdUrl}`,
      `--cacert=${pki()}/ca.crt`,
      `--cert=${pki()}/healthcheck-client.crt`,
      `--key=${pki()}/healthcheck-client.key`,
      ...a,
    ]);
  await waitFor('etcd', async () => (await etcdctl('endpoint', 'health')).code === 0);
  // A value as Kubernetes stores a Secret (etcd holds them unencrypted unless an EncryptionConfiguration is set).
  expect((await etcdctl('put', '/registry/secrets/default/canary', CANARY)).code).toBe(0);

  const built = await run('bash', [join(ROOT, '.ci/gofakes3.sh')]);
  expect(built.code, built.stderr).toBe(0);
  s3 = spawn(
    'timeout',
    ['600', built.stdout.trim(), '-db', bucketFile(), '-bucket', BUCKET, '-access-key', ACCESS_KEY],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  s3Port = await new Promise<number>((done, fail) => {
    let out = '';
    s3!.stdout!.on('data', (c) => {
      out += String(c);
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) done(Number(m[1]));
    });
    s3!.on('exit', (code) => fail(new Error(`gofakes3 exited ${code}`)));
  });

  // The crictl STAND-IN: one running "etcd container"; exec runs the command on this host.
  writeFileSync(
    join(dir, 'bin', 'crictl'),
    '#!/bin/bash\n# STAND-IN for crictl (no container runtime in the test): exec runs the real etcdctl on this host.\ncase "$1" in\n  ps) [ -e "${STANDIN_NO_ETCD:-/nonexistent}" ] || echo standin-etcd ;;\n  exec) shift 2; exec "$@" ;;\n  *) echo "stand-in crictl: unexpected $*" >&2; exit 2 ;;\nesac\n',
  );
  chmodSync(join(dir, 'bin', 'crictl'), 0o755);

  const r = requireSite(EXAMPLE);
  if ('errors' in r) throw new Error(JSON.stringify(r.errors));
  const site: Site = structuredClone(r.site);
  // A policy the test can reach in a few runs: all runs fall on one day, so last 2 ∪ daily 1 = the newest 2.
  site.backup!.etcd.keep = { last: 2, daily: 1, weekly: 1 };
  script = join(dir, 'labctl-etcd-snapshot');
  writeFileSync(script, snapshotScript(site, site.nodes.find((n) => n.name === 'cp1')!), { mode: 0o755 });
  envFile('good.env');
}, 240_000);

afterAll(() => {
  etcd?.kill('SIGTERM');
  s3?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('labctl-etcd-snapshot: real etcd 3.4 and real restic, to gofakes3 (an S3 implementation, not AWS/Ceph), crictl a stand-in', () => {
  it('passes shellcheck', async () => {
    const r = await run('shellcheck', ['-s', 'bash', '-S', 'style', script]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('first run: creates the repository, stores one snapshot tagged etcd with the node as host, writes both metrics', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await snapshot();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('creating it');
    const list = await snapshots();
    expect(list).toHaveLength(1);
    expect(list[0]!.hostname).toBe('cp1');
    expect(list[0]!.tags).toEqual(['etcd']);
    const text = readFileSync(prom(), 'utf8');
    const ts = Number(new RegExp(`^${ETCD_SNAPSHOT_SUCCESS_METRIC} (\\d+)$`, 'm').exec(text)![1]);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const size = Number(new RegExp(`^${ETCD_SNAPSHOT_SIZE_METRIC} (\\d+)$`, 'm').exec(text)![1]);
    expect(size).toBeGreaterThan(4096);
    expect((await run('promtool', ['check', 'metrics'], {}, text)).code).toBe(0);
    expect(statSync(prom()).mode & 0o777).toBe(0o644);
    // No snapshot file is left behind in etcd's data folder.
    expect(readdirSync(join(dir, 'work'))).toEqual([]);
  }, 120_000);

  it('what lands in the bucket is encrypted: no object holds the etcd value, while the restored snapshot does', async () => {
    const bytes = readFileSync(bucketFile());
    // The object keys are there as written (so the file does hold what restic uploaded)...
    expect(bytes.includes('etcd/cs-lab/data/')).toBe(true);
    expect(bytes.includes('etcd/cs-lab/snapshots/')).toBe(true);
    // ...and no byte sequence of the value written to etcd.
    expect(bytes.includes(CANARY)).toBe(false);
    // The same bytes decrypted by restic: a real etcd snapshot holding the value (so the check above can fail).
    const out = join(dir, 'restored.db');
    const r = await run('bash', ['-c', `restic dump latest etcd-snapshot.db --host cp1 > ${out}`], {
      RESTIC_REPOSITORY: repo(),
      RESTIC_PASSWORD: PASSWORD,
      AWS_ACCESS_KEY_ID: ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: 'x',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out).includes(CANARY)).toBe(true);
    const status = await run('etcdctl', ['snapshot', 'status', out, '-w', 'json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).totalKey).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('retention: after 3 more runs restic forget --prune leaves the policy (last 2, daily 1) = 2 snapshots', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await snapshot();
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    const list = await snapshots();
    expect(list).toHaveLength(2);
    expect(list.every((s) => s.hostname === 'cp1')).toBe(true);
  }, 240_000);

  it('the by-hand commands of docs/day-two.md, run as written (the env file and /root here): list and dump', async () => {
    const doc = readFileSync(join(ROOT, 'docs/day-two.md'), 'utf8');
    const block = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('restic dump'));
    expect(block).toBeDefined();
    const text = block!
      .replaceAll('/etc/labctl/etcd-backup.env', join(dir, 'good.env'))
      .replaceAll('/root/', `${dir}/`);
    const r = await run('bash', ['-euo', 'pipefail', '-c', text]);
    expect(r.code, r.stderr).toBe(0);
    // Both snapshots of cp1 listed with their host and tag, then the latest one alone.
    expect(r.stdout.match(/ cp1 +etcd/g)?.length).toBe(3);
    expect(r.stdout).toContain('2 snapshots');
    expect(r.stdout).toContain('1 snapshots');
    expect(readFileSync(join(dir, 'etcd-snapshot.db')).includes(CANARY)).toBe(true);
  }, 60_000);

  it.each([
    ['a wrong repository password', () => envFile('bad-password.env', { password: 'not-the-password-0123456789' })],
    // restic (its S3 client) retries a refused connection for ~12 s; through LABCTL_RESTIC the script runs the
    // same real restic with `-o s3.retries=1` (0 means the default): it fails the same way in half a second.
    ['an unreachable S3 endpoint (closed port)', () => envFile('unreachable.env', { port: 1 }), fewRetries],
    ['an access key the S3 server does not know', () => envFile('bad-key.env', { accessKey: 'AKUNKNOWN' })],
  ] as [string, () => string, (() => NodeJS.ProcessEnv)?][])(
    '%s: exits non-zero, keeps the old success time, the repository untouched',
    async (_what, make, extra) => {
      const old = readFileSync(prom(), 'utf8');
      const id = async () =>
        (
          await run('restic', ['cat', 'config'], {
            RESTIC_REPOSITORY: repo(),
            RESTIC_PASSWORD: PASSWORD,
            AWS_ACCESS_KEY_ID: ACCESS_KEY,
            AWS_SECRET_ACCESS_KEY: 'x',
          })
        ).stdout;
      const before = await id();
      expect(before).toContain('"id"');
      await new Promise((r) => setTimeout(r, 1100)); // a rewrite would show a new second
      const r = await snapshot(make(), extra?.());
      expect(r.code).not.toBe(0);
      expect(readFileSync(prom(), 'utf8')).toBe(old);
      expect(await id()).toBe(before);
      expect((await snapshots()).length).toBe(2);
    },
    120_000,
  );

  it('etcd not running on the node: exits non-zero, old metric kept', async () => {
    const old = readFileSync(prom(), 'utf8');
    const r = await snapshot(join(dir, 'good.env'), { STANDIN_NO_ETCD: script });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('etcd does not run on this node');
    expect(readFileSync(prom(), 'utf8')).toBe(old);
  });
});
