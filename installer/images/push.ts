// Pushes a built containerDisk to the site registry (Harbor) with skopeo, in two steps so a refused
// push never leaves a tag behind: (1) blobs and manifest by digest (repo@sha256:...): no tag exists yet,
// an untagged manifest is garbage to the registry; (2) the version tag, written by one manifest PUT of
// the same bytes; then the tag is read back and must name exactly our digest.
// A version that already points to another digest is never overwritten (bump the version) unless asked.
// Credentials: an auth file (--authfile, or REGISTRY_AUTH_FILE as skopeo reads it) or the environment
// (LABCTL_REGISTRY_USERNAME / LABCTL_REGISTRY_PASSWORD, written to a private temporary auth file):
// never on a command line, where `ps` would show them.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Problem, UsageError } from '../core/diagnostics.ts';
import { readLayout, type LayoutInfo } from './oci.ts';
import { imageRepository, IMAGES_PROJECT } from './catalog.ts';
import { requireTool, run, tail } from './tools.ts';

export interface PushOptions {
  ociDir: string;
  registry: string;
  project?: string;
  /** Expected name/version (from the catalog); the build output must match them. */
  name: string;
  version: string;
  authfile?: string;
  tlsVerify?: boolean;
  overwrite?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface PushResult {
  reference: string;
  digest: string;
  layerDigest: string;
  layerSize: number;
  /** false when the registry already had this exact version (nothing was sent). */
  pushed: boolean;
}

type Remote = { state: 'absent' } | { state: 'present'; digest: string };

export async function pushImage(o: PushOptions): Promise<PushResult> {
  const skopeo = requireTool('skopeo');
  const log = o.log ?? (() => {});
  const env = o.env ?? process.env;
  const layout: LayoutInfo = readLayout(o.ociDir);
  if (layout.name !== o.name || layout.version !== o.version) {
    throw new Problem(
      `${o.ociDir} holds ${layout.name}:${layout.version}, but the catalog defines ${o.name}:${o.version}; run labctl images build ${o.name} again`,
    );
  }
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(o.registry))
    throw new UsageError(
      `--registry ${JSON.stringify(o.registry)}: expected a host name with an optional :port, e.g. harbor.lab.example.edu`,
    );
  const repo = imageRepository(o.registry, o.name, o.project ?? IMAGES_PROJECT);
  const tagRef = `docker://${repo}:${o.version}`;
  const digestRef = `docker://${repo}@${layout.manifestDigest}`;
  const tls = o.tlsVerify === false ? 'false' : 'true';

  let tmpAuth: string | undefined;
  let authfile = o.authfile ? resolve(o.authfile) : undefined;
  if (!authfile && env.LABCTL_REGISTRY_USERNAME) {
    if (!env.LABCTL_REGISTRY_PASSWORD)
      throw new UsageError('LABCTL_REGISTRY_USERNAME is set but LABCTL_REGISTRY_PASSWORD is not');
    tmpAuth = mkdtempSync(join(tmpdir(), 'labctl-auth-'));
    authfile = join(tmpAuth, 'auth.json');
    const auth = Buffer.from(`${env.LABCTL_REGISTRY_USERNAME}:${env.LABCTL_REGISTRY_PASSWORD}`).toString('base64');
    writeFileSync(authfile, JSON.stringify({ auths: { [o.registry]: { auth } } }), { mode: 0o600 });
  }
  // skopeo's own environment minus our variables: the password reaches skopeo only through the file.
  const childEnv = { ...env };
  delete childEnv.LABCTL_REGISTRY_PASSWORD;
  delete childEnv.LABCTL_REGISTRY_USERNAME;
  const skopeoRun = (args: string[]) => run(skopeo, args, { env: childEnv, timeoutMs: 6 * 3600_000 });

