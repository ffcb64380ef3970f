// What a render changes in upstream versions, read from the rendered trees themselves (before: the site
// repository as it is; after: the new render): each Application's chart revision and each upstream
// manifest URL of a kustomization. `labctl diff` lists them with the upstream notes to read first, where
// gitops/versions.yaml names them (`notes`), so a version bump is reviewed before ArgoCD applies it.
import { parseAllDocuments } from 'yaml';
import type { Versions } from '../core/versions.ts';
import { showControls } from '../core/show-controls.ts';

export interface VersionChange {
  /** Application (chart) or component folder (manifests). */
  where: string;
  /** Chart name, or the gitops/versions.yaml key of upstream manifests. */
  what: string;
  from?: string;
  to?: string;
  /** Upstream release notes of the new version, from the pin's `notes` template. */
  notes?: string;
}

type Files = (path: string) => string | undefined;

interface Pinned {
  where: string;
  what: string;
  repo: string;
  version: string;
}

/** The fields read here, of an Application or a Kustomization (anything else just lacks them). */
interface Doc {
  kind?: string;
  metadata?: { name?: string };
  spec?: { sources?: Source[]; source?: Source };
  resources?: unknown[];
}
interface Source {
  chart?: unknown;
  repoURL?: string;
  targetRevision?: unknown;
}

const docsOf = (text: string | undefined): Doc[] => {
  if (!text) return [];
  try {
    return parseAllDocuments(text).map((d) => (d.toJS() ?? {}) as Doc);
  } catch {
    return []; // a hand-edited file that no longer parses: render's own diff shows it
  }
};

/** Chart sources of the Applications under apps/ and upstream URLs of components/<name>/kustomization.yaml. */
function pinnedIn(paths: string[], read: Files, versions: Versions): Pinned[] {
  const out: Pinned[] = [];
  for (const p of paths.filter((x) => /^apps\/[^/]+\.yaml$/.test(x))) {
    for (const d of docsOf(read(p))) {
      if (d.kind !== 'Application') continue;
      const spec = d.spec ?? {};
      const sources: Source[] = spec.sources ?? (spec.source ? [spec.source] : []);
      for (const s of sources)
        if (typeof s.chart === 'string' && s.targetRevision !== undefined)
          out.push({
            where: d.metadata?.name ?? p,
            what: s.chart,
            repo: s.repoURL ?? '',
            version: String(s.targetRevision),
          });
    }
  }
  const bases = Object.entries(versions.components)
    .filter(([, c]) => !!c.manifests)
    .map(([name, c]) => ({ name, base: c.manifests! }));
  for (const p of paths.filter((x) => /^components\/[^/]+\/kustomization\.yaml$/.test(x))) {
    for (const d of docsOf(read(p)))
      for (const url of d.resources ?? []) {
        if (typeof url !== 'string') continue;
        const pin = bases.find((b) => url.startsWith(`${b.base}/`));
        if (!pin) continue;
        const version = url.slice(pin.base.length + 1).split('/')[0]!;
        out.push({ where: p.split('/')[1]!, what: pin.name, repo: pin.base, version });
      }
  }
  return out;
}

/** The release-notes link of a pin's new version, when gitops/versions.yaml has a `notes` template for it. */
function notesFor(versions: Versions, what: string, repo: string, version: string): string | undefined {
  const pin = Object.entries(versions.components).find(
    ([name, c]) => (c.chart === what && c.repo === repo) || (c.manifests === repo && name === what),
  )?.[1];
  return pin?.notes?.replaceAll('{version}', version);
}

/** Version changes from the files `before` to the files `after`, sorted by place. */
export function versionChanges(
  before: { paths: string[]; read: Files },
  after: { paths: string[]; read: Files },
  versions: Versions,
): VersionChange[] {
  const key = (p: Pinned) => `${p.where}\u0000${p.what}`;
  const old = new Map(pinnedIn(before.paths, before.read, versions).map((p) => [key(p), p]));
  const now = new Map(pinnedIn(after.paths, after.read, versions).map((p) => [key(p), p]));
  const out: VersionChange[] = [];
  for (const k of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const a = old.get(k);
    const b = now.get(k);
    if (a && b && a.version === b.version) continue;
    const p = (b ?? a)!;
    const notes = b ? notesFor(versions, b.what, b.repo, b.version) : undefined;
    out.push({
      where: p.where,
      what: p.what,
      ...(a ? { from: a.version } : {}),
      ...(b ? { to: b.version } : {}),
      ...(notes ? { notes } : {}),
    });
  }
  return out;
}

/** One line per change, for `labctl diff`. */
export function formatVersionChanges(changes: VersionChange[]): string {
  if (!changes.length) return '';
  // `from` (and an Application's name) is read from the site repository as committed: one line each, its
  // newline and ESC shown escaped, so a committed targetRevision cannot add a forged "read first" line.
  const one = (s: string) => showControls(s);
  const lines = changes.map(
    (c) =>
      `#   ${one(c.where)}: ${one(c.what)} ${one(c.from ?? '(new)')} -> ${one(c.to ?? '(removed)')}${c.notes ? `  read first: ${one(c.notes)}` : ''}`,
  );
  return `# upstream version changes:\n${lines.join('\n')}\n`;
}
