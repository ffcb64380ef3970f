// docs/secrets.md's "Recipients and backup keys" commands, run as written under real bash: `labctl` is
// this checkout's CLI and `age1...` a freshly made backup key; nothing else is changed.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as age from 'age-encryption';
import { ROOT, labctl } from '../helpers.ts';
import { newSiteKey } from '../../installer/secrets/store.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-secrets-docs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The sh code block that follows `heading` in docs/secrets.md. */
function block(heading: string): string {
  const doc = readFileSync(resolve(ROOT, 'docs/secrets.md'), 'utf8');
  const from = doc.indexOf(heading);
  const start = doc.indexOf('```sh\n', from) + '```sh\n'.length;
  return doc.slice(start, doc.indexOf('```', start));
}

describe('docs/secrets.md, Recipients and backup keys', () => {
  it('runs as written: the backup key reads every entry after rekey, and no longer after remove + rekey', async () => {
    const key = join(tmp, 'site.agekey');
    expect((await labctl(['secrets', 'init', '-r', 'site', '-k', key], { cwd: tmp })).code).toBe(0);
    execFileSync('git', ['init', '-q', join(tmp, 'site')]);
    const store = await import('../../installer/secrets/store.ts');
    await new store.SecretStore(join(tmp, 'site'), { keyFile: key }).put('bgp/tor-r1', 'router-password');
    const backup = await newSiteKey();
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'labctl'),
      `#!/bin/sh\nexec "${process.execPath}" "${resolve(ROOT, 'bin/labctl.js')}" "$@"\n`,
      { mode: 0o755 },
    );
    const lines = block('## Recipients and backup keys')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => l.replaceAll('age1...', backup.recipient));
    expect(lines.length).toBe(4);
    const env = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      LABCTL_AGE_KEY_FILE: key,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.invalid',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.invalid',
    };
    const run = (script: string) =>
      execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: join(tmp, 'site'), env, encoding: 'utf8' }); // the repository's root
    const decrypt = async () => {
      const d = new age.Decrypter();
      d.addIdentity(backup.identity);
      try {
        return await d.decrypt(
          age.armor.decode(readFileSync(join(tmp, 'site/secrets/entries/bgp/tor-r1.age'), 'utf8')),
          'text',
        );
      } catch {
        return undefined;
      }
    };
    run(lines.slice(0, 3).join('\n'));
    expect(await decrypt()).toBe('router-password');
    expect(execFileSync('git', ['-C', join(tmp, 'site'), 'log', '--oneline'], { encoding: 'utf8' })).toContain(
      'secrets: backup key',
    );
    run(lines[3]!);
    expect(await decrypt()).toBeUndefined();
  });
});
