// labs.path names a folder of the site repository that course staff commit to and that the labs
// ApplicationSet and CI read. It must stay inside the repository and clear of what render writes or Git
// and labctl treat specially: otherwise a lab commit lands in (or a render overwrites) platform files.
import type { Rule } from './context.ts';

/** Top-level names of the site repository that are not the labs folder (compared case-insensitively:
 * macOS and Windows checkouts fold case). */
export const RESERVED_TOP = [
  'apps',
  'components',
  'charts',
  'bootstrap',
  'secrets',
  'routers',
  'dns',
  'runbooks',
  '.git',
  '.github',
  '.gitlab',
  '.gitlab-ci.yml',
  '.labctl',
  '.gitignore',
  '.gitattributes',
  'readme.md',
  'inventory.yaml',
  'inventory.schema.json',
];

/** Why `path` cannot be the labs folder, or undefined when it can. */
export function labsPathProblem(path: string): string | undefined {
  const segs = path.split('/');
  const dot = segs.find((s) => s === '.' || s === '..');
  if (dot)
    return `${JSON.stringify(path)} has a "${dot}" segment; labs.path is a folder inside the site repository, written without . or ..`;
  if (segs.some((s) => s.toLowerCase() === '.git'))
    return `${JSON.stringify(path)} is inside a .git folder, which Git keeps to itself`;
  const top = segs[0]!.toLowerCase();
  if (RESERVED_TOP.includes(top))
    return `${JSON.stringify(path)} is inside ${segs[0]}, which labctl render or Git uses for the site's own files; lab commits there would mix with them`;
  return undefined;
}

export const labsPath: Rule = (ctx) => {
  const problem = labsPathProblem(ctx.site.labs.path);
  if (problem) ctx.error(['labs', 'path'], problem, 'use a folder of its own, e.g. labs (the default) or courses/labs');
};
