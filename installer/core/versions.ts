// The one place upstream versions are read from: gitops/versions.yaml.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { Problem } from './diagnostics.ts';
import { repoPath } from './paths.ts';

export interface Component {
  repo?: string;
  chart?: string;
  version: string;
  appVersion?: string;
  oci?: boolean;
  image?: string;
  manifests?: string;
  /** Upstream release notes of a version (`{version}` is replaced): `labctl diff` links them on a change. */
  notes?: string;
}
export interface Versions {
  kubernetes: { default: string; supportedMinors: string[] };
  components: Record<string, Component>;
}

// bin/build.js puts the parsed file into the bundle (and rebuilds when the file changes), so a start
// does not parse YAML for it; run from the sources (tsx, vitest) it is read here.
declare const __LABCTL_PINNED_VERSIONS__: Versions | undefined;

const FILE = 'gitops/versions.yaml';

let cached: Versions | undefined;
export function pinnedVersions(): Versions {
  cached ??= checkedPins(
    typeof __LABCTL_PINNED_VERSIONS__ === 'undefined'
      ? parsePins(readFileSync(repoPath(FILE), 'utf8'))
      : __LABCTL_PINNED_VERSIONS__,
  );
  return cached;
}

/** The file parsed; broken YAML is the edit's error (file, line, column), not a labctl bug. */
export function parsePins(text: string): unknown {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const e = doc.errors[0];
  if (e) {
    const { line, col } = lc.linePos(e.pos[0]);
    throw new Problem(`${FILE}:${line}:${col}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  return doc.toJS();
}

/** Every component pinned to a version: a pin without one rendered an unpinned chart, silently. */
export function checkedPins(v: unknown): Versions {
  const pins = v as Partial<Versions> | null;
  const bad: string[] = [];
  if (typeof pins?.kubernetes?.default !== 'string') bad.push('kubernetes.default is not a version');
  for (const [name, c] of Object.entries(pins?.components ?? {}))
    if (typeof c?.version !== 'string' || !c.version.trim()) bad.push(`components.${name}.version is missing`);
  if (!pins?.components || bad.length)
    throw new Problem(
      `${FILE}: ${bad.length ? bad.join('; ') : 'no components'} (every upstream version is pinned there)`,
    );
  return pins as Versions;
}

/** Pinned versions with the inventory's overrides applied (unknown names are reported by validate). */
export function effectiveVersions(overrides: Record<string, string>): Versions {
  const base = pinnedVersions();
  const components: Record<string, Component> = {};
  for (const [name, c] of Object.entries(base.components))
    components[name] = overrides[name] ? { ...c, version: overrides[name]! } : c;
  return { kubernetes: base.kubernetes, components };
}

export const minorOf = (v: string) => v.replace(/^v/, '').split('.').slice(0, 2).join('.');
