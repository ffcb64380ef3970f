// labs.path must stay inside the site repository and clear of the folders render writes and Git and labctl
// keep (installer/inventory/rules/labs-path.ts): refused by validate with file:line and the field.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.ts';
import { validateInventoryText } from '../../installer/inventory/validate.ts';

const base = readFileSync(join(ROOT, 'test/fixtures/inventory/valid/single-rack.yaml'), 'utf8');
const withPath = (p: string) => base.replace(/^labs:\n/m, `labs:\n  path: ${JSON.stringify(p)}\n`);
const lineOf = (text: string) => text.split('\n').findIndex((l) => l.startsWith('  path: ')) + 1;

describe('labs.path', () => {
  it('the fixture without a path, and ordinary folders, validate', () => {
    expect(validateInventoryText('inventory.yaml', base).errors).toEqual([]);
    for (const p of ['labs', 'courses/labs', 'teaching/2026', 'lab.templates', 'apps-labs', 'labs/components']) {
      expect(validateInventoryText('inventory.yaml', withPath(p)).errors, p).toEqual([]);
    }
  });

  it.each([
    ['..', '".." has a ".." segment'],
    ['labs/../apps', 'has a ".." segment'],
    ['.', '"." has a "." segment'],
    ['labs/./x', 'has a "." segment'],
    ['.git', 'is inside a .git folder'],
    ['labs/.git/hooks', 'is inside a .git folder'],
    ['.GIT', 'is inside a .git folder'],
    ['components', 'is inside components, which labctl render or Git uses'],
    ['apps/labs', 'is inside apps'],
    ['charts', 'is inside charts'],
    ['bootstrap', 'is inside bootstrap'],
    ['secrets', 'is inside secrets'],
    ['routers', 'is inside routers'],
    ['dns', 'is inside dns'],
    ['runbooks', 'is inside runbooks'],
    ['.github/workflows', 'is inside .github'],
    ['.labctl', 'is inside .labctl'],
    ['.gitlab-ci.yml', 'is inside .gitlab-ci.yml'],
    ['README.md', 'is inside README.md'],
    ['Components', 'is inside Components'],
  ])('%j is refused with file:line and the field', (p, why) => {
    const text = withPath(p);
    const errs = validateInventoryText('inventory.yaml', text).errors;
    expect(errs.length, JSON.stringify(errs)).toBe(1);
    const e = errs[0]!;
    expect(e.path).toBe('labs.path');
    expect(e.file).toBe('inventory.yaml');
    expect(e.line).toBe(lineOf(text));
    expect(e.message).toContain(why);
  });
});
