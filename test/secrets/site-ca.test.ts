// The site CA of internal-ca sites: `secrets generate` creates key and certificate together (a real CA that
// openssl verifies and whose key signs), never half a pair; `secrets set` refuses non-PEM for the CA entries.
import { afterAll, describe, expect, it } from 'vitest';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labctl } from '../helpers.ts';
import { checkEntryFormat, newSiteCa, siteCaPairs } from '../../installer/secrets/site-ca.ts';
import type { SecretNeed } from '../../installer/render/model.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-site-ca-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const need = (ref: string, key: string, ca?: string): SecretNeed => ({
  ref,
  namespace: 'cert-manager',
  name: 'site-ca',
  key,
  generate: { kind: 'external' },
  purpose: 'x',
  ...(ca ? { caCommonName: ca } : {}),
});
const NEEDS = [
  need('tls/internal-ca-crt', 'tls.crt', 'cs-lab CA'),
  need('tls/internal-ca-key', 'tls.key', 'cs-lab CA'),
  { ...need('tls/internal-ca-crt', 'ca.crt'), namespace: 'harbor' },
];

describe('site CA', () => {
  const now = new Date('2026-11-30T10:00:00Z');
  const ca = newSiteCa('cs-lab CA', now);

  it('is a self-signed CA certificate for the common name, valid 10 years, that openssl verifies', () => {
    const x = new X509Certificate(ca.crt);
    expect(x.ca).toBe(true);
    expect(x.subject).toBe('CN=cs-lab CA');
    expect(x.issuer).toBe('CN=cs-lab CA');
    expect(new Date(x.validTo).getUTCFullYear()).toBe(2036);
    expect(x.checkPrivateKey(createPrivateKey(ca.key))).toBe(true);
    expect(x.verify(createPublicKey(ca.crt))).toBe(true);
    writeFileSync(join(tmp, 'ca.crt'), ca.crt);
    expect(
      execFileSync('openssl', ['verify', '-CAfile', join(tmp, 'ca.crt'), join(tmp, 'ca.crt')], { encoding: 'utf8' }),
    ).toContain(': OK');
    const text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', join(tmp, 'ca.crt')], { encoding: 'utf8' });
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
  });

  it("signs a leaf that openssl verifies against it (what cert-manager's CA issuer does with the pair)", () => {
    writeFileSync(join(tmp, 'ca.key'), ca.key);
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=sso.lab.example.edu',
        '-keyout',
        join(tmp, 'leaf.key'),
        '-out',
        join(tmp, 'leaf.csr'),
      ],
      { stdio: 'ignore' },
    );
    execFileSync(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        join(tmp, 'leaf.csr'),
        '-CA',
        join(tmp, 'ca.crt'),
        '-CAkey',
        join(tmp, 'ca.key'),
        '-CAcreateserial',
        '-days',
        '1',
        '-out',
        join(tmp, 'leaf.crt'),
      ],
      { stdio: 'ignore' },
    );
    expect(
      execFileSync('openssl', ['verify', '-CAfile', join(tmp, 'ca.crt'), join(tmp, 'leaf.crt')], { encoding: 'utf8' }),
    ).toContain(': OK');
  });

  it('two CAs differ (fresh key and serial each time)', () => {
    const other = newSiteCa('cs-lab CA', now);
    expect(other.key).not.toBe(ca.key);
    expect(new X509Certificate(other.crt).serialNumber).not.toBe(new X509Certificate(ca.crt).serialNumber);
  });

  it("the pair is found from the issuer Secret's needs only", () => {
    expect(siteCaPairs(NEEDS)).toEqual([
      { crtRef: 'tls/internal-ca-crt', keyRef: 'tls/internal-ca-key', commonName: 'cs-lab CA' },
    ]);
    expect(siteCaPairs(NEEDS.slice(2))).toEqual([]);
  });

  it('entries read as tls.crt / ca.crt / tls.key take PEM only; the CA entry only a CA', () => {
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-crt', ca.crt)).not.toThrow();
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-key', ca.key)).not.toThrow();
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-crt', 'hunter2')).toThrow(
      'tls/internal-ca-crt must be a PEM certificate',
    );
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-key', ca.crt)).toThrow(
      'tls/internal-ca-key must be a PEM private key',
    );
    expect(() =>
      checkEntryFormat(NEEDS, 'tls/internal-ca-crt', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'),
    ).toThrow('does not parse');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=leaf',
        '-days',
        '1',
        '-addext',
        'basicConstraints=CA:FALSE',
        '-keyout',
        join(tmp, 'l.key'),
        '-out',
        join(tmp, 'l.crt'),
      ],
      { stdio: 'ignore' },
    );
    const leaf = execFileSync('cat', [join(tmp, 'l.crt')], { encoding: 'utf8' });
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-crt', leaf)).toThrow('is not a CA certificate');
    expect(() => checkEntryFormat(NEEDS, 'other/thing', 'hunter2')).not.toThrow();
  });
});

describe('labctl secrets generate / set on an init site (tls.mode internal-ca)', () => {
  const site = join(tmp, 'site');
  const env = { HOME: join(tmp, 'home') };
  const run = (args: string[], input?: string) => labctl(args, { cwd: site, env, input });

  it('generate creates the CA pair; set refuses a non-PEM CA value and stores nothing', async () => {
    execFileSync('mkdir', ['-p', site, env.HOME]);
    expect((await run(['init', '--yes', '--site', 'cs-lab'])).code).toBe(0);
    expect((await run(['secrets', 'init', '-r', '.'])).code).toBe(0);
    const g = await run(['secrets', 'generate', '-r', '.']);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout).toContain('tls/internal-ca-crt, tls/internal-ca-key');
    expect(g.stdout).not.toMatch(/must supply[\s\S]*tls\/internal-ca/);
    const bad = await run(
      ['secrets', 'set', 'tls/internal-ca-crt', '-r', '.', '--replace', 'tls/internal-ca-crt'],
      'not a certificate\n',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'tls/internal-ca-crt must be a PEM certificate (-----BEGIN CERTIFICATE-----); the value given is not one; nothing was stored',
    );
    const list = await run(['secrets', 'list', '-r', '.', '--output', 'json']);
    expect(list.stdout).toContain('tls/internal-ca-key');
    const again = await run(['secrets', 'generate', '-r', '.']);
    expect(again.stdout).toMatch(/^0 generated/);
  });
});
