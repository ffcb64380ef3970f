// `labctl kubeconfig` on a tls.mode internal-ca site (what `labctl init` writes): Keycloak's certificate
// chains to the site CA, which no kubelogin trusts by default, so the kubeconfig must hand it over
// (--certificate-authority-data) or the student's first login fails on TLS. Read from the secret store with
// the site key, or from --site-ca-file; without either the command stops instead of writing a kubeconfig
// that cannot log in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { labctl } from '../helpers.ts';
import { newSiteCa } from '../../installer/secrets/site-ca.ts';

const cwd = mkdtempSync(join(tmpdir(), 'labctl-kc-ca-'));
const env = { LABCTL_AGE_KEY_FILE: join(cwd, '..', `${cwd.split('/').pop()}.agekey`) };
afterAll(() => rmSync(cwd, { recursive: true, force: true }) ?? rmSync(env.LABCTL_AGE_KEY_FILE, { force: true }));

/** stderr without validate's warnings (an init site has no backup section). */
const errorsOnly = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l && !/^inventory\.yaml:\d+:\d+ warning: /.test(l))
    .join('\n');

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
    expect(errorsOnly(r.stderr)).toBe(''); // the init site's one warning: it has no backup target
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
    expect(errorsOnly(r.stderr)).toBe(''); // the init site's one warning: it has no backup target
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
});
