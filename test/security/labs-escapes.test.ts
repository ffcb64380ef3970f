// Attack: course staff put terminal control sequences into campus IT's terminal and the CI log through
// `labctl labs validate` (the real CLI, as the rendered CI runs it): a key name and a file name carrying
// an OSC window-title sequence, a C1 CSI, DEL and a bidi override. Every one must come out as visible
// text (\xNN, \u{NNNN}) in text output, and as \u escapes in JSON output (the same strings once parsed).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, labctl } from '../helpers.ts';
import { clearLabs, put, siteRepo, validate, type SiteRepo } from './labs-helpers.ts';
import { rmSync } from 'node:fs';

/** Bytes a terminal or log viewer acts on: C0 but tab and newline, DEL, C1, bidi controls. */
const ACTING = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

const LAB = 'apiVersion: 1\ntitle: Escapes\ncourse: netsec\nimage: ubuntu-24.04\nsize: small\nstudents: [alice]\n';
const KEY = 'k\x1b]0;PWNED\x07\x9b2J\x7f\u202egnp';
const FILE = 'n\x1b]0;T\x07\u2066ame.yaml';
/**
 * A YAML double-quoted string of `s` with every control character escaped (JSON escapes C0 only): a raw DEL
 * or C1 makes Helm's reader refuse the file, so labs validate refuses it before any key is read.
 */
const quoted = (s: string) => JSON.stringify(s).replace(/[\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);

let repo: SiteRepo;
beforeAll(async () => {
  repo = await siteRepo('escapes');
});
afterAll(() => {
  rmSync(repo.dir, { recursive: true, force: true });
});

describe('attack: control characters in lab key names and file names (labs validate)', () => {
  it('an unknown key name is shown escaped, located, in text output', async () => {
    clearLabs(repo);
    put(repo, 'labs/netsec/keys.yaml', `${LAB}${quoted(KEY)}: 1\n`);
    const r = await validate(repo);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(ACTING);
    expect(r.stdout).not.toMatch(ACTING);
    expect(r.stderr).toContain('keys.yaml:7:1 k\\x1b]0;PWNED\\x07\\x9b2J\\x7f\\u{202e}gnp: unknown key');
  });

  it('a file name is shown escaped in text output', async () => {
    clearLabs(repo);
    put(repo, `labs/netsec/${FILE}`, `${LAB}bogus: 1\n`);
    // A second file literally named as the first is shown: two findings, though their lines print alike.
    put(repo, 'labs/netsec/n\\x1b]0;T\\x07\\u{2066}ame.yaml', `${LAB}bogus: 1\n`);
    const r = await validate(repo);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(ACTING);
    const shown = 'n\\x1b]0;T\\x07\\u{2066}ame.yaml:7:1 bogus: unknown key';
    expect(r.stderr.split(shown).length - 1, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/\b4 error\(s\) in 2 lab file\(s\)/); // each file: the key and its name
  });

  it('labs list: a title with C1 controls and bidi overrides (its pattern refuses only C0 and DEL) is shown escaped', async () => {
    clearLabs(repo);
    const title = 'Evil \u009b2J \u202eeltit\u202c \u2066x\u2069';
    put(repo, 'labs/netsec/title.yaml', LAB.replace('title: Escapes', `title: ${quoted(title)}`));
    const r = await labctl(['labs', 'list', '-i', EXAMPLE, '--labs', join(repo.dir, 'labs')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(ACTING);
    expect(r.stdout).toContain('Evil \\x9b2J \\u{202e}eltit\\u{202c} \\u{2066}x\\u{2069}');
  });

  it('JSON output holds no raw control character and parses back to the real key and file name', async () => {
    clearLabs(repo);
    put(repo, `labs/netsec/${FILE}`, `${LAB}${quoted(KEY)}: 1\n`);
    const r = await labctl(['labs', 'validate', '-i', EXAMPLE, '--labs', join(repo.dir, 'labs'), '--output', 'json']);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(ACTING);
    const out = JSON.parse(r.stdout);
    const e = out.errors.find((d: { path: string }) => d.path === KEY);
    expect(e, r.stdout).toBeDefined();
    expect(e.file).toContain(FILE);
  });
});
