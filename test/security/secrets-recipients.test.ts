// Boundary 6, "secrets keep their recipients", through the real CLI. An attacker with commit rights adds
// their own age key to secrets/recipients.txt (and tries to forge the confirmation): labctl refuses to
// encrypt anything, naming the recipient and the command that confirms it. A weakened copy that encrypts
// to whatever recipients.txt lists hands the attacker the next secret, so the test can fail. A backup key
// confirmed by the site key holder (add-recipient, rekey, remove-recipient) works as documented.
// Also the issue-20 items: `set` refuses an entry nobody reads (did you mean), -k and LABCTL_AGE_KEY_FILE
// are the same, `apply` uses the admin kubeconfig `up` wrote and stops clearly when there is none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as age from 'age-encryption';
import { EXAMPLE } from '../helpers.ts';
import { SecretStore, newSiteKey, readIdentity } from '../../installer/secrets/store.ts';
import { confirmedText } from '../../installer/secrets/recipients.ts';
import { entriesNeeded } from '../../installer/secrets/objects.ts';
import { rendered } from '../platform/sites.ts';
import { labctl, labctlAt, weakenedCopy } from './render-weakened-copy.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-recipients-'));
const repo = join(tmp, 'site');
const key = join(tmp, 'site.agekey');
let attacker: { identity: string; recipient: string };
let backup: { identity: string; recipient: string };
let weak: string;
const recipientsFile = join(repo, 'secrets/recipients.txt');
const confirmedFile = join(repo, 'secrets/recipients.confirmed');
const entry = (ref: string) => join(repo, 'secrets/entries', `${ref}.age`);

async function decryptWith(identity: string, ref: string): Promise<string | undefined> {
  const d = new age.Decrypter();
  d.addIdentity(identity);
  try {
    return await d.decrypt(age.armor.decode(readFileSync(entry(ref), 'utf8')), 'text');
  } catch {
    return undefined;
  }
}
const set = (ref: string, value: string, extra: string[] = [], env: Record<string, string | undefined> = {}) =>
  labctl(['secrets', 'set', ref, '-i', EXAMPLE, '-r', repo, ...extra], {
    input: value,
    env: { LABCTL_AGE_KEY_FILE: key, ...env },
  });

beforeAll(async () => {
  const r = await labctl(['secrets', 'init', '-r', repo, '-k', key]);
  if (r.code !== 0) throw new Error(r.stderr);
  attacker = await newSiteKey();
  backup = await newSiteKey();
  weak = weakenedCopy([
    [
      'installer/secrets/recipients.ts',
      'export function trustedRecipients(c: TrustCheck): string[] {',
      'export function trustedRecipients(c: TrustCheck): string[] { return c.listed;',
    ],
  ]);
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  if (weak) rmSync(weak, { recursive: true, force: true });
});

