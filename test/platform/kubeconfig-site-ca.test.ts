// `labctl kubeconfig` on a tls.mode internal-ca site (what `labctl init` writes): Keycloak's certificate
// chains to the site CA, which no kubelogin trusts by default, so the kubeconfig must hand it over
// (--certificate-authority-data) or the student's first login fails on TLS. Read from the secret store with
// the site key, or from --site-ca-file; without either the command stops instead of writing a kubeconfig
// that cannot log in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, labctl } from '../helpers.ts';
import { newSiteCa } from '../../installer/secrets/site-ca.ts';

const cwd = mkdtempSync(join(tmpdir(), 'labctl-kc-ca-'));
const env = { LABCTL_AGE_KEY_FILE: join(cwd, '..', `${cwd.split('/').pop()}.agekey`) };
afterAll(() => rmSync(cwd, { recursive: true, force: true }) ?? rmSync(env.LABCTL_AGE_KEY_FILE, { force: true }));

/** stderr without the warning every `labctl init` site gets (no backup section: campus IT supplies the bucket). */
const otherStderr = (e: string) => e.split('\n').filter((l) => l && !l.includes('warning: no backup section'));

const kubeloginCa = (file: string): string | undefined => {
  const args: string[] = parse(readFileSync(file, 'utf8')).users[0].user.exec.args;
  const a = args.find((x) => x.startsWith('--certificate-authority-data='));
  return a && Buffer.from(a.slice('--certificate-authority-data='.length), 'base64').toString('utf8');
};

