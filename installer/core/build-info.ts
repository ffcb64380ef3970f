// What this labctl is and where its files come from: a checkout, the npm package or the single
// executable. `labctl version` prints it and render records the version in the site's CI files.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { REPO_ROOT, repoPath } from './paths.ts';

export type InstallKind = 'checkout' | 'npm package' | 'single executable';

/** Written by the packaging build (installer/packaging/) next to the bundle and into the executable. */
export interface BuildRecord {
  version: string;
  commit: string | null;
  node?: string;
}

export const BUILD_RECORD_PATH = 'dist/build.json';

let pkg: { version: string; name: string } | undefined;
/** labctl's version: the one in package.json, which the package and the executable both carry. */
export function labctlVersion(): string {
  pkg ??= JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string; name: string };
  return pkg.version;
}

export function installKind(): InstallKind {
  if ((globalThis as { __LABCTL_ROOT__?: string }).__LABCTL_ROOT__) return 'single executable';
  // The package ships the bundle and no TypeScript sources; a checkout always has them.
  return existsSync(repoPath('installer/cli/main.ts')) ? 'checkout' : 'npm package';
}

export function buildRecord(): BuildRecord | null {
  const p = repoPath(BUILD_RECORD_PATH);
  return installKind() !== 'checkout' && existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as BuildRecord) : null;
}

/** The pinned upstream set is gitops/versions.yaml; its identity is the digest of its bytes. */
export function versionsFileInfo(): { path: string; sha256: string } {
  const path = repoPath('gitops/versions.yaml');
  return { path, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') };
}

export { REPO_ROOT };
