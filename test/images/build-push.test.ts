// labctl images build / push with real parts: a qcow2 made by qemu-img, the containerDisk written as
// an OCI layout, pushed by real skopeo to a real registry (Debian's docker-registry) on loopback, read
// back over the registry's HTTP API. Bad input: checksum mismatch, missing base image, refusing registries.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labctl } from '../helpers.ts';
import {
  MANIFEST_ACCEPT,
  startFileServer,
  startRefusingProxy,
  startRegistry,
  tagsOf,
  type FileServer,
  type Registry,
} from './registry.ts';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const work = mkdtempSync(join(tmpdir(), 'labctl-images-'));
const catalog = join(work, 'catalog');
const cache = join(work, 'cache');
const disk = join(work, 'tiny.qcow2');
let diskBytes: Buffer;
let registry: Registry;
let files: FileServer;
const measured: Record<string, unknown> = {};

/** A catalog entry written for the test; `base` overrides url/sha256. */
function defineImage(name: string, base: { url: string; sha256: string }, extra = '') {
  mkdirSync(join(catalog, name), { recursive: true });
  writeFileSync(
    join(catalog, name, 'image.yaml'),
    [
      'apiVersion: 1',
      `name: ${name}`,
      'version: "1.0"',
      'description: test image',
      'os: {family: ubuntu, release: "24.04"}',
      'base:',
      `  url: ${base.url}`,
      `  sha256: ${base.sha256}`,
      'defaultUser: ubuntu',
      'minDiskGiB: 1',
      extra,
    ].join('\n') + '\n',
  );
  writeFileSync(join(catalog, name, 'user-data.yaml'), '#cloud-config\npackages: [tcpdump]\n');
}

const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  labctl(args, { cwd: work, env: { XDG_CACHE_HOME: join(work, 'xdg'), ...env } });
const build = (name: string, extra: string[] = []) =>
  run([
    'images',
    'build',
    name,
    '--images-dir',
    catalog,
    '--cache-dir',
    cache,
    '--out',
    join(work, 'out', name),
    ...extra,
  ]);
const push = (name: string, host: string, extra: string[] = []) =>
  run([
    'images',
    'push',
    name,
    '--images-dir',
    catalog,
    '--registry',
    host,
    '--no-tls-verify',
    '--oci-dir',
    join(work, 'out', name),
    ...extra,
  ]);

async function manifestOf(host: string, repo: string, ref: string) {
  const r = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, { headers: { accept: MANIFEST_ACCEPT } });
  const body = Buffer.from(await r.arrayBuffer());
  return {
    status: r.status,
    digest: r.headers.get('docker-content-digest'),
    body,
    json: r.status === 200 ? JSON.parse(body.toString()) : undefined,
  };
}

async function tarEntries(gz: Buffer) {
  const out: {
    name: string;
    type: string;
    uid: number;
    gid: number;
    mode: number;
    size: number;
    sha: string;
    mtime: number;
  }[] = [];
  const ex = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const hash = createHash('sha256');
      let size = 0;
      stream.on('data', (c: unknown) => {
        const b = c as Buffer;
        hash.update(b);
        size += b.length;
      });
      stream.on('end', () => {
        out.push({
          name: h.name,
          type: h.type ?? 'file',
          uid: h.uid ?? -1,
          gid: h.gid ?? -1,
          mode: h.mode ?? 0,
          size,
          sha: hash.digest('hex'),
          mtime: h.mtime?.getTime() ?? -1,
        });
        next();
      });
      stream.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  Readable.from([gz])
    .pipe(createGunzip())
    .pipe(ex as unknown as NodeJS.WritableStream);
  await done;
  return out;
}

beforeAll(async () => {
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '64M']);
  diskBytes = readFileSync(disk);
  registry = await startRegistry();
  files = await startFileServer({
    '/good.img': diskBytes,
    '/wrong.img': Buffer.concat([diskBytes.subarray(0, 1000), Buffer.from('tampered')]),
  });
  defineImage('tiny', { url: `${files.url}/good.img`, sha256: sha256(diskBytes) });
});