  const remote = async (ref: string): Promise<Remote> => {
    const r = await skopeoRun([
      'inspect',
      '--raw',
      `--tls-verify=${tls}`,
      ...(authfile ? ['--authfile', authfile] : []),
      ref,
    ]);
    if (r.code === 0)
      return { state: 'present', digest: `sha256:${createHash('sha256').update(r.stdout).digest('hex')}` };
    if (/manifest unknown|not found|name unknown|NAME_UNKNOWN|MANIFEST_UNKNOWN/i.test(r.stderr))
      return { state: 'absent' };
    throw new Problem(`cannot read ${ref.slice(9)} from the registry: ${clean(r.stderr)}`);
  };

  let earlier: string | undefined;
  try {
    const before = await remote(tagRef);
    earlier = before.state === 'present' ? before.digest : undefined;
    if (before.state === 'present' && before.digest === layout.manifestDigest) {
      log(`${repo}:${o.version} already holds ${layout.manifestDigest}; nothing to push`);
      return {
        reference: `${repo}:${o.version}`,
        digest: layout.manifestDigest,
        layerDigest: layout.layerDigest,
        layerSize: layout.layerSize,
        pushed: false,
      };
    }
    if (before.state === 'present' && !o.overwrite) {
      throw new Problem(
        `${repo}:${o.version} already exists with another digest (${before.digest}, this build is ${layout.manifestDigest}). ` +
          'A pushed version is never changed under the labs using it: bump version in image.yaml (or pass --overwrite)',
      );
    }

    const dest = [`--dest-tls-verify=${tls}`, ...(authfile ? ['--dest-authfile', authfile] : [])];
    // Step 1: content by digest. No tag can appear here.
    log(`pushing blobs and manifest to ${repo}@${layout.manifestDigest}`);
    const byDigest = await skopeoRun([
      'copy',
      '--preserve-digests',
      ...dest,
      `oci:${o.ociDir}:${o.version}`,
      digestRef,
    ]);
    if (byDigest.code !== 0) await refused('the registry refused the upload', byDigest.stderr);

    // Step 2: the tag (one manifest PUT; the blobs are already there).
    log(`tagging ${repo}:${o.version}`);
    const src = [`--src-tls-verify=${tls}`, ...(authfile ? ['--src-authfile', authfile] : [])];
    const tag = await skopeoRun(['copy', '--preserve-digests', ...src, ...dest, digestRef, tagRef]);
    if (tag.code !== 0) await refused('the registry refused the tag', tag.stderr);

    const after = await remote(tagRef);
    if (after.state !== 'present' || after.digest !== layout.manifestDigest) {
      throw new Problem(
        `after the push, ${repo}:${o.version} ${after.state === 'present' ? `names ${after.digest}` : 'does not exist'}; expected ${layout.manifestDigest}`,
      );
    }
    return {
      reference: `${repo}:${o.version}`,
      digest: layout.manifestDigest,
      layerDigest: layout.layerDigest,
      layerSize: layout.layerSize,
      pushed: true,
    };
  } finally {
    if (tmpAuth) rmSync(tmpAuth, { recursive: true, force: true });
  }

  async function refused(what: string, stderr: string): Promise<never> {
    // Say what the tag looks like now, having checked rather than assumed.
    let state = '';
    try {
      const now = await remote(tagRef);
      state =
        now.state === 'absent'
          ? `no tag ${o.version} was created`
          : now.digest === earlier
            ? `tag ${o.version} still names its earlier digest ${now.digest}`
            : `tag ${o.version} names ${now.digest}`;
    } catch {
      state = 'the tag state could not be read back';
    }
    throw new Problem(`push of ${repo}:${o.version} failed: ${what}: ${clean(stderr)} (${state})`);
  }
}

/** skopeo's fatal line without its logrus decoration. */
function clean(stderr: string): string {
  const m = /level=fatal msg="((?:[^"\\]|\\.)*)"/.exec(stderr);
  return m ? m[1]!.replace(/\\"/g, '"') : tail(stderr, 2);
}
