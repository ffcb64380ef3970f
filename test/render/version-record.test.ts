// render records labctl's version in .labctl/rendered.json (package.json's version, so the same input
// still gives the same bytes), and `render --check` names both versions when the site was rendered by
// another labctl, while still listing the files that differ.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE, ROOT, labctl } from '../helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-version-record-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const STATE = (site: string) => join(site, '.labctl/rendered.json');

describe('render records the labctl version', () => {
  const site = join(tmp, 'site');

  it('writes the package.json version into .labctl/rendered.json; a re-render gives the same bytes', async () => {
    const r = await labctl(['render', '-i', EXAMPLE, '-o', site]);
    expect(r.code, r.stderr).toBe(0);
    const first = readFileSync(STATE(site), 'utf8');
    expect(JSON.parse(first).labctl).toBe(VERSION);
    const again = await labctl(['render', '-i', EXAMPLE, '-o', site]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain('rendered by labctl');
    expect(readFileSync(STATE(site), 'utf8')).toBe(first);
    const check = await labctl(['render', '--check', '-i', EXAMPLE, '-o', site]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).not.toContain('rendered by labctl');
  });

  it('render --check on a site rendered by another version names both versions, and still lists the differing files', async () => {
    const state = JSON.parse(readFileSync(STATE(site), 'utf8'));
    writeFileSync(STATE(site), JSON.stringify({ ...state, labctl: '0.0.9-other' }, null, 1) + '\n');
    // Same files: up to date, with the note.
    const same = await labctl(['render', '--check', '-i', EXAMPLE, '-o', site]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain(`is up to date with ${EXAMPLE}`);
    expect(same.stdout).toContain(`it was rendered by labctl 0.0.9-other, this is labctl ${VERSION}`);
    // One file changed by hand: the file is listed and the message names both versions.
    writeFileSync(join(site, 'README.md'), 'edited\n');
    const diff = await labctl(['render', '--check', '-i', EXAMPLE, '-o', site]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('differs  README.md');
    expect(diff.stderr).toContain(
      `is not what ${EXAMPLE} renders (1 file(s)); it was rendered by labctl 0.0.9-other, this is labctl ${VERSION}; run labctl render`,
    );
    // A re-render says which version it replaces and records this one.
    const re = await labctl(['render', '-i', EXAMPLE, '-o', site]);
    expect(re.code, re.stderr).toBe(0);
    expect(re.stdout).toContain(`it was last rendered by labctl 0.0.9-other, this is labctl ${VERSION}`);
    expect(JSON.parse(readFileSync(STATE(site), 'utf8')).labctl).toBe(VERSION);
  });
});
