// The README's note on npm's install-scripts warning names the packages `npm ci` lists in it: those the
// lockfile marks hasInstallScript. A dependency that adds or drops an install script fails this test until
// the note says so. (That labctl runs without them was checked by hand: `npm ci --ignore-scripts`, then the
// bundle build and `validate`; a test cannot reach the registry.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './helpers.ts';

it('the README names every package whose install scripts npm warns about, and their count', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { hasInstallScript?: boolean }>;
  };
  const scripted = Object.entries(lock.packages)
    .filter(([, p]) => p.hasInstallScript)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length))
    .sort();
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const note =
    /`npm warn install-scripts (\d+) packages have install scripts not yet covered by allowScripts` \(([^)]*)\)/.exec(
      readme,
    );
  expect(note, 'README quick start: the install-scripts note').not.toBeNull();
  expect(Number(note![1])).toBe(scripted.length);
  expect(note![2]!.split(', ')).toEqual(scripted);
});
