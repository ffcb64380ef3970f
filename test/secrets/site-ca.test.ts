// The site CA of internal-ca sites: `secrets generate` creates key and certificate together (a real CA that
// openssl verifies and whose key signs), never half a pair; `secrets set` refuses non-PEM for the CA entries.
import { afterAll, describe, expect, it } from 'vitest';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SecretStore, readIdentity } from '../../installer/secrets/store.ts';
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

// A second CA (its own RSA-3072 key: ~0.4 CPU-s to make), read only, for every test that needs "a CA that is
// not the one in use": made once for the file.
let otherCa: ReturnType<typeof newSiteCa> | undefined;
const otherSiteCa = () => (otherCa ??= newSiteCa('cs-lab CA', new Date('2026-11-30T10:00:00Z')));

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

  it("signs only for the site's names: a leaf for another name or an IP address fails openssl verify", () => {
    const nc = newSiteCa('cs-lab CA', now, { permittedDns: ['lab.example.edu', 'sso.campus.edu'] });
    const dir = mkdtempSync(join(tmp, 'nc-'));
    writeFileSync(join(dir, 'ca.crt'), nc.crt);
    writeFileSync(join(dir, 'ca.key'), nc.key);
    const text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', join(dir, 'ca.crt')], { encoding: 'utf8' });
    expect(text).toMatch(
      /Name Constraints: critical\s+Permitted:\s+DNS:lab\.example\.edu\s+DNS:sso\.campus\.edu\s+Excluded:\s+IP:0\.0\.0\.0\/0\.0\.0\.0\s+IP:0:0:0:0:0:0:0:0\/0:0:0:0:0:0:0:0/,
    );
    const verify = (name: string, san: string) => {
      const base = join(dir, name.replace(/[^a-z0-9]/g, '_'));
      execFileSync(
        'openssl',
        [
          'req',
          '-new',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-subj',
          `/CN=${name}`,
          '-keyout',
          `${base}.key`,
          '-out',
          `${base}.csr`,
        ],
        { stdio: 'ignore' },
      );
      writeFileSync(`${base}.ext`, `subjectAltName=${san}\n`);
      execFileSync(
        'openssl',
        [
          'x509',
          '-req',
          '-in',
          `${base}.csr`,
          '-CA',
          join(dir, 'ca.crt'),
          '-CAkey',
          join(dir, 'ca.key'),
          '-CAcreateserial',
          '-days',
          '1',
          '-extfile',
          `${base}.ext`,
          '-out',
          `${base}.crt`,
        ],
        { stdio: 'ignore' },
      );
      const r = spawnSync('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), `${base}.crt`], { encoding: 'utf8' });
      return `${r.stdout}${r.stderr}`;
    };
    expect(verify('harbor.lab.example.edu', 'DNS:harbor.lab.example.edu')).toContain(': OK');
    expect(verify('sso.campus.edu', 'DNS:sso.campus.edu')).toContain(': OK');
    expect(verify('www.bank.example', 'DNS:www.bank.example')).toMatch(/permitted subtree violation/);
    expect(verify('lab.example.edu.evil.example', 'DNS:lab.example.edu.evil.example')).toMatch(
      /permitted subtree violation/,
    );
    expect(verify('ip', 'DNS:harbor.lab.example.edu,IP:10.0.0.1')).toMatch(/excluded subtree violation/);
    // Without the option (the CA of a site rendered before this): no constraint, as before. `ca` is made
    // without it.
    writeFileSync(join(dir, 'plain.crt'), ca.crt);
    expect(
      execFileSync('openssl', ['x509', '-noout', '-text', '-in', join(dir, 'plain.crt')], { encoding: 'utf8' }),
    ).not.toMatch(/Name Constraints/);
  });

  it("render's needs carry the site's names to a new CA (site domain and published hosts outside it)", () => {
    const needs: SecretNeed[] = [
      { ...NEEDS[0]!, caPermittedDns: ['lab.example.edu'] },
      { ...NEEDS[1]!, caPermittedDns: ['lab.example.edu'] },
    ];
    expect(siteCaPairs(needs)[0]!.permittedDns).toEqual(['lab.example.edu']);
  });

  it('two CAs differ (fresh key and serial each time)', () => {
    const other = otherSiteCa();
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

  const ossl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const read = (f: string) => execFileSync('cat', [join(tmp, f)], { encoding: 'utf8' });
  /** A self-signed CA made by openssl with the given -newkey / key options: { crt, key } PEM. */
  const opensslCa = (name: string, newkey: string[]) => {
    ossl([
      'req',
      '-x509',
      ...newkey,
      '-nodes',
      '-keyout',
      join(tmp, `${name}.key`),
      '-out',
      join(tmp, `${name}.crt`),
      '-days',
      '1',
      '-subj',
      '/CN=w',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ]);
    return { crt: read(`${name}.crt`), key: read(`${name}.key`) };
  };

  it("the CA certificate entry refuses a bundle with the private key (the trial's rsa:1024 repro), naming the entry, never echoing it", () => {
    const weak = opensslCa('w1024', ['-newkey', 'rsa:1024']);
    for (const entry of ['tls/internal-ca-crt']) {
      let msg = '';
      try {
        checkEntryFormat(NEEDS, entry, weak.crt + weak.key);
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).toContain('tls/internal-ca-crt holds a private key besides the certificate');
      const body = weak.key.split('\n')[1]!;
      expect(msg).not.toContain(body.slice(0, 16));
    }
    // The key after the certificate, or before it, or our own strong pair bundled: all refused.
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-crt', ca.key + ca.crt)).toThrow('holds a private key');
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-crt', ca.crt + ca.key)).toThrow('holds a private key');
    // Alone, the 1024-bit CA certificate is refused for its key size.
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-crt', weak.crt)).toThrow(
      'tls/internal-ca-crt: the CA certificate has an RSA key of 1024 bits',
    );
    // A two-certificate chain (only certificates) is fine.
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-crt', ca.crt + otherSiteCa().crt)).not.toThrow();
  });

  it('junk text around the PEM blocks is refused, by line, for certificate and key', () => {
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-crt', `note: ours\n${ca.crt}`)).toThrow(
      'tls/internal-ca-crt must hold only PEM certificate blocks; line 1 of the value given is other text',
    );
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-crt', `${ca.crt}\ntrailer\n`)).toThrow(
      /only PEM certificate blocks; line \d+/,
    );
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-key', `${ca.key}junk`)).toThrow(
      'tls/internal-ca-key must hold only the PEM private key block',
    );
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-crt', ca.crt.replace(/\r?\n/g, '\r\n'))).not.toThrow(); // CRLF is not junk
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-crt', `\n${ca.crt}\n\n`)).not.toThrow();
  });

  it('the key entry takes exactly one private key, RSA >= 2048 or EC P-256 or stronger', () => {
    const r1024 = opensslCa('k1024', ['-newkey', 'rsa:1024']);
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-key', r1024.key)).toThrow(
      'tls/internal-ca-key holds an RSA key of 1024 bits (at least 2048 are needed)',
    );
    const r2048 = opensslCa('k2048', ['-newkey', 'rsa:2048']);
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-key', r2048.key)).not.toThrow();
    const p256 = opensslCa('p256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-key', p256.key)).not.toThrow();
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-crt', p256.crt)).not.toThrow();
    const k1 = opensslCa('k1', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp256k1']);
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-key', k1.key)).toThrow(
      'tls/internal-ca-key holds an EC key on curve secp256k1',
    );
    ossl(['genpkey', '-algorithm', 'ed25519', '-out', join(tmp, 'ed.key')]);
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-key', read('ed.key'))).toThrow('holds a ed25519 key');
    // PKCS#1 (BEGIN RSA PRIVATE KEY) is a private key too.
    ossl(['pkey', '-in', join(tmp, 'k2048.key'), '-traditional', '-out', join(tmp, 'k2048.pkcs1')]);
    expect(read('k2048.pkcs1')).toContain('BEGIN RSA PRIVATE KEY');
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-key', read('k2048.pkcs1'))).not.toThrow();
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-key', ca.key + r2048.key)).toThrow(
      'must hold exactly one PEM private key; the value given holds 2',
    );
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-key', ca.crt + ca.key)).toThrow(
      'must hold only the PEM private key block',
    );
  });

  it('the key must match the stored CA certificate when one is given', () => {
    const other = otherSiteCa();
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-key', ca.key, { caCertificate: ca.crt })).not.toThrow();
    expect(() => checkEntryFormat(NEEDS, 'tls/internal-ca-key', other.key, { caCertificate: ca.crt })).toThrow(
      'tls/internal-ca-key does not match the stored CA certificate (their public keys differ)',
    );
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
    // The new CA may sign only for the site's domain (the name constraint render asks for).
    const crt = await new SecretStore(site).get(
      'tls/internal-ca-crt',
      readIdentity(join(env.HOME, '.config/labctl/site.agekey')),
    );
    const domain = (parse(readFileSync(join(site, 'inventory.yaml'), 'utf8')) as { site: { domain: string } }).site
      .domain;
    expect(execFileSync('openssl', ['x509', '-noout', '-text'], { input: crt, encoding: 'utf8' })).toMatch(
      new RegExp(`Name Constraints: critical\\s+Permitted:\\s+DNS:${domain.replace(/\./g, '\\.')}\\s+Excluded:`),
    );
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

  it("set refuses the trial's cert + rsa:1024 key bundle for the CA certificate, and a CA key that does not match the stored certificate", async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:1024',
        '-nodes',
        '-keyout',
        join(tmp, 'r.key'),
        '-out',
        join(tmp, 'r.crt'),
        '-subj',
        '/CN=w',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
      ],
      { stdio: 'ignore' },
    );
    const bundle = execFileSync('cat', [join(tmp, 'r.crt'), join(tmp, 'r.key')], { encoding: 'utf8' });
    const bad = await run(
      ['secrets', 'set', 'tls/internal-ca-crt', '-r', '.', '--replace', 'tls/internal-ca-crt'],
      bundle,
    );
    expect(bad.code, bad.stderr).toBe(1);
    expect(bad.stderr).toContain('tls/internal-ca-crt holds a private key besides the certificate');
    expect(bad.stderr).toContain('nothing was stored');
    expect(bad.stderr + bad.stdout).not.toContain(
      bundle
        .split('\n')
        .find((l) => l.length > 40)!
        .slice(0, 24),
    );
    const stranger = otherSiteCa().key; // not the CA generate stored
    const mism = await run(
      ['secrets', 'set', 'tls/internal-ca-key', '-r', '.', '--replace', 'tls/internal-ca-key'],
      stranger,
    );
    expect(mism.code, mism.stderr).toBe(1);
    expect(mism.stderr).toContain('tls/internal-ca-key does not match the stored CA certificate');
    // Changing the CA by hand: certificate first, then its key.
    const fresh = newSiteCa('cs-lab CA');
    const c = await run(
      ['secrets', 'set', 'tls/internal-ca-crt', '-r', '.', '--replace', 'tls/internal-ca-crt'],
      fresh.crt,
    );
    expect(c.code, c.stderr).toBe(0);
    const k = await run(
      ['secrets', 'set', 'tls/internal-ca-key', '-r', '.', '--replace', 'tls/internal-ca-key'],
      fresh.key,
    );
    expect(k.code, k.stderr).toBe(0);
  });
});
