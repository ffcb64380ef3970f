// The README's push of the CI image into the site's Harbor, run as written with skopeo against a real
// registry on loopback (Debian's docker-registry stands in for Harbor: no Harbor can run here). Starts a
// daemon: run under the shared lock (flock /tmp/labctl-daemons.lock).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble } from '../../installer/packaging/release.ts';
import { MANIFEST_ACCEPT, startRegistry, tagsOf, type Registry } from '../images/registry.ts';
import { packageVersion, readmeBlock, release, runBlock, tmp } from './helpers.ts';

let registry: Registry;
let image: { dir: string; manifest: { digest: string } };

beforeAll(async () => {
  image = (await release<{ image: typeof image }>('image')).image;
  registry = await startRegistry();
}, 1_200_000);
afterAll(async () => {
  await registry?.stop();
});

describe('CI image push', () => {
  it("the README's skopeo copy puts the image in the registry under the version tag, digest unchanged", async () => {
    const dir = tmp('download');
    assemble(dir, { image: image.dir });
    // The stand-in registry speaks plain HTTP on loopback; a real Harbor has TLS and needs no such file.
    const home = tmp('home');
    mkdirSync(join(home, '.config/containers'), { recursive: true });
    writeFileSync(
      join(home, '.config/containers/registries.conf'),
      `[[registry]]\nlocation = "${registry.host}"\ninsecure = true\n`,
    );
    const r = await runBlock(readmeBlock('skopeo copy'), dir, {
      HOME: home,
      HARBOR: registry.host,
      PATH: '/usr/bin:/bin',
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await tagsOf(registry.host, 'platform/labctl')).toEqual([packageVersion()]);
    const head = await fetch(`http://${registry.host}/v2/platform/labctl/manifests/${packageVersion()}`, {
      method: 'HEAD',
      headers: { Accept: MANIFEST_ACCEPT },
    });
    expect(head.headers.get('docker-content-digest')).toBe(image.manifest.digest);
  });
});
