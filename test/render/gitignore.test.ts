// The rendered .gitignore keeps labctl's local files out of the site repository, checked with real git:
// `labctl kubeconfig` writes ./kubeconfig (a user's client credentials) by default.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GITIGNORE } from '../../installer/render/write.ts';

const repo = mkdtempSync(join(tmpdir(), 'gitignore-'));
afterAll(() => rmSync(repo, { recursive: true, force: true }));
const ignored = (p: string) => {
  try {
    execFileSync('git', ['check-ignore', '-q', p], { cwd: repo });
    return true;
  } catch {
    return false;
  }
};

describe('rendered .gitignore', () => {
  it("ignores ./kubeconfig (labctl kubeconfig's default -o) and the state files, not the rendered tree", () => {
    execFileSync('git', ['init', '-q'], { cwd: repo });
    writeFileSync(join(repo, '.gitignore'), GITIGNORE);
    mkdirSync(join(repo, 'components/kubeconfig'), { recursive: true });
    writeFileSync(join(repo, 'kubeconfig'), 'apiVersion: v1\n');
    for (const p of ['kubeconfig', 'admin.conf', 'site.agekey', 'journal.json']) expect(ignored(p), p).toBe(true);
    // Anchored: a rendered folder or file of that name elsewhere is still committed.
    writeFileSync(join(repo, 'components/kubeconfig/values.yaml'), 'a: 1\n');
    for (const p of ['inventory.yaml', 'components/kubeconfig/values.yaml', '.labctl/rendered.json'])
      expect(ignored(p), p).toBe(false);
  });
});
