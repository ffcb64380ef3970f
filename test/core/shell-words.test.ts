// shellWord writes a path the user typed into a command labctl suggests: pasted into bash it must be the
// same bytes, and printed it must hold no character that acts on the terminal.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellWord, siteArgs } from '../../installer/core/shell-words.ts';

const WORDS = [
  'site',
  'out dir$(id)',
  's;touch PWNED;#/inventory.yaml',
  `it's "quoted" \\ back\\slash`,
  "'",
  '\\',
  '',
  'line\nbreak',
  'esc\x1b[2K\rlabctl secrets list -r site #',
  'tab\there',
  'a\x1bbeef\x01F',
  "mixed'\x1b\\x1b$'",
  '\x7f\x85\u009b\u202eevil\u2066',
  'ünïcødé 🚀 ~/$HOME `id`',
  '-leading-dash',
  '*.yaml ?',
];

describe('shellWord', () => {
  it('every word reads back as the same bytes through real bash, and none prints a raw control character', () => {
    const r = spawnSync('bash', ['-c', `printf '%s\\0' ${WORDS.map(shellWord).join(' ')}`], { encoding: 'buffer' });
    expect(r.status, r.stderr.toString()).toBe(0);
    expect(r.stdout.toString('utf8').split('\0').slice(0, -1)).toEqual(WORDS);
    expect(Buffer.from(r.stdout).equals(Buffer.from(`${WORDS.join('\0')}\0`))).toBe(true);
    for (const w of WORDS)
      expect(shellWord(w), JSON.stringify(w)).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
  });

  it('leaves a plain path as typed and quotes the rest', () => {
    expect(shellWord('site/inventory.yaml')).toBe('site/inventory.yaml');
    expect(shellWord('out dir')).toBe("'out dir'");
    expect(shellWord('a\x1bb')).toBe("$'a\\x1bb'");
    expect(siteArgs({ inventory: 'a b', repo: 'r', keyFile: 'k;' })).toBe(" -i 'a b' -r r -k 'k;'");
  });
});
