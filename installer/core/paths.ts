import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

/**
 * Root of labctl's own files: gitops/, charts/, images/ and the templates are read from here. In a
 * checkout and in the npm package that is two levels above this module (installer/core/ or the bundle's
 * dist/bundle/). The single executable has no such folder: its entry unpacks the embedded files and sets
 * the global below before any other module is evaluated (installer/packaging/sea-entry.ts).
 */
export const REPO_ROOT: string =
  (globalThis as { __LABCTL_ROOT__?: string }).__LABCTL_ROOT__ ??
  resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const repoPath = (...parts: string[]) => resolve(REPO_ROOT, ...parts);