afterAll(async () => {
  await registry?.stop();
  await files?.stop();
  rmSync(work, { recursive: true, force: true });
  // Figures for the report (sizes and digests of the test image).
  process.stdout.write(`images figures: ${JSON.stringify(measured)}\n`);
});

describe('labctl images build (real qemu-img qcow2, OCI layout written by labctl)', () => {
  it('downloads the base image over HTTP, verifies it and caches it under its checksum', async () => {
    const t0 = performance.now();
    const r = await build('tiny');
    measured.buildMs = Math.round(performance.now() - t0);
    expect(r.stderr).toContain('sha256 verified');
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(cache, 'sha256'))).toEqual([sha256(diskBytes)]);
    expect(readdirSync(join(cache, 'partial'))).toEqual([]);
    expect(r.stdout).toMatch(/built tiny:1\.0 .*\n {2}manifest sha256:[0-9a-f]{64}\n {2}layer {4}sha256:[0-9a-f]{64} /);
  });

  it('writes an OCI layout whose single layer holds disk/tiny.qcow2 owned by 107:107, mode 0440', async () => {
    const dir = join(work, 'out', 'tiny');
    expect(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0].annotations['org.opencontainers.image.ref.name']).toBe('1.0');
    const blob = (d: string) => readFileSync(join(dir, 'blobs', 'sha256', d.replace('sha256:', '')));
    const manifestBytes = blob(index.manifests[0].digest);
    expect(`sha256:${sha256(manifestBytes)}`).toBe(index.manifests[0].digest);
    const manifest = JSON.parse(manifestBytes.toString());
    expect(manifest.layers).toHaveLength(1);
    const config = JSON.parse(blob(manifest.config.digest).toString());
    expect(config).toMatchObject({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' } });
    const layer = blob(manifest.layers[0].digest);
    expect(`sha256:${sha256(layer)}`).toBe(manifest.layers[0].digest);
    const entries = await tarEntries(layer);
    expect(entries.map((e) => [e.name, e.type, e.uid, e.gid, e.mode.toString(8)])).toEqual([
      ['disk/', 'directory', 107, 107, '555'],
      ['disk/tiny.qcow2', 'file', 107, 107, '440'],
    ]);
    expect(entries[1]!.sha).toBe(sha256(diskBytes));
    // diff_id is the sha256 of the uncompressed tar.
    const { gunzipSync } = await import('node:zlib');
    expect(config.rootfs.diff_ids).toEqual([`sha256:${sha256(gunzipSync(layer))}`]);
    Object.assign(measured, {
      diskBytes: diskBytes.length,
      layerBytes: layer.length,
      manifestDigest: index.manifests[0].digest,
      layerDigest: manifest.layers[0].digest,
    });
  });

  it('is deterministic: building the same disk again gives the same manifest digest', async () => {
    const first = readFileSync(join(work, 'out', 'tiny', 'index.json'), 'utf8');
    const r = await build('tiny');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('cached and verified');
    expect(readFileSync(join(work, 'out', 'tiny', 'index.json'), 'utf8')).toBe(first);
  });

  it('--from takes a local qcow2 instead of downloading; a missing --from file is a clear error', async () => {
    const r = await build('tiny', ['--from', disk, '--out', join(work, 'out', 'from')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`sha256 ${sha256(diskBytes)}`);
    const missing = await build('tiny', ['--from', join(work, 'nope.qcow2'), '--out', join(work, 'out', 'from2')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`labctl: --from ${join(work, 'nope.qcow2')}: file not found`);
    expect(existsSync(join(work, 'out', 'from2'))).toBe(false);
  });

  it('a file that is not a disk image is refused', async () => {
    writeFileSync(join(work, 'page.html'), '<html>Not Found</html>');
    const r = await build('tiny', ['--from', join(work, 'page.html'), '--out', join(work, 'out', 'html')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/page\.html is not a disk image/);
  });

  it('checksum mismatch: a clear error at base.sha256, and nothing is kept in the cache', async () => {
    // The expected checksum is one no cached file has (the cache is content-addressed).
    const want = sha256('what the publisher listed');
    defineImage('wrongsum', { url: `${files.url}/wrong.img`, sha256: want });
    const r = await build('wrongsum');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `catalog/wrongsum/image.yaml:8:11 base.sha256: checksum mismatch: the downloaded file \\(1008 bytes\\) has sha256 ${sha256(Buffer.concat([diskBytes.subarray(0, 1000), Buffer.from('tampered')]))}, expected ${want}`,
      ),
    );
    expect(r.stderr).toContain('nothing was kept');
    expect(readdirSync(join(cache, 'partial'))).toEqual([]);
    expect(readdirSync(join(cache, 'sha256'))).toEqual([sha256(diskBytes)]); // only the earlier good file
    expect(existsSync(join(work, 'out', 'wrongsum'))).toBe(false);
  });

  it('checksum mismatch through file:// too', async () => {
    writeFileSync(join(work, 'other.img'), 'other bytes');
    defineImage('wrongfile', { url: `file://${join(work, 'other.img')}`, sha256: 'a'.repeat(64) });
    const r = await build('wrongfile');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `base.sha256: checksum mismatch: the downloaded file (11 bytes) has sha256 ${sha256('other bytes')}, expected ${'a'.repeat(64)}`,
    );
    expect(existsSync(join(cache, 'sha256', 'a'.repeat(64)))).toBe(false);
  });

  it('missing base image: HTTP 404 is reported at base.url', async () => {
    defineImage('gone', { url: `${files.url}/gone.img`, sha256: 'b'.repeat(64) });
    const r = await build('gone');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `catalog/gone/image.yaml:7:8 base.url: base image not found (HTTP 404) from ${files.url}/gone.img`,
    );
  });

  it('resumes a partial download with a Range request and verifies the whole file', async () => {
    const c2 = join(work, 'cache2');
    mkdirSync(join(c2, 'partial'), { recursive: true });
    writeFileSync(join(c2, 'partial', `${sha256(diskBytes)}.part`), diskBytes.subarray(0, 4096));
    const before = files.requests.length;
    const r = await run([
      'images',
      'build',
      'tiny',
      '--images-dir',
      catalog,
      '--cache-dir',
      c2,
      '--out',
      join(work, 'out', 'resumed'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('resuming');
    expect(files.requests.slice(before)).toEqual([{ path: '/good.img', range: 'bytes=4096-' }]);
    expect(readFileSync(join(work, 'out', 'resumed', 'index.json'), 'utf8')).toBe(
      readFileSync(join(work, 'out', 'tiny', 'index.json'), 'utf8'),
    );
  });

  it('a tampered cache entry is detected and downloaded again, never used', async () => {
    const c3 = join(work, 'cache3');
    mkdirSync(join(c3, 'sha256'), { recursive: true });
    writeFileSync(join(c3, 'sha256', sha256(diskBytes)), 'tampered');
    const r = await run([
      'images',
      'build',
      'tiny',
      '--images-dir',
      catalog,
      '--cache-dir',
      c3,
      '--out',
      join(work, 'out', 'tampered'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('no longer matches its checksum');
    expect(sha256(readFileSync(join(c3, 'sha256', sha256(diskBytes))))).toBe(sha256(diskBytes));
  });

  it('customize steps without virt-customize: built with a clear note, recorded as not customized', async () => {
    defineImage(
      'custom',
      { url: `${files.url}/good.img`, sha256: sha256(diskBytes) },
      'customize:\n  - install: [htop]\n  - run: "true"',
    );
    const r = await run(
      [
        'images',
        'build',
        'custom',
        '--images-dir',
        catalog,
        '--cache-dir',
        cache,
        '--out',
        join(work, 'out', 'custom'),
      ],
      { PATH: `/usr/bin:/bin` },
    );
    expect(r.code, r.stderr).toBe(0);
    // The CI image does not install libguestfs-tools (too large); this is the path it takes.
    expect(existsSync('/usr/bin/virt-customize')).toBe(false);
    expect(r.stderr).toContain(
      'note: 2 customize step(s) of custom NOT run: virt-customize is not installed (Debian package libguestfs-tools)',
    );
    const manifest = JSON.parse(
      readFileSync(
        join(
          work,
          'out',
          'custom',
          'blobs',
          'sha256',
          JSON.parse(readFileSync(join(work, 'out', 'custom', 'index.json'), 'utf8')).manifests[0].digest.slice(7),
        ),
        'utf8',
      ),
    );
    expect(manifest.annotations['io.campus-lab.image.customized']).toBe('false');
  });

  it('refuses to replace an output folder that is not a labctl build', async () => {
    const foreign = join(work, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'keep me');
    const r = await build('tiny', ['--out', foreign]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not empty and is not a labctl image build');
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('keep me');
  });
});

describe('labctl images push (real skopeo to a real docker-registry on loopback)', () => {
  it('pushes by digest, then tags the version; the manifest read back names the same layer', async () => {
    const t0 = performance.now();
    const r = await push('tiny', registry.host);
    measured.pushMs = Math.round(performance.now() - t0);
    expect(r.code, r.stderr).toBe(0);
    const local = JSON.parse(readFileSync(join(work, 'out', 'tiny', 'index.json'), 'utf8')).manifests[0]
      .digest as string;
    expect(r.stdout).toContain(`pushed ${registry.host}/labs/tiny:1.0 (${local}`);
    expect(await tagsOf(registry.host, 'labs/tiny')).toEqual(['1.0']);
    const m = await manifestOf(registry.host, 'labs/tiny', '1.0');
    expect(m.status).toBe(200);
    expect(m.digest).toBe(local);
    expect(`sha256:${sha256(m.body)}`).toBe(local);
    const layerDigest = m.json.layers[0].digest as string;
    const blob = Buffer.from(
      await (await fetch(`http://${registry.host}/v2/labs/tiny/blobs/${layerDigest}`)).arrayBuffer(),
    );
    expect(`sha256:${sha256(blob)}`).toBe(layerDigest);
    const entries = await tarEntries(blob);
    const file = entries.find((e) => e.name === 'disk/tiny.qcow2');
    expect(file).toMatchObject({ uid: 107, gid: 107, size: diskBytes.length, sha: sha256(diskBytes) });
    expect(file!.mode & 0o777).toBe(0o440);
  });

  it('pushing the same build again sends nothing', async () => {
    const r = await push('tiny', registry.host);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('is already in the registry');
  });

  it('a different build under a version that exists is refused and the tag is unchanged', async () => {
    const before = (await manifestOf(registry.host, 'labs/tiny', '1.0')).digest;
    const other = join(work, 'other.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', other, '32M']);
    expect((await build('tiny', ['--from', other])).code).toBe(0);
    const r = await push('tiny', registry.host);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${registry.host}/labs/tiny:1.0 already exists with another digest (${before}`);
    expect(r.stderr).toContain('bump version in image.yaml');
    expect((await manifestOf(registry.host, 'labs/tiny', '1.0')).digest).toBe(before);
    expect((await build('tiny')).code).toBe(0); // back to the pushed build for the next tests
  });

  it('a read-only registry refuses the upload: clear error, no tag', async () => {
    const ro = await startRegistry({ readonly: true });
    try {
      const r = await push('tiny', ro.host);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`push of ${ro.host}/labs/tiny:1.0 failed: the registry refused the upload`);
      expect(r.stderr).toContain('(no tag 1.0 was created)');
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(await tagsOf(ro.host, 'labs/tiny')).toEqual([]);
      expect((await manifestOf(ro.host, 'labs/tiny', '1.0')).status).toBe(404);
    } finally {
      await ro.stop();
    }
  });

  it('a registry that refuses blob uploads (HTTP 403): clear error, no tag', async () => {
    const up = await startRegistry();
    const proxy = await startRefusingProxy(up.host, (method, url) =>
      method === 'POST' && url.includes('/blobs/uploads') ? 403 : undefined,
    );
    try {
      const r = await push('tiny', proxy.host);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('the registry refused the upload');
      expect(r.stderr).toContain('(no tag 1.0 was created)');
      expect(proxy.refused.length).toBeGreaterThan(0);
      expect(await tagsOf(up.host, 'labs/tiny')).toEqual([]);
    } finally {
      await proxy.stop();
      await up.stop();
    }
  });

  it('a registry that stores the content but refuses the tag (HTTP 500): clear error, no tag left behind', async () => {
    const up = await startRegistry();
    // Manifests by digest pass; a manifest PUT to a tag is refused.
    const proxy = await startRefusingProxy(up.host, (method, url) =>
      method === 'PUT' && /\/manifests\/(?!sha256:)/.test(url) ? 500 : undefined,
    );
    try {
      const r = await push('tiny', proxy.host);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`push of ${proxy.host}/labs/tiny:1.0 failed: the registry refused the tag`);
      expect(r.stderr).toContain('(no tag 1.0 was created)');
      expect(proxy.refused).toEqual(['PUT /v2/labs/tiny/manifests/1.0']);
      expect(await tagsOf(up.host, 'labs/tiny')).toEqual([]);
      // The content arrived by digest only (untagged, garbage to the registry).
      const local = JSON.parse(readFileSync(join(work, 'out', 'tiny', 'index.json'), 'utf8')).manifests[0]
        .digest as string;
      expect((await manifestOf(up.host, 'labs/tiny', local)).status).toBe(200);
    } finally {
      await proxy.stop();
      await up.stop();
    }
  });

  it('credentials from the environment reach skopeo through a private auth file, not argv', async () => {
    // Against the open test registry the credentials are not checked; what matters is that the push
    // works with them set and that no file with them is left behind.
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('labctl-auth-'));
    const r = await push('tiny', registry.host, []);
    const withCreds = await run(
      [
        'images',
        'push',
        'tiny',
        '--images-dir',
        catalog,
        '--registry',
        registry.host,
        '--no-tls-verify',
        '--oci-dir',
        join(work, 'out', 'tiny'),
      ],
      { LABCTL_REGISTRY_USERNAME: 'robot$labs', LABCTL_REGISTRY_PASSWORD: 's3cret-not-in-argv' },
    );
    expect(r.code).toBe(0);
    expect(withCreds.code, withCreds.stderr).toBe(0);
    expect(withCreds.stderr + withCreds.stdout).not.toContain('s3cret-not-in-argv');
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('labctl-auth-'))).toEqual(before);
    const half = await run(
      [
        'images',
        'push',
        'tiny',
        '--images-dir',
        catalog,
        '--registry',
        registry.host,
        '--no-tls-verify',
        '--oci-dir',
        join(work, 'out', 'tiny'),
      ],
      { LABCTL_REGISTRY_USERNAME: 'robot' },
    );
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('LABCTL_REGISTRY_USERNAME is set but LABCTL_REGISTRY_PASSWORD is not');
  });

  it('push without a build says to build first', async () => {
    defineImage('unbuilt', { url: `${files.url}/good.img`, sha256: sha256(diskBytes) });
    const r = await push('unbuilt', registry.host);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('holds no image build; run labctl images build first');
  });
});
