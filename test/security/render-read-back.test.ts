// What render reads back from its output folder (Git content): its state file .labctl/rendered.json, and the
// existing files it compares with what it renders (render, render --check) or shows (diff). A pipe there made
// render wait for a writer forever (readFileSync); now each is read as a regular file of bounded size, and
// anything else is a Problem naming it. A link (to /dev/zero) was already refused as a link; kept here too.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, labctl } from '../helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-read-back-'));
const site = join(tmp, 'site');
const state = join(site, '.labctl/rendered.json');
// Well under the runner's bound: the code before never ended on a pipe.
const run = (args: string[]) => labctl([...args, '-i', EXAMPLE, '-o', site], { timeoutMs: 20_000 });
let stateText: string;

beforeAll(async () => {
  const r = await run(['render']);
  expect(r.code, r.stderr).toBe(0);
  stateText = readFileSync(state, 'utf8');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Exit 1 with labctl's one-line answer naming `path`, no internal error. */
function refused(r: { code: number | null; stderr: string }, path: string, what: string) {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).toContain(`labctl: ${path} ${what}`);
}

/** Runs `body` with `path` replaced by a pipe, then puts `text` back. */
async function asPipe(path: string, text: string, body: () => Promise<void>) {
  unlinkSync(path);
  execFileSync('mkfifo', [path]);
  try {
    await body();
  } finally {
    unlinkSync(path);
    writeFileSync(path, text);
  }
}

describe("render's own files in the output folder are read as regular files of bounded size", () => {
  it('.labctl/rendered.json a pipe: render and render --check refuse it at once instead of waiting', async () => {
    await asPipe(state, stateText, async () => {
      for (const args of [['render'], ['render', '--check']])
        refused(
          await run(args),
          state,
          'is not a regular file (a pipe, device or socket): labctl writes it as a plain file, so a commit may have planted it. Nothing was used; restore it from a commit you trust',
        );
    });
  });

  it('.labctl/rendered.json a link to /dev/zero: refused as a link, not read until memory runs out', async () => {
    unlinkSync(state);
    symlinkSync('/dev/zero', state);
    try {
      const r = await run(['render']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`${state}: ${state} is a symbolic link`);
    } finally {
      unlinkSync(state);
      writeFileSync(state, stateText);
    }
  });

  it('.labctl/rendered.json of 17 MiB: refused by its size, not read', async () => {
    writeFileSync(state, '');
    execFileSync('truncate', ['-s', '17M', state]);
    try {
      refused(await run(['render']), state, `is ${17 * 1024 * 1024} bytes, more than labctl writes there`);
    } finally {
      writeFileSync(state, stateText);
    }
  });

  it('a rendered file replaced by a pipe: render --check and diff name it instead of waiting', async () => {
    const readme = join(site, 'README.md');
    await asPipe(readme, readFileSync(readme, 'utf8'), async () => {
      for (const args of [['render', '--check'], ['diff']])
        refused(
          await run(args),
          readme,
          'is not a regular file (a pipe, device or socket): labctl render writes a plain file there, so a commit may have planted it. Nothing was compared or written; remove it, then render again',
        );
    });
    expect((await run(['render', '--check'])).code).toBe(0);
  });

  it('a file an earlier render wrote and this one removes, replaced by a pipe: diff names it instead of waiting', async () => {
    const stale = join(site, 'apps/old.yaml');
    const files = (JSON.parse(stateText) as { files: string[] }).files;
    writeFileSync(state, JSON.stringify({ files: [...files, 'apps/old.yaml'] }));
    execFileSync('mkfifo', [stale]);
    try {
      refused(
        await run(['diff']),
        stale,
        'is not a regular file (a pipe, device or socket): labctl writes it as a plain file, so a commit may have planted it',
      );
    } finally {
      unlinkSync(stale);
      writeFileSync(state, stateText);
    }
  });
});
