// The secret store, end to end without an API server: generate -> encrypt -> decrypt -> the Kubernetes
// Secrets, which must carry exactly the names and keys the rendered components read. Also: re-rendering
// never changes a stored ciphertext, and nothing is replaced without an explicit, specific flag.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import bcrypt from 'bcryptjs';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { Secret } from 'kubernetes-models/v1/Secret';
import { SecretStore, newSiteKey, writeIdentity, readIdentity } from '../../installer/secrets/store.ts';
import { ensureSecrets } from '../../installer/secrets/ensure.ts';
import { buildSecrets, entriesNeeded } from '../../installer/secrets/objects.ts';
import { awsCredentialsFile, htpasswdLine } from '../../installer/secrets/generate.ts';
import type { SecretNeed } from '../../installer/render/model.ts';
import { HARBOR_SECRETS, harborValues } from '../../installer/render/components/harbor/index.ts';
import { renderContext } from '../../installer/render/render.ts';
import { EXAMPLE } from '../helpers.ts';
import { labctl as labctlAsync } from '../security/render-weakened-copy.ts';
import { rendered } from './sites.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-secrets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Fills every external entry with a test value, as an admin would with `secrets set`. */
async function fillExternal(store: SecretStore, needs: SecretNeed[]) {
  for (const n of needs)
    if (n.generate.kind === 'external' && !store.has(n.ref)) await store.put(n.ref, `site-supplied-${n.ref}`);
}

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(p, readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('round trip: store -> Secrets the components read', () => {
  const repo = join(tmp, 'site');
  let identity = '';
  let needs: SecretNeed[] = [];
  let secrets: ISecret[] = [];
  const values = new Map<string, string>();
  let manifests: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const key = await newSiteKey();
    identity = key.identity;
    const store = new SecretStore(repo, { identity });
    expect(await store.initialize(identity, 'test')).toBe(key.recipient);
    const { result } = await rendered(EXAMPLE);
    needs = result.secrets;
    manifests = [...result.files.entries()]
      .filter(([p]) => p.includes('/manifests/'))
      .flatMap(([, t]) => parseAllDocuments(t).map((d) => d.toJS() as Record<string, unknown>));
    const first = await ensureSecrets(store, needs);
    expect(first.generated.length).toBeGreaterThan(10);
    await fillExternal(store, needs);
    for (const ref of entriesNeeded(needs)) values.set(ref, await store.get(ref, identity));
    secrets = buildSecrets(needs, values);
  });

  it('stores ciphertext only: no stored file contains its plaintext', () => {
    const store = new SecretStore(repo);
    for (const ref of store.list()) {
      const text = readFileSync(store.entryPath(ref), 'utf8');
      expect(text).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
      expect(text.includes(values.get(ref)!)).toBe(false);
    }
  });

  it('generated values are strong and distinct', () => {
    const generated = needs.filter((n) => n.generate.kind === 'password');
    const vals = [...new Set(generated.map((n) => values.get(n.ref)!))];
    expect(vals.length).toBe(new Set(generated.map((n) => n.ref)).size);
    for (const n of generated) expect(values.get(n.ref)!.length).toBe((n.generate as { length?: number }).length ?? 32);
  });

  it('the rendered repository contains none of the decrypted values', async () => {
    const { result } = await rendered(EXAMPLE);
    const all = [...result.files.values()].join('\n');
    for (const [ref, v] of values) expect({ ref, leaked: all.includes(v) }).toEqual({ ref, leaked: false });
  });

  it('every built Secret is a valid Kubernetes Secret carrying its declared key', () => {
    for (const s of secrets) new Secret(s).validate();
    for (const n of needs) {
      const s = secrets.find((x) => x.metadata!.namespace === n.namespace && x.metadata!.name === n.name)!;
      expect(s.type).toBe(n.type ?? 'Opaque');
      const got = Buffer.from(s.data![n.key]!, 'base64').toString();
      if (n.generate.kind === 'htpasswd') {
        const [user, hash] = got.split(':');
        expect(user).toBe(n.generate.user);
        expect(bcrypt.compareSync(values.get(n.generate.from)!, hash!)).toBe(true);
      } else if (n.generate.kind === 'aws-credentials') {
        expect(got).toBe(awsCredentialsFile(values.get(n.generate.accessKey)!, values.get(n.generate.secretKey)!));
      } else {
        expect(got).toBe(values.get(n.ref));
      }
    }
  });

  it('the same entry reaches Keycloak and the client with the same value', () => {
    const get = (ns: string, name: string, key: string) =>
      Buffer.from(
        secrets.find((s) => s.metadata!.namespace === ns && s.metadata!.name === name)!.data![key]!,
        'base64',
      ).toString();
    expect(get('keycloak', 'keycloak-realm-secrets', 'HARBOR_CLIENT_SECRET')).toBe(
      get('harbor', 'harbor-oidc', 'clientSecret'),
    );
    expect(get('keycloak', 'keycloak-realm-secrets', 'ARGOCD_CLIENT_SECRET')).toBe(
      get('argocd', 'argocd-oidc', 'clientSecret'),
    );
    expect(get('keycloak', 'keycloak-bootstrap-admin', 'username')).toBe('labctl-admin');
  });

  it('every secretKeyRef / Secret reference in our manifests resolves to a built Secret and key', () => {
    const has = (ns: string, name: string, key?: string) =>
      secrets.some(
        (s) =>
          s.metadata!.namespace === ns && s.metadata!.name === name && (key === undefined || key in (s.data ?? {})),
      );
    const refs: string[] = [];
    const walk = (v: unknown, ns: string) => {
      if (Array.isArray(v)) {
        v.forEach((x) => walk(x, ns));
        return;
      }
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      const ref = o.secretKeyRef as { name: string; key: string } | undefined;
      if (ref) refs.push(`${ns}/${ref.name}:${ref.key}:${has(ns, ref.name, ref.key)}`);
      for (const k of ['usernameSecret', 'passwordSecret', 'accessKeyRef', 'secretKeyRef']) {
        const r = o[k] as { name: string; key: string } | undefined;
        if (r?.name && r.key) refs.push(`${ns}/${r.name}:${r.key}:${has(ns, r.name, r.key)}`);
      }
      for (const x of Object.values(o)) walk(x, ns);
    };
    for (const m of manifests) {
      const ns = (m.metadata as { namespace?: string }).namespace ?? '';
      if (!['keycloak', 'harbor'].includes(ns)) continue;
      walk(m.spec, ns);
      if (m.kind === 'Cluster') {
        const s = (m.spec as Record<string, any>).bootstrap.initdb.secret.name as string;
        refs.push(`${ns}/${s}:username+password:${has(ns, s, 'username') && has(ns, s, 'password')}`);
        expect(secrets.find((x) => x.metadata!.name === s)!.type).toBe('kubernetes.io/basic-auth');
      }
      if (m.kind === 'Keycloak') {
        const s = (m.spec as Record<string, any>).bootstrapAdmin.user.secret as string;
        refs.push(`${ns}/${s}:username+password:${has(ns, s, 'username') && has(ns, s, 'password')}`);
      }
    }
    expect(refs.length).toBeGreaterThan(15);
    expect(refs.filter((r) => r.endsWith(':false'))).toEqual([]);
  });

  it("Harbor's chart values name exactly the built Secrets and the keys the chart reads", async () => {
    const { result } = await rendered(EXAMPLE);
    const v = parse(result.files.get('components/harbor/values.yaml')!) as Record<string, any>;
    expect(v).toEqual(
      JSON.parse(
        JSON.stringify(
          harborValues(
            (await rendered(EXAMPLE)).site,
            renderContext((await rendered(EXAMPLE)).site, readRenderInputs((await rendered(EXAMPLE)).site)).ingress,
          ),
        ),
      ),
    );
    const keysOf = (name: string) =>
      Object.keys(
        secrets.find((s) => s.metadata!.namespace === 'harbor' && s.metadata!.name === name)?.data ?? {},
      ).sort();
    // Key names as the chart v1.19.1 templates read them (core-dpl, registry-dpl, jobservice-dpl).
    expect(keysOf(v.existingSecretAdminPassword)).toContain(v.existingSecretAdminPasswordKey);
    expect(keysOf(v.existingSecretSecretKey)).toEqual(['secretKey']);
    expect(keysOf(v.core.existingSecret)).toEqual(['secret']);
    expect(keysOf(v.core.existingXsrfSecret)).toEqual([v.core.existingXsrfSecretKey]);
    expect(keysOf(v.jobservice.existingSecret)).toEqual([v.jobservice.existingSecretKey]);
    expect(keysOf(v.registry.existingSecret)).toEqual([v.registry.existingSecretKey]);
    expect(keysOf(v.registry.credentials.existingSecret)).toEqual(['REGISTRY_HTPASSWD', 'REGISTRY_PASSWD']);
    expect(keysOf(v.persistence.imageChartStorage.s3.existingSecret)).toEqual([
      'REGISTRY_STORAGE_S3_ACCESSKEY',
      'REGISTRY_STORAGE_S3_SECRETKEY',
    ]);
    expect(keysOf(v.database.external.existingSecret)).toEqual(['password', 'username']);
    // The token key pair is cert-manager's, not the store's: a Certificate writes that Secret.
    expect(v.core.secretName).toBe(HARBOR_SECRETS.coreToken.name);
    expect(
      manifests.some(
        (m) => m.kind === 'Certificate' && (m.spec as { secretName: string }).secretName === v.core.secretName,
      ),
    ).toBe(true);
    // Internal secrets Harbor wants at exactly 16 characters.
    for (const name of [
      v.existingSecretSecretKey,
      v.core.existingSecret,
      v.jobservice.existingSecret,
      v.registry.existingSecret,
    ]) {
      const s = secrets.find((x) => x.metadata!.namespace === 'harbor' && x.metadata!.name === name)!;
      for (const val of Object.values(s.data!)) expect(Buffer.from(val, 'base64').toString().length).toBe(16);
    }
  });

  it('re-running generation changes no file (ciphertexts stay byte-identical)', async () => {
    const before = snapshot(join(repo, 'secrets'));
    const mtimes = [...before.keys()].map((p) => statSync(p).mtimeMs);
    const again = await ensureSecrets(new SecretStore(repo, { identity }), needs);
    expect(again.generated).toEqual([]);
    expect(again.missingExternal).toEqual([]);
    const after = snapshot(join(repo, 'secrets'));
    expect(after).toEqual(before);
    expect([...after.keys()].map((p) => statSync(p).mtimeMs)).toEqual(mtimes);
  });

  it('a wrong key cannot decrypt, with a clear message', async () => {
    const other = await newSiteKey();
    // The manifest's MAC is checked first (entries.confirmed), so another key is refused before decrypting.
    await expect(new SecretStore(repo).get('registry/db-password', other.identity)).rejects.toThrow(
      /the key is another site's/,
    );
    await expect(new SecretStore(repo).decrypt('registry/db-password', other.identity)).rejects.toThrow(
      /cannot decrypt .*is it this site's key\?/,
    );
  });

  it('a missing external entry stops the build, naming every missing entry', () => {
    const partial = new Map(values);
    partial.delete('bgp/tor-r2');
    partial.delete('identity/ldap-bind');
    expect(() => buildSecrets(needs, partial)).toThrow(
      /lacks 2 entries: bgp\/tor-r2 \(set it: labctl secrets set bgp\/tor-r2\), identity\/ldap-bind/,
    );
  });

  it('htpasswd lines are stable for the same password and differ for another', () => {
    expect(htpasswdLine('u', 'one-password')).toBe(htpasswdLine('u', 'one-password'));
    expect(htpasswdLine('u', 'one-password')).not.toBe(htpasswdLine('u', 'other-password'));
  });
});