describe('a recipient added by a commit is not trusted', () => {
  let goodList: string;
  let goodConfirmed: string;

  it('init writes recipients.txt and its confirmation', () => {
    goodList = readFileSync(recipientsFile, 'utf8');
    goodConfirmed = readFileSync(confirmedFile, 'utf8');
    expect(goodConfirmed).toMatch(/\nmac hmac-sha256:[A-Za-z0-9+/=]{44}\n$/);
  });

  it('render on a machine without the site key renders, generates nothing and says what to run where the key is', async () => {
    const r = await labctl(['render', '-i', EXAMPLE, '-o', repo], {
      env: { LABCTL_AGE_KEY_FILE: undefined, HOME: tmp },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/secrets: \d+ new entries not generated: the site key \(.*\) is not on this machine/);
    expect(r.stdout).toContain(`labctl secrets generate -i ${EXAMPLE} -r ${repo} -k KEYFILE`);
    expect(existsSync(join(repo, 'secrets/entries'))).toBe(false);
  });

  it("an attacker's recipient appended to recipients.txt: set, generate and render refuse to encrypt, naming it and the command", async () => {
    writeFileSync(recipientsFile, `${goodList}${attacker.recipient}\n`);
    const r = await set('bgp/tor-r1', 'router-password-1');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `lists ${attacker.recipient}, which the site key holder has not confirmed; nothing was encrypted`,
    );
    expect(r.stderr).toContain(`labctl secrets add-recipient ${attacker.recipient} -r ${repo}`);
    expect(existsSync(entry('bgp/tor-r1'))).toBe(false);
    const g = await labctl(['secrets', 'generate', '-i', EXAMPLE, '-r', repo, '-k', key]);
    expect(g.code).toBe(1);
    expect(g.stderr).toContain('has not confirmed');
    const rr = await labctl(['render', '-i', EXAMPLE, '-o', repo], { env: { LABCTL_AGE_KEY_FILE: key } });
    expect(rr.code).toBe(1);
    expect(rr.stderr).toContain(`lists ${attacker.recipient}, which the site key holder has not confirmed`);
    expect(existsSync(join(repo, 'secrets/entries'))).toBe(false);
  });

  it('weakened copy (encrypts to whatever recipients.txt lists): the attacker reads the router password', async () => {
    const r = await labctlAt(weak, ['secrets', 'set', 'bgp/tor-r1', '-i', EXAMPLE, '-r', repo], {
      input: 'router-password-1',
      env: { LABCTL_AGE_KEY_FILE: key },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(await decryptWith(attacker.identity, 'bgp/tor-r1')).toBe('router-password-1');
    rmSync(join(repo, 'secrets/entries'), { recursive: true });
  });

  it("a forged confirmation is refused: the old MAC over a longer list, or a MAC made with the attacker's own key", async () => {
    const site = await age.identityToRecipient(readIdentity(key));
    const oldMac = goodConfirmed.split('\n').find((l) => l.startsWith('mac '))!;
    writeFileSync(confirmedFile, `${[site, attacker.recipient].sort().join('\n')}\n${oldMac}\n`);
    const a = await set('bgp/tor-r1', 'router-password-1');
    expect(a.code).toBe(1);
    expect(a.stderr).toContain(`${confirmedFile} was not confirmed with this site key (its MAC does not match)`);
    writeFileSync(confirmedFile, confirmedText(attacker.identity, [site, attacker.recipient]));
    const b = await set('bgp/tor-r1', 'router-password-1');
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('its MAC does not match');
    expect(existsSync(entry('bgp/tor-r1'))).toBe(false);
    // add-recipient cannot be fooled either: it checks the confirmation before extending it.
    const add = await labctl(['secrets', 'add-recipient', backup.recipient, '-r', repo, '-k', key]);
    expect(add.code).toBe(1);
    expect(add.stderr).toContain('its MAC does not match');
  });

  it('a removed recipient is refused too, until remove-recipient confirms it', async () => {
    writeFileSync(confirmedFile, goodConfirmed);
    writeFileSync(recipientsFile, '# emptied by a commit\n' + `${backup.recipient}\n`);
    const r = await set('bgp/tor-r1', 'router-password-1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lists age1\w+, which the site key holder has not confirmed/);
    writeFileSync(recipientsFile, goodList);
  });
});

describe('a backup key, confirmed by the site key holder', () => {
  it('add-recipient confirms it; new entries open with it; rekey opens the older ones; remove-recipient stops it', async () => {
    expect((await set('bgp/tor-r1', 'router-password-1')).code).toBe(0);
    const add = await labctl([
      'secrets',
      'add-recipient',
      backup.recipient,
      '-r',
      repo,
      '-k',
      key,
      '--note',
      'backup key, safe B',
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain(
      `The 1 existing entries are not readable with the new key yet: run labctl secrets rekey -r ${repo}`,
    );
    expect(readFileSync(recipientsFile, 'utf8')).toContain(`${backup.recipient}  # backup key, safe B`);
    expect((await set('bgp/tor-r2', 'router-password-2')).code).toBe(0);
    expect(await decryptWith(backup.identity, 'bgp/tor-r2')).toBe('router-password-2');
    expect(await decryptWith(backup.identity, 'bgp/tor-r1')).toBeUndefined();
    const rk = await labctl(['secrets', 'rekey', '-r', repo, '-k', key]);
    expect(rk.code, rk.stderr).toBe(0);
    expect(rk.stdout).toContain('re-encrypted 2 entries to 2 recipient(s)');
    expect(await decryptWith(backup.identity, 'bgp/tor-r1')).toBe('router-password-1');
    const rm = await labctl(['secrets', 'remove-recipient', backup.recipient, '-r', repo, '-k', key]);
    expect(rm.code, rm.stderr).toBe(0);
    expect(readFileSync(recipientsFile, 'utf8')).not.toContain(backup.recipient);
    expect((await set('bgp/tor-r3', 'router-password-3')).code).toBe(0);
    expect(await decryptWith(backup.identity, 'bgp/tor-r3')).toBeUndefined();
    expect(await decryptWith(readIdentity(key), 'bgp/tor-r3')).toBe('router-password-3');
  });

  it("the site key's own recipient cannot be removed; a malformed recipient is a usage error", async () => {
    const site = await age.identityToRecipient(readIdentity(key));
    const r = await labctl(['secrets', 'remove-recipient', site, '-r', repo, '-k', key]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is the site key's own recipient");
    expect((await labctl(['secrets', 'add-recipient', 'age1short', '-r', repo, '-k', key])).code).toBe(2);
  });

  it('only the site key holder can confirm: another key is refused', async () => {
    const other = join(tmp, 'other.agekey');
    writeFileSync(other, `${attacker.identity}\n`, { mode: 0o600 });
    const r = await labctl(['secrets', 'add-recipient', attacker.recipient, '-r', repo, '-k', other]);
    expect(r.code).toBe(1);
    // Named as what it most likely is (a new user's first key at the default path is another site's), with the fix.
    expect(r.stderr).toContain(
      `the site key given (${attacker.recipient}) is not a recipient of this store (${join(repo, 'secrets/recipients.confirmed')} confirms 1, not this one): it is another site's key. Nothing was encrypted. Give this site's key with -k KEYFILE`,
    );
    expect(readFileSync(recipientsFile, 'utf8')).not.toContain(attacker.recipient);
  });
});

describe('secrets set and apply (issue 20)', () => {
  it('refuses an entry name the platform does not read, with "did you mean"', async () => {
    const r = await set('bgp/tor-r9', 'x');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `bgp/tor-r9 is not an entry ${EXAMPLE} uses, so nothing would read it; nothing was stored. Did you mean bgp/tor-r1?`,
    );
    const t = await set('identity/ldap-bnd', 'x');
    expect(t.stderr).toContain('Did you mean identity/ldap-bind?');
    expect(existsSync(entry('bgp/tor-r9'))).toBe(false);
  });

  it('-k and LABCTL_AGE_KEY_FILE are the same: both find the key (an unchanged value is not rewritten)', async () => {
    const before = readFileSync(entry('bgp/tor-r1'), 'utf8');
    const viaEnv = await set('bgp/tor-r1', 'router-password-1', ['--replace', 'bgp/tor-r1']);
    expect(viaEnv.stdout).toContain('bgp/tor-r1 unchanged');
    const viaFlag = await set('bgp/tor-r1', 'router-password-1', ['--replace', 'bgp/tor-r1', '-k', key], {
      LABCTL_AGE_KEY_FILE: undefined,
      HOME: tmp,
    });
    expect(viaFlag.stdout).toContain('bgp/tor-r1 unchanged');
    expect(readFileSync(entry('bgp/tor-r1'), 'utf8')).toBe(before);
    const none = await set('bgp/tor-r2', 'new', ['--replace', 'bgp/tor-r2'], {
      LABCTL_AGE_KEY_FILE: undefined,
      HOME: tmp,
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(
      `site key ${join(tmp, '.config/labctl/site.agekey')} not found (needed to check that secrets/recipients.txt lists only recipients the site key holder confirmed); pass --key-file (or set LABCTL_AGE_KEY_FILE)`,
    );
  });

  describe('apply', () => {
    const state = join(tmp, 'state');
    beforeAll(async () => {
      // Every entry present, so apply gets as far as the cluster.
      const store = new SecretStore(repo, { keyFile: key });
      const { result } = await rendered(EXAMPLE);
      for (const ref of entriesNeeded(result.secrets)) if (!store.has(ref)) await store.put(ref, `value-of-${ref}`);
      mkdirSync(state, { recursive: true });
    });
    const apply = (env: Record<string, string | undefined>, extra: string[] = []) =>
      labctl(['secrets', 'apply', '-i', EXAMPLE, '-r', repo, '-k', key, ...extra], {
        env: { KUBECONFIG: undefined, HOME: tmp, LABCTL_STATE_DIR: state, ...env },
      });

    it('no kubeconfig anywhere: a clear stop naming where up writes it, exit 1, no internal error', async () => {
      const r = await apply({});
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `no kubeconfig to send the Secrets with: labctl up writes ${join(state, 'admin.conf')} once the cluster is up`,
      );
      expect(r.stderr).not.toContain('internal error');
    });

    it('defaults to the admin kubeconfig up wrote (<state dir>/admin.conf); an API server that does not answer is a clear exit 1', async () => {
      copyFileSync(join(import.meta.dirname, '../fixtures/kubeconfig-closed-port.yaml'), join(state, 'admin.conf'));
      const r = await apply({});
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot apply the Secrets with ${join(state, 'admin.conf')}:`);
      expect(r.stderr).toMatch(/ECONNREFUSED/);
      expect(r.stderr).toContain(
        `cannot reach the API server https://127.0.0.1:1 named in ${join(state, 'admin.conf')}`,
      );
      expect(r.stderr).not.toContain('internal error');
    });

    it('--kubeconfig naming a missing file: exit 1, nothing sent', async () => {
      const r = await apply({}, ['--kubeconfig', join(tmp, 'nope.conf')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`--kubeconfig ${join(tmp, 'nope.conf')}: no such file; nothing was sent`);
    });
  });
});
