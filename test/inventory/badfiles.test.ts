// Files that are not inventories at all: each gets one clear error with a position, never a stack trace.
import { mkdtempSync, writeFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labctl } from '../helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-bad-'));
const file = (name: string, content: string | Buffer) => {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
};

describe('labctl validate on files that are not inventories', () => {
  const cases: [string, () => string, RegExp][] = [
    [
      'a 50 MB file',
      () => {
        const p = file('huge.yaml', '');
        truncateSync(p, 50 * 1024 * 1024);
        return p;
      },
      /huge\.yaml:1:1 file is 50\.0 MiB; expected a YAML file of at most 4 MiB/,
    ],
    [
      'a binary file',
      () => file('bin.yaml', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3])),
      /bin\.yaml:1:1 binary file \(NUL byte at offset 4\)/,
    ],
    [
      'invalid UTF-8',
      () => file('latin1.yaml', Buffer.from('site: caf\xe9\n', 'latin1')),
      /latin1\.yaml:1:1 not valid UTF-8 text/,
    ],
    ['an empty file', () => file('empty.yaml', ''), /empty\.yaml:1:1 file is empty; expected a YAML mapping/],
    ['only comments', () => file('comments.yaml', '# nothing here\n\n# really\n'), /comments\.yaml:1:1 file is empty/],
    // A directory is a wrong argument (exit 2), not a bad file: validate.cli.test.ts, "a folder where the inventory file belongs".
    [
      'a list instead of a mapping',
      () => file('list.yaml', '- a\n- b\n'),
      /list\.yaml:1:1 expected a mapping of inventory sections .* got a list/,
    ],
    [
      'a scalar',
      () => file('scalar.yaml', 'hello\n'),
      /scalar\.yaml:1:1 expected a mapping of inventory sections .* got a string/,
    ],
    [
      'two documents',
      () => file('two.yaml', 'apiVersion: 1\n---\napiVersion: 1\n'),
      /two\.yaml:2:1 more than one YAML document/,
    ],
    ['a tab-indented file', () => file('tabs.yaml', 'site:\n\tname: x\n'), /tabs\.yaml:2:1 invalid YAML/],
    [
      'an alias bomb',
      () =>
        file(
          'bomb.yaml',
          'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n',
        ),
      /bomb\.yaml:1:1 invalid YAML: Excessive alias count/,
    ],
  ];
  it.each(cases)('%s', async (_name, make, message) => {
    const r = await labctl(['validate', make()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(2); // the error and the summary line
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