describe('labctl kubeconfig on an internal-ca site', () => {
  beforeAll(async () => {
    const run = (args: string[]) => labctl(args, { cwd, env });
    expect(
      (
        await run([
          'init',
          '--yes',
          ...['node1', 'node2', 'node3'].flatMap((n) => ['--disk', `${n}=/dev/disk/by-id/nvme-${n}`]),
        ])
      ).code,
    ).toBe(0);
    expect(readFileSync(join(cwd, 'inventory.yaml'), 'utf8')).toMatch(/mode: internal-ca/);
    expect((await run(['secrets', 'init', '-r', '.'])).code).toBe(0);
    expect((await run(['secrets', 'generate', '-r', '.'])).code).toBe(0);
  });

  it('hands kubelogin the site CA from the secret store', async () => {
    const r = await labctl(['kubeconfig', '--user', 'jdoe', '-o', 'kc.yaml'], { cwd, env });
    expect(otherStderr(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    const ca = kubeloginCa(join(cwd, 'kc.yaml'));
    expect(ca).toBeDefined();
    const x = new X509Certificate(ca!);
    expect(x.ca).toBe(true);
    expect(x.subject).toMatch(/CN=.* CA/);
    expect(ca).not.toMatch(/PRIVATE/); // the certificate blocks only, never the key beside it
  });

  it('takes --site-ca-file instead (a staff member without the site key)', async () => {
    const other = newSiteCa('handed-out CA');
    writeFileSync(join(cwd, 'site-ca.crt'), other.crt);
    const r = await labctl(
      ['kubeconfig', '--user', 'jdoe', '-o', 'kc2.yaml', '--site-ca-file', 'site-ca.crt', '-k', '/nonexistent'],
      { cwd, env },
    );
    expect(otherStderr(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    expect(new X509Certificate(kubeloginCa(join(cwd, 'kc2.yaml'))!).subject).toBe('CN=handed-out CA');
  });

  it('stops, naming the way out, when neither the key nor --site-ca-file is there (and writes nothing)', async () => {
    const r = await labctl(['kubeconfig', '--user', 'jdoe', '-o', 'kc3.yaml', '-k', join(cwd, 'no-such.agekey')], {
      cwd,
      env,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('tls.mode internal-ca');
    expect(r.stderr).toContain('--site-ca-file');
    expect(existsSync(join(cwd, 'kc3.yaml'))).toBe(false);
    const bad = await labctl(['kubeconfig', '--user', 'jdoe', '-o', 'kc3.yaml', '--site-ca-file', 'inventory.yaml'], {
      cwd,
      env,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not a PEM certificate');
  });

  it('-o FILE that exists: refused with its own hint, and that hint (--replace-file) replaces it', async () => {
    // -o of kubeconfig names a file: it was checked as render's -o folder, so an existing -o FILE said
    // "-o names the folder to write the site repository into" (exit 2), even with --replace-file.
    const args = ['kubeconfig', '--user', 'jdoe', '-o', 'kc4.yaml'];
    expect((await labctl(args, { cwd, env })).code).toBe(0);
    const again = await labctl([...args, '--namespace', 'course-netsec-firewalls'], { cwd, env });
    expect(again.code).toBe(1);
    expect(otherStderr(again.stderr)).toEqual([
      'labctl: kc4.yaml exists; pass --replace-file to replace it (or choose another --out)',
    ]);
    const replaced = await labctl([...args, '--namespace', 'course-netsec-firewalls', '--replace-file'], { cwd, env });
    expect(otherStderr(replaced.stderr)).toEqual([]);
    expect(replaced.code).toBe(0);
    expect(parse(readFileSync(join(cwd, 'kc4.yaml'), 'utf8')).contexts[0].context.namespace).toBe(
      'course-netsec-firewalls',
    );
  });
});

/** The certificate-authority-data of the written kubeconfig's cluster, decoded. */
const clusterCa = (file: string): string | undefined => {
  const d = parse(readFileSync(file, 'utf8')).clusters[0].cluster['certificate-authority-data'];
  return d && Buffer.from(d, 'base64').toString('utf8');
};

describe('labctl kubeconfig: the cluster CA (the API server certificate kubectl must trust)', () => {
  const state = join(cwd, 'state');
  const clusterCaPem = newSiteCa('kubernetes').crt.replace(/\r\n/g, '\n'); // what kubeadm's CA looks like to kubectl: a self-signed CA
  beforeAll(() => {
    mkdirSync(state, { recursive: true });
    // The admin kubeconfig as kubeadm writes it (the one labctl up copies to the state directory).
    writeFileSync(
      join(state, 'admin.conf'),
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: kubernetes',
        '  cluster:',
        `    certificate-authority-data: ${Buffer.from(clusterCaPem).toString('base64')}`,
        '    server: https://k8s-api.lab.example.edu:6443',
        'contexts:',
        '- name: kubernetes-admin@kubernetes',
        '  context: {cluster: kubernetes, user: kubernetes-admin}',
        'current-context: kubernetes-admin@kubernetes',
        'users:',
        '- name: kubernetes-admin',
        '  user: {client-certificate-data: Y2VydA==, client-key-data: a2V5}',
        '',
      ].join('\n'),
    );
  });

  it('without --ca-file, takes it from <state dir>/admin.conf and says so (and never the admin credentials)', async () => {
    const r = await labctl(['kubeconfig', '--user', 'jdoe', '-o', 'kc-admin.yaml', '--state-dir', state], { cwd, env });
    expect(otherStderr(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`cluster CA taken from ${join(state, 'admin.conf')}, cluster kubernetes`);
    expect(clusterCa(join(cwd, 'kc-admin.yaml'))).toBe(clusterCaPem);
    expect(readFileSync(join(cwd, 'kc-admin.yaml'), 'utf8')).not.toMatch(/client-key-data|client-certificate-data/);
    // The same through LABCTL_STATE_DIR, as up, status and secrets apply find it.
    const e = await labctl(['kubeconfig', '--user', 'jdoe', '-o', 'kc-env.yaml'], {
      cwd,
      env: { ...env, LABCTL_STATE_DIR: state },
    });
    expect(e.code, e.stderr).toBe(0);
    expect(clusterCa(join(cwd, 'kc-env.yaml'))).toBe(clusterCaPem);
  });

  it('without --ca-file or admin.conf, writes none and says where a teacher gets it', async () => {
    const empty = join(cwd, 'empty-state');
    mkdirSync(empty, { recursive: true });
    const r = await labctl(['kubeconfig', '--user', 'jdoe', '-o', 'kc-none.yaml', '--state-dir', empty], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    expect(clusterCa(join(cwd, 'kc-none.yaml'))).toBeUndefined();
    for (const s of [join(empty, 'admin.conf'), 'kubectl config view --raw', '/etc/kubernetes/pki/ca.crt', '--ca-file'])
      expect(r.stdout).toContain(s);
    // The flags it names, added to the same command as written: the kubeconfig just written is replaced
    // (it said "then pass --ca-file ca.crt", which was refused: kc-none.yaml exists).
    const flags = /then run this command again with (--ca-file ca\.crt --replace-file) /.exec(r.stdout)?.[1];
    expect(flags, r.stdout).toBeDefined();
    const handed = newSiteCa('cluster CA from the admin').crt.replace(/\r\n/g, '\n');
    writeFileSync(join(cwd, 'ca.crt'), handed);
    const again = await labctl(
      ['kubeconfig', '--user', 'jdoe', '-o', 'kc-none.yaml', '--state-dir', empty, ...flags!.split(' ')],
      { cwd, env },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(clusterCa(join(cwd, 'kc-none.yaml'))).toBe(handed);
  });

  it("docs/kubeconfig.md's command, run as written (with ca.crt here): --ca-file wins over admin.conf", async () => {
    const doc = readFileSync(join(ROOT, 'docs/kubeconfig.md'), 'utf8');
    const cmd = doc.match(/^\s*(labctl kubeconfig .*)$/m)![1]!.split(/\s+/);
    const handed = newSiteCa('handed-out cluster CA').crt.replace(/\r\n/g, '\n');
    writeFileSync(join(cwd, 'ca.crt'), handed);
    const r = await labctl(cmd.slice(1), { cwd, env: { ...env, LABCTL_STATE_DIR: state } });
    expect(r.code, r.stderr).toBe(0);
    const out = cmd[cmd.indexOf('-o') + 1]!;
    expect(clusterCa(join(cwd, out))).toBe(handed);
    expect(r.stdout).not.toContain('cluster CA taken from');
  });
});
