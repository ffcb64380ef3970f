// .ci/run's closing line (`tests: N passed, N failed`), computed by .ci/test-summary.sh from the output of
// `npm test`. Fed recorded runs: test/fixtures/ci-summary/*.txt are the real output of vitest 3.2 (colours
// on) on tiny suites: all passing; one failing; one failing plus an unhandled error; all passing with an
// unhandled error (the shape of the "[vitest-worker]: Timeout calling onTaskUpdate" run that ended
// "365 passed, 0 failed" with exit 1); and a `npm test` that stopped at tsc, before vitest printed anything.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT, fixture } from './helpers.ts';

const summary = async (log: string, exit: number) =>
  (
    await promisify(execFile)('bash', [join(ROOT, '.ci/test-summary.sh'), fixture('ci-summary', log), String(exit)])
  ).stdout.trim();

describe('.ci/run closing line', () => {
  it('all passed, exit 0: nothing failed', async () => {
    expect(await summary('passed.txt', 0)).toBe('tests: 2 passed, 0 failed');
  });

  it('a failing test is counted', async () => {
    expect(await summary('failed.txt', 1)).toBe('tests: 2 passed, 1 failed');
  });

  it('every test passed but vitest reported an unhandled error (exit 1): the error counts as a failure', async () => {
    const log = readFileSync(fixture('ci-summary', 'unhandled.txt'), 'utf8');
    expect(log).toMatch(/Errors.*1 error/); // the recorded run really has it
    expect(await summary('unhandled.txt', 1)).toBe(
      'tests: 3 passed, 1 failed (1 unhandled error(s) counted as failures)',
    );
  });

  it('a failing test and an unhandled error: both are counted', async () => {
    expect(await summary('failed-and-unhandled.txt', 1)).toBe(
      'tests: 3 passed, 2 failed (1 unhandled error(s) counted as failures)',
    );
  });

  it('npm test stopped before vitest (tsc failed): the line still comes, with a failure', async () => {
    expect(await summary('tsc-failed.txt', 2)).toBe('tests: 0 passed, 1 failed');
  });

  it('.ci/run prints it from the log of `npm test` and keeps npm test’s exit status', () => {
    const run = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    expect(run).toMatch(/^npm test 2>&1 \| tee "\$log"$/m);
    expect(run).toMatch(/^bash \.ci\/test-summary\.sh "\$log" "\$status" /m);
    expect(run).toMatch(/^exit "\$status"$/m);
  });
});
