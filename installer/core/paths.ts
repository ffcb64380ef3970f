import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

/** Root of the labctl checkout: gitops/, charts/, images/ are read from here. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const repoPath = (...parts: string[]) => resolve(REPO_ROOT, ...parts);
