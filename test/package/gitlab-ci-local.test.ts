// The rendered .gitlab-ci.yml run by gitlab-ci-local (a GitLab CI runner emulator from npm) on a site
// repository, with the single executable on PATH as `labctl`: what the job does inside labctl's image.
// No container engine runs here, so the job runs with gitlab-ci-local's shell executor (forced) instead
// of in the image; the image itself is run under chroot in image.test.ts. gitlab-ci-local needs Node 22:
// it runs on the pinned Node 22 the single executable is built from.
import { cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeBinary } from '../../installer/packaging/sea.ts';
import { EXAMPLE, ROOT } from '../helpers.ts';
import { release, run, tmp } from './helpers.ts';

let site = '';
let bin = '';
let env: NodeJS.ProcessEnv = {};
const git = (...args: string[]) =>
  run('git', ['-c', 'user.email=ci@example.invalid', '-c', 'user.name=ci', ...args], { cwd: site, env });

async function gitlabCiLocal() {
  const t = Date.now();
  const r = await run(
    nodeBinary(ROOT, join(ROOT, 'release/cache'), 'x64'),
    [
      join(ROOT, 'node_modules/gitlab-ci-local/dist/index.js'),
      '--force-shell-executor',
      '--variable',
      'CI_PIPELINE_SOURCE=merge_request_event',
      '--ignore-predefined-vars',
      'CI_PIPELINE_SOURCE',
      'labs',
    ],
    { cwd: site, env, timeout: 300_000 },
  );
  return { ...r, log: r.stdout + r.stderr, ms: Date.now() - t };
}

beforeAll(async () => {
  const sea = (await release<{ sea: { files: { x64: string } } }>('sea')).sea;
  const dir = tmp('gitlab');
  bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(sea.files.x64, join(bin, 'labctl'));
  env = { PATH: `${bin}:/usr/bin:/bin`, HOME: join(dir, 'home') };
  site = join(dir, 'site');
  mkdirSync(site);
  cpSync(EXAMPLE, join(site, 'inventory.yaml'));
  const r = await run(join(bin, 'labctl'), ['render', '-i', 'inventory.yaml', '-o', '.'], { cwd: site, env });
  if (r.code !== 0) throw new Error(r.stderr);
  cpSync(join(ROOT, 'test/fixtures/labs/valid/netsec'), join(site, 'labs/netsec'), { recursive: true });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-qm', 'site with one course');
}, 1_200_000);

describe('rendered GitLab pipeline under gitlab-ci-local', () => {
  it('passes on a good lab and fails on a bad one with the located error in the job log', async () => {
    const good = await gitlabCiLocal();
    expect(good.code, good.log).toBe(0);
    expect(good.log).toContain('PASS  labs');
    expect(good.log).toContain('2 lab file(s) valid');
    expect(good.log).toContain('is up to date with inventory.yaml');
    console.log(`site CI job under gitlab-ci-local (labs validate, capacity, render --check): ${good.ms} ms`);

    const bad = join(ROOT, 'test/fixtures/labs/invalid/netsec/typo-key.yaml');
    cpSync(bad, join(site, 'labs/netsec/typo-key.yaml'));
    await git('add', '-A');
    await git('commit', '-qm', 'a lab with a typo');
    const failed = await gitlabCiLocal();
    expect(failed.code).not.toBe(0);
    expect(failed.log).toContain('FAIL  labs');
    expect(failed.log).toContain(/# expect: (.*)/.exec(readFileSync(bad, 'utf8'))![1]!);
  });
});
