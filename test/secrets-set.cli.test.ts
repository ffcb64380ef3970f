// `labctl secrets set` and the site key option: an entry name nothing reads is refused with the closest
// name (fastest-levenshtein) before a value is read; -k and $LABCTL_AGE_KEY_FILE name the key the same
// way for set and for render (render -k). The no-echo terminal test is test/security/secrets-tty.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import * as age from 'age-encryption';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE, labctl } from './helpers.ts';
import { SecretStore, readIdentity } from '../installer/secrets/store.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-secrets-set-'));
const repo = join(tmp, 'site');
const key = join(tmp, 'keys', 'site.agekey');
const nowhere = join(tmp, 'no-such.agekey');
beforeAll(async () => {
  const r = await labctl(['secrets', 'init', '-r', repo, '-k', key]);
  if (r.code !== 0) throw new Error(r.stderr);
  copyFileSync(EXAMPLE, join(repo, 'inventory.yaml'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('secrets set', () => {
  it('refuses an entry the platform does not read, with "did you mean", before reading a value; the suggested command keeps -i, -r and -k as typed and, run as written, stores in that folder', async () => {
    // Run from the folder above the site, naming it: a suggestion without -i/-r would use the wrong folder.
    const r = await labctl(['secrets', 'set', 'bgp/tor-r9', '-i', 'site/inventory.yaml', '-r', 'site', '-k', key], {
      cwd: tmp,
      input: 'value-never-stored\n',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `bgp/tor-r9 is not an entry site/inventory.yaml uses, so nothing would read it; nothing was stored. Did you mean bgp/tor-r1? To store it: labctl secrets set bgp/tor-r1 -i site/inventory.yaml -r site -k ${key}\nEvery entry: labctl secrets list -i site/inventory.yaml -r site -k ${key}\n`,
    );
    expect(r.stderr).not.toContain('reading the value');
    expect(existsSync(join(repo, 'secrets/entries/bgp'))).toBe(false);
    const suggested = /To store it: labctl (.*)\n/.exec(r.stderr)![1]!;
    const s = await labctl(suggested.split(' '), { cwd: tmp, input: 'router-1-password\n' });
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toBe(
      `bgp/tor-r1 stored; commit secrets/ and run labctl secrets apply -i site/inventory.yaml -r site -k ${key}\n`,
    );
    expect(await new SecretStore(repo, { keyFile: key }).get('bgp/tor-r1', readIdentity(key))).toBe(
      'router-1-password',
    );
    // -r alone, from the folder above (new-user trial: "inventory.yaml: no such file", exit 2): the inventory
    // is the one in the folder -r names, as the site repository is the folder that holds it.
    const list = await labctl(['secrets', 'list', '-r', 'site', '-k', key, '--output', 'json'], { cwd: tmp });
    expect(list.stderr).not.toContain('no such file');
    const tor = JSON.parse(list.stdout).entries.find((e: { entry: string }) => e.entry === 'bgp/tor-r1');
    expect(tor, list.stderr).toMatchObject({ present: true, confirmed: true });
  });

  it('-k and LABCTL_AGE_KEY_FILE are the same key: stored with one, the other sees the same value', async () => {
    const a = await labctl(['secrets', 'set', 'identity/ldap-bind', '-k', key], { cwd: repo, input: 'bind-pw-1\n' });
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain('identity/ldap-bind stored');
    const b = await labctl(['secrets', 'set', 'identity/ldap-bind', '--replace', 'identity/ldap-bind'], {
      cwd: repo,
      input: 'bind-pw-1\n',
      env: { LABCTL_AGE_KEY_FILE: key },
    });
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toContain('identity/ldap-bind unchanged');
    // -k wins over the variable, as everywhere: a wrong variable does not matter when -k is given.
    const c = await labctl(['secrets', 'set', 'identity/ldap-bind', '--replace', 'identity/ldap-bind', '-k', key], {
      cwd: repo,
      input: 'bind-pw-1\n',
      env: { LABCTL_AGE_KEY_FILE: nowhere },
    });
    expect(c.stdout).toContain('identity/ldap-bind unchanged');
    // Neither: the refusal names both ways.
    const d = await labctl(['secrets', 'set', 'identity/ldap-bind', '--replace', 'identity/ldap-bind'], {
      cwd: repo,
      input: 'bind-pw-1\n',
      env: { LABCTL_AGE_KEY_FILE: nowhere },
    });
    expect(d.code).toBe(1);
    expect(d.stderr).toContain(`site key ${nowhere} not found`);
    expect(d.stderr).toContain('pass --key-file (or set LABCTL_AGE_KEY_FILE)');
    expect(await new SecretStore(repo, { keyFile: key }).get('identity/ldap-bind', readIdentity(key))).toBe(
      'bind-pw-1',
    );
  });
});

// New-user trial: `secrets list -k /nonexistent` said "the site key is not on this machine (give it with -k
// KEYFILE)" to a user who had given -k; `-k` naming a folder said "cannot read (path not reported by the system)".
describe('secrets list -k: a key file that is not there, or not a file', () => {
  it('names the -k path it did not find, the default path when no -k was given, and a folder as a folder', async () => {
    // One stored entry, so list has something to check (an entry the site supplies: render's test below
    // counts the entries labctl generates).
    const g = await labctl(['secrets', 'set', 'bgp/tor-r2', '-r', repo, '-k', key], { cwd: repo, input: 'pw-r2\n' });
    expect(g.code, g.stderr).toBe(0);
    const given = await labctl(['secrets', 'list', '-r', repo, '-k', nowhere], { cwd: repo });
    expect(given.stdout).toMatch(/^ {2}stored {3}stored, not checked against .*: (.*)$/m);
    expect(given.stdout).toContain(
      `: site key file not found at ${nowhere} (-k): give -k the key file labctl secrets init wrote for this site\n`,
    );
    // The commands it suggests need the key: they ask for it instead of repeating the -k path not found.
    expect(given.stdout).toContain(
      `  MISSING  only the site can give it: labctl secrets set NAME -r ${repo} -k KEYFILE\n`,
    );
    expect(given.stderr).toContain(
      `absent: labctl secrets generate -r ${repo} -k KEYFILE; MISSING: labctl secrets set NAME -r ${repo} -k KEYFILE)`,
    );
    expect(given.stdout + given.stderr).not.toContain(`-k ${nowhere}`);
    const home = mkdtempSync(join(tmp, 'home-'));
    const none = await labctl(['secrets', 'list', '-r', repo], { cwd: repo, env: { HOME: home } });
    expect(none.stdout).toContain(
      `: the site key is not on this machine (not at ${join(home, '.config/labctl/site.agekey')}; give it with -k KEYFILE)\n`,
    );
    expect(none.stderr).toContain(`MISSING: labctl secrets set NAME -r ${repo} -k KEYFILE)`);
    // With the key, the suggestion is the command as typed and runs.
    const withKey = await labctl(['secrets', 'list', '-r', repo, '-k', key], { cwd: repo });
    const fix = /MISSING: (labctl secrets set NAME .*)\)$/m.exec(withKey.stderr)?.[1];
    expect(fix).toBe(`labctl secrets set NAME -r ${repo} -k ${key}`);
    const missing = /^MISSING (\S+)/m.exec(withKey.stdout)?.[1];
    expect(missing).toBeDefined();
    const set = await labctl([...fix!.replace('NAME', missing!).split(' ').slice(1)], { cwd: repo, input: 'pw\n' });
    expect(set.code, set.stderr).toBe(0);
    const folder = await labctl(['secrets', 'list', '-r', repo, '-k', tmp], { cwd: repo });
    expect(folder.code).toBe(1);
    expect(folder.stderr).toBe(
      `labctl: site key ${tmp} is a folder, not a key file; pass --key-file (or set LABCTL_AGE_KEY_FILE) to the key file labctl secrets init wrote (e.g. ~/.config/labctl/site.agekey)\n`,
    );
  });
});

describe('-r naming no folder (a typo) or a file (the inventory)', () => {
  it('says so with the flag, exit 2, and the folder it suggests for a file works when pasted', async () => {
    // It said "inventory.yaml: no such file (labctl init writes a starting inventory...)" for both, and
    // secrets rekey -r TYPO said the store was not initialized: run labctl secrets init.
    for (const args of [
      ['secrets', 'list', '-r', 'sit'],
      ['secrets', 'rekey', '-r', 'sit'],
      ['plan', '-r', 'sit'],
    ]) {
      const r = await labctl([...args, '-k', key], { cwd: tmp });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(
        'labctl: -r sit: no such folder; -r names the site repository, the folder that holds inventory.yaml\n',
      );
      expect(r.stderr).not.toContain('secrets init');
    }
    expect(existsSync(join(tmp, 'sit'))).toBe(false);
    const file = await labctl(['secrets', 'list', '-r', 'site/inventory.yaml', '-k', key], { cwd: tmp });
    expect(file.code).toBe(2);
    expect(file.stderr).toContain(
      "labctl: -r site/inventory.yaml is a file, not a folder; -r names the site repository, the folder that holds inventory.yaml (for this file's folder: -r site)\n",
    );
    const folder = /\(for this file's folder: (-r \S+)\)/.exec(file.stderr)![1]!.split(' ');
    const pasted = await labctl(['secrets', 'list', ...folder, '-k', key, '--output', 'json'], { cwd: tmp });
    expect(pasted.stderr).not.toContain('no such');
    expect(JSON.parse(pasted.stdout).entries.length).toBeGreaterThan(0);
  });
});

describe('a suggested command naming -r .', () => {
  it('ends its line, so no full stop turns it into -r .. (the parent folder); run as written from the site root, it works', async () => {
    // "To store it: labctl secrets set bgp/tor-r1 -r .. Every entry" and, with no flag typed at all,
    // "labctl secrets add-recipient age1... -r .. Otherwise remove the line": copied with the stop, the
    // command ran against the folder above the site.
    const typo = await labctl(['secrets', 'set', 'bgp/tor-r9', '-r', '.', '-k', key], { cwd: repo, input: 'x\n' });
    expect(typo.code).toBe(1);
    expect(typo.stderr).not.toContain('-r ..');
    expect(/To store it: (labctl .*)\n/.exec(typo.stderr)?.[1]).toBe(`labctl secrets set bgp/tor-r1 -r . -k ${key}`);
    const other = await age.identityToRecipient(await age.generateIdentity());
    appendFileSync(join(repo, 'secrets/recipients.txt'), `${other}\n`);
    const env = { LABCTL_AGE_KEY_FILE: key };
    const refused = await labctl(['secrets', 'set', 'bgp/tor-r2', '--replace', 'bgp/tor-r2'], {
      cwd: repo,
      env,
      input: 'router-2\n',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).not.toContain('-r ..');
    const add = /: (labctl secrets add-recipient .*)\n$/.exec(refused.stderr)?.[1];
    expect(add, refused.stderr).toBe(`labctl secrets add-recipient ${other} -r .`);
    const ran = await labctl(add!.split(' ').slice(1), { cwd: repo, env });
    expect(ran.code, ran.stderr).toBe(0);
    const rm = await labctl(['secrets', 'remove-recipient', other, '-r', '.'], { cwd: repo, env });
    expect(rm.code, rm.stderr).toBe(0);
  });

  it('keeps a typed -k: the recipient commands it suggests, run as written without the environment, work', async () => {
    // New-user trial: "labctl secrets add-recipient age1... -r ." dropped the -k typed, so on a second site's key
    // it ran against the default key (another site's, or none).
    const other = await age.identityToRecipient(await age.generateIdentity());
    appendFileSync(join(repo, 'secrets/recipients.txt'), `${other}\n`);
    const refused = await labctl(['secrets', 'set', 'bgp/tor-r2', '--replace', 'bgp/tor-r2', '-k', key], {
      cwd: repo,
      input: 'router-2\n',
    });
    expect(refused.code).toBe(1);
    const add = /: (labctl secrets add-recipient .*)\n$/.exec(refused.stderr)?.[1];
    expect(add, refused.stderr).toBe(`labctl secrets add-recipient ${other} -r . -k ${key}`);
    const ran = await labctl(add!.split(' ').slice(1), { cwd: repo });
    expect(ran.code, ran.stderr).toBe(0);
    // Dropped from the list again: the refusal names remove-recipient, with the same flags.
    writeFileSync(
      join(repo, 'secrets/recipients.txt'),
      readFileSync(join(repo, 'secrets/recipients.txt'), 'utf8').replace(`${other}\n`, ''),
    );
    const dropped = await labctl(['secrets', 'set', 'bgp/tor-r2', '--replace', 'bgp/tor-r2', '-k', key], {
      cwd: repo,
      input: 'router-2\n',
    });
    expect(dropped.code).toBe(1);
    const rm = /to stop: (labctl secrets remove-recipient .*)\n$/.exec(dropped.stderr)?.[1];
    expect(rm, dropped.stderr).toBe(`labctl secrets remove-recipient ${other} -r . -k ${key}`);
    expect((await labctl(rm!.split(' ').slice(1), { cwd: repo })).code).toBe(0);
  });
});

describe('a site repository without a secret store yet', () => {
  it('secrets list names secrets init with the folder and key as typed, generate says the same, and both run as written', async () => {
    // secrets list said only "absent: labctl secrets generate -i fresh/inventory.yaml", which then said
    // "not initialized (run labctl secrets init)": run from the folder above, init names no site there, and
    // without -k it makes the key at the default place, not the one the other commands were given.
    mkdirSync(join(tmp, 'fresh'));
    copyFileSync(EXAMPLE, join(tmp, 'fresh/inventory.yaml'));
    const freshKey = join(tmp, 'keys', 'fresh.agekey');
    const list = await labctl(['secrets', 'list', '-i', 'fresh/inventory.yaml', '-k', freshKey], { cwd: tmp });
    expect(list.code).toBe(1);
    const init = / so first: (labctl secrets init .*)\n$/.exec(list.stderr)?.[1];
    expect(init, list.stderr).toBe(`labctl secrets init -r fresh -k ${freshKey}`);
    // generate finds the (other) key first, then no store: the same folder, as typed.
    const gen = await labctl(['secrets', 'generate', '-i', 'fresh/inventory.yaml'], {
      cwd: tmp,
      env: { LABCTL_AGE_KEY_FILE: key },
    });
    expect(gen.code).toBe(1);
    expect(gen.stderr).toContain('is not initialized (run labctl secrets init -r fresh)\n');
    // With -k naming the key to come: not "pass --key-file to the key labctl secrets init wrote", but the init.
    const noKey = await labctl(['secrets', 'generate', '-i', 'fresh/inventory.yaml', '-k', freshKey], { cwd: tmp });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain(`is not initialized (run ${init})\n`);
    const ran = await labctl(init!.split(' ').slice(1), { cwd: tmp });
    expect(ran.code, ran.stderr).toBe(0);
    expect(existsSync(join(tmp, 'fresh/secrets/recipients.txt'))).toBe(true);
    expect(existsSync(freshKey)).toBe(true);
    const again = await labctl(['secrets', 'generate', '-i', 'fresh/inventory.yaml', '-k', freshKey], { cwd: tmp });
    expect(again.code, again.stderr).toBe(0);
  });
});

describe('render -k', () => {
  it('without the key: generates nothing and names the command with -i; with -k (or LABCTL_AGE_KEY_FILE) it generates', async () => {
    const before = readdirSync(join(repo, 'secrets/entries'), { recursive: true }).length;
    const none = await labctl(['render'], { cwd: repo, env: { LABCTL_AGE_KEY_FILE: nowhere } });
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain(`not generated: the site key (${nowhere}) is not on this machine`);
    expect(none.stdout).toContain('labctl secrets generate -i inventory.yaml -r . -k KEYFILE');
    expect(readdirSync(join(repo, 'secrets/entries'), { recursive: true }).length).toBe(before);
    const withK = await labctl(['render', '-k', key], { cwd: repo, env: { LABCTL_AGE_KEY_FILE: nowhere } });
    expect(withK.code, withK.stderr).toBe(0);
    expect(withK.stdout).toMatch(/secrets: generated \d+ new entr/);
    const after = readdirSync(join(repo, 'secrets/entries'), { recursive: true }).length;
    expect(after).toBeGreaterThan(before);
    // The variable names the same key: nothing left to generate.
    const withEnv = await labctl(['render'], { cwd: repo, env: { LABCTL_AGE_KEY_FILE: key } });
    expect(withEnv.code, withEnv.stderr).toBe(0);
    expect(withEnv.stdout).not.toContain('not generated');
    expect(readdirSync(join(repo, 'secrets/entries'), { recursive: true }).length).toBe(after);
  });
});