describe('labctl secrets (CLI): nothing is lost without an explicit, specific yes', () => {
  const repo = join(tmp, 'cli-site');
  const key = join(tmp, 'cli.agekey');
  // The key through the environment: -k and LABCTL_AGE_KEY_FILE mean the same (secrets-recipients.test.ts).
  // Run without blocking this process (a blocking spawn stalls the test runner's heartbeat on a busy machine).
  const run = (args: string[], input?: string) =>
    labctlAsync(['secrets', ...args, '-r', repo], { input, env: { LABCTL_AGE_KEY_FILE: key } });

  it('init writes the key once, mode 0600, outside the repo, and refuses a second time', async () => {
    const r = await run(['init', '-k', key]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const keyText = readFileSync(key, 'utf8');
    expect(readIdentity(key)).toMatch(/^AGE-SECRET-KEY-1/);
    const again = await run(['init', '-k', key]);
    expect(again.code).toBe(1);
    expect(readFileSync(key, 'utf8')).toBe(keyText);
    expect(() => writeIdentity(join(repo, 'k'), 'AGE-SECRET-KEY-1X', 'age1x', repo)).toThrow(
      /inside the site repository/,
    );
  });

  it('set reads stdin; an existing entry is replaced only with --replace ENTRY', async () => {
    expect((await run(['set', 'bgp/tor-r1', '-i', EXAMPLE], 'first-value\n')).code).toBe(0);
    const file = new SecretStore(repo).entryPath('bgp/tor-r1');
    const stored = readFileSync(file, 'utf8');
    const refused = await run(['set', 'bgp/tor-r1', '-i', EXAMPLE], 'second');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('bgp/tor-r1 already has a value; to replace it pass --replace bgp/tor-r1');
    expect((await run(['set', 'bgp/tor-r1', '--replace', 'bgp/tor-r2', '-i', EXAMPLE], 'second')).code).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(stored);
    // With the key, setting the same value again leaves the file untouched.
    expect(
      (await run(['set', 'bgp/tor-r1', '--replace', 'bgp/tor-r1', '-k', key, '-i', EXAMPLE], 'first-value')).stdout,
    ).toContain('unchanged');
    expect(readFileSync(file, 'utf8')).toBe(stored);
    expect((await run(['set', 'bgp/tor-r1', '--replace', 'bgp/tor-r1', '-i', EXAMPLE], 'second')).code).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toBe(stored);
    expect((await run(['set', 'bgp/tor-r9', '-i', EXAMPLE], '')).code).toBe(1);
  });

  it('rotate needs --confirm ENTRY and refuses entries the site supplies', async () => {
    expect((await run(['generate', '-i', EXAMPLE])).code).toBe(0);
    const file = new SecretStore(repo).entryPath('registry/db-password');
    const before = readFileSync(file, 'utf8');
    const noConfirm = await run(['rotate', 'registry/db-password', '-i', EXAMPLE]);
    expect(noConfirm.code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(before);
    const ok = await run(['rotate', 'registry/db-password', '--confirm', 'registry/db-password', '-i', EXAMPLE]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('harbor/harbor-db-credentials');
    expect(readFileSync(file, 'utf8')).not.toBe(before);
    const ext = await run(['rotate', 'bgp/tor-r1', '--confirm', 'bgp/tor-r1', '-i', EXAMPLE]);
    expect(ext.code).toBe(1);
    expect(ext.stderr).toContain('rotate it at its source');
    // Velero's Kopia repository password: a new value would lock every volume backup away.
    const kopia = new SecretStore(repo).entryPath('backup-velero-repo-password');
    const kopiaBefore = readFileSync(kopia, 'utf8');
    const fixed = await run([
      'rotate',
      'backup-velero-repo-password',
      '--confirm',
      'backup-velero-repo-password',
      '-i',
      EXAMPLE,
    ]);
    expect(fixed.code).toBe(1);
    expect(fixed.stderr).toContain('backup-velero-repo-password is not rotated by labctl');
    expect(fixed.stderr).toContain('lock every volume backup away');
    expect(readFileSync(kopia, 'utf8')).toBe(kopiaBefore);
  });

  it('apply --dry-run lists Secrets and keys, never values', async () => {
    const store = new SecretStore(repo, { keyFile: key });
    const { result } = await rendered(EXAMPLE);
    await fillExternal(store, result.secrets);
    const r = await run(['apply', '--dry-run', '-k', key, '-i', EXAMPLE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'harbor/harbor-s3 (Opaque): REGISTRY_STORAGE_S3_ACCESSKEY, REGISTRY_STORAGE_S3_SECRETKEY',
    );
    expect(r.stdout).toContain('keycloak/keycloak-db-credentials (kubernetes.io/basic-auth): password, username');
    const identity = readIdentity(key);
    for (const ref of store.list()) expect(r.stdout.includes(await store.get(ref, identity))).toBe(false);
  });

  it('list shows every entry the platform needs, all present now, exit 0', async () => {
    const r = await run(['list', '-i', EXAMPLE, '--output', 'json']);
    const j = JSON.parse(r.stdout) as { entries: { entry: string; present: boolean }[] };
    expect(j.entries.map((e) => e.entry)).toContain('identity/clients/harbor');
    expect(j.entries.every((e) => e.present)).toBe(true);
    expect(r.code).toBe(0);
  });
});
