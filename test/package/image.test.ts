// The CI image, read back as a registry client would (index -> manifest -> config -> layers, digests
// checked, and skopeo), then unpacked without any container engine: its layers are extracted in order into
// a folder and the rendered GitLab job's script runs there under chroot, on a site repository with a good
// lab (passes) and then a bad one (fails with the located error). This is the job a site runner runs,
// minus the runner: no container engine can run here.
import { createHash } from 'node:crypto';
import { cpSync, lstatSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_PATH_IN_ROOTFS } from '../../installer/packaging/image.ts';
import { EXAMPLE, ROOT } from '../helpers.ts';
import { packageVersion, referenceRender, release, run, tmp, treeDigest } from './helpers.ts';

let layout = '';
let rootfs = '';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const blob = (digest: string) => readFileSync(join(layout, 'blobs/sha256', digest.replace(/^sha256:/, '')));
const json = (digest: string) => JSON.parse(blob(digest).toString('utf8'));
const index = () => JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
const manifest = () => json(index().manifests[0].digest);
/** A shell line run inside the unpacked image, as the CI runner runs a job line. */
const inImage = (line: string, env: Record<string, string> = {}) =>
  run('/usr/sbin/chroot', [rootfs, '/bin/sh', '-c', line], {
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/root', ...env },
    timeout: 300_000,
  });

beforeAll(async () => {
  const r = (await release<{ image: { dir: string; built: boolean; ms: number; bytes: number } }>('image')).image;
  layout = r.dir;
  console.log(
    `CI image: ${(r.bytes / 1e6).toFixed(1)} MB compressed, ${r.built ? `built in ${r.ms} ms` : 'reused (inputs unchanged)'}`,
  );
  rootfs = tmp('rootfs');
  for (const l of manifest().layers) {
    const x = await run('tar', ['-xzf', join(layout, 'blobs/sha256', l.digest.slice(7)), '-C', rootfs]);
    if (x.code !== 0) throw new Error(x.stderr);
  }
}, 1_200_000);

describe('CI image', () => {
  it('is an OCI layout whose manifest, config and layers match their digests, tagged with the version', () => {
    const idx = index();
    expect(idx.manifests).toHaveLength(1);
    expect(idx.manifests[0].annotations['org.opencontainers.image.ref.name']).toBe(packageVersion());
    expect(idx.manifests[0].platform).toEqual({ architecture: 'amd64', os: 'linux' });
    expect(sha(blob(idx.manifests[0].digest))).toBe(idx.manifests[0].digest.slice(7));
    const m = manifest();
    const config = json(m.config.digest);
    expect(config.config.Entrypoint).toEqual([`/${IMAGE_PATH_IN_ROOTFS}`]);
    expect(config.config.Env).toContain('HOME=/root');
    expect(config.config.Labels['org.opencontainers.image.version']).toBe(packageVersion());
    expect(m.layers).toHaveLength(2);
    m.layers.forEach((l: { digest: string; size: number }, i: number) => {
      const gz = blob(l.digest);
      expect(gz.length).toBe(l.size);
      expect(sha(gz)).toBe(l.digest.slice(7));
      expect(`sha256:${sha(gunzipSync(gz))}`).toBe(config.rootfs.diff_ids[i]);
    });
  });

  it('reads back with skopeo (a real OCI client)', async () => {
    const ref = `oci:${layout}:${packageVersion()}`;
    const inspect = await run('skopeo', ['inspect', ref]);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(JSON.parse(inspect.stdout)).toMatchObject({
      Architecture: 'amd64',
      Os: 'linux',
      Labels: { 'org.opencontainers.image.version': packageVersion() },
    });
    const cfg = JSON.parse((await run('skopeo', ['inspect', '--config', ref])).stdout);
    expect(cfg.config.Entrypoint).toEqual([`/${IMAGE_PATH_IN_ROOTFS}`]);
  });

  it('unpacked, holds only labctl, a static busybox and the libraries labctl links; labctl and tail run under chroot', async () => {
    expect(statSync(join(rootfs, IMAGE_PATH_IN_ROOTFS)).mode & 0o777).toBe(0o755);
    expect(statSync(join(rootfs, 'tmp')).mode & 0o7777).toBe(0o1777);
    const v = await inImage('labctl version --output json');
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout).labctl).toMatchObject({ version: packageVersion(), install: 'single executable' });
    // GitHub's runner keeps a job container alive with `tail -f /dev/null`; GitLab's runs a shell.
    expect(lstatSync(join(rootfs, 'usr/bin/tail')).isSymbolicLink()).toBe(true);
    expect((await inImage('printf "a\\nb\\n" | tail -n 1')).stdout).toBe('b\n');
  });

  it('runs the rendered GitLab job on a site repository: a good lab passes, a bad lab fails with its location', async () => {
    const site = join(rootfs, 'builds/site');
    mkdirSync(site, { recursive: true });
    cpSync(EXAMPLE, join(site, 'inventory.yaml'));
    const r = await inImage('cd /builds/site && labctl render -i inventory.yaml -o .');
    expect(r.code, r.stderr).toBe(0);
    const { '.labctl/rendered.json': _, ...rendered } = treeDigest(site);
    const { '.labctl/rendered.json': __, ...reference } = await referenceRender();
    expect({ ...rendered, 'inventory.yaml': undefined }).toEqual({ ...reference, 'inventory.yaml': undefined });
    cpSync(join(ROOT, 'test/fixtures/labs/valid/netsec'), join(site, 'labs/netsec'), { recursive: true });

    const job = parse(readFileSync(join(site, '.gitlab-ci.yml'), 'utf8')).labs;
    expect(job.image.name).toBe(`harbor.lab.example.edu/platform/labctl:${packageVersion()}`);
    const runJob = async () => {
      const t = Date.now();
      for (const line of job.script as string[]) {
        const s = await inImage(`cd /builds/site && ${line}`, job.variables);
        if (s.code !== 0) return { ok: false, line, log: s.stdout + s.stderr, ms: Date.now() - t };
      }
      return { ok: true, line: '', log: '', ms: Date.now() - t };
    };
    const good = await runJob();
    expect(good.ok, `${good.line}\n${good.log}`).toBe(true);
    console.log(`site CI job (GitLab script, one course's labs) in the image: ${good.ms} ms`);

    const bad = join(ROOT, 'test/fixtures/labs/invalid/netsec/typo-key.yaml');
    cpSync(bad, join(site, 'labs/netsec/typo-key.yaml'));
    const failed = await runJob();
    expect(failed.ok).toBe(false);
    expect(failed.line).toContain('labs validate');
    const expected = /# expect: (.*)/.exec(readFileSync(bad, 'utf8'))![1]!;
    expect(failed.log).toContain(expected);
  });
});
