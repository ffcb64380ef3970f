// Helpers of the render and secrets attack tests: the real CLI run without blocking the test process,
// and a deliberately weakened copy of labctl (its sources copied, one protection edited out) so each
// attack test can show the attack succeeding without the protection it tests.
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliResult, ROOT, labctl } from '../helpers.ts';

export type Run = CliResult;

/** labctl of `root`'s copy (a weakened one), as test/helpers.ts labctl() runs this checkout's. */
export const labctlAt = (root: string, args: string[], opts: Parameters<typeof labctl>[1] = {}): Promise<Run> =>
  labctl(args, { timeoutMs: 180_000, ...opts, root });

export { labctl };

/**
 * A copy of labctl with text replacements applied to its sources: [file under the checkout, exact text,
 * replacement]. Every replacement must match, so a refactoring that moves the protection makes the test
 * fail loudly instead of silently testing nothing.
 */
export function weakenedCopy(edits: [file: string, from: string, to: string][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'labctl-weakened-'));
  for (const p of ['bin', 'installer', 'gitops', 'charts', 'images', 'package.json', 'inventory.example.yaml'])
    cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  symlinkSync(join(ROOT, '.tools'), join(dir, '.tools'));
  for (const [file, from, to] of edits) {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    if (!text.includes(from)) throw new Error(`weakenedCopy: ${file} no longer contains ${JSON.stringify(from)}`);
    writeFileSync(path, text.split(from).join(to));
  }
  return dir;
}
