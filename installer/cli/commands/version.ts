// `labctl version`: which labctl this is, how it was installed, and the pinned upstream set it renders
// (gitops/versions.yaml, identified by its digest) with where each component comes from.
import { buildRecord, installKind, labctlVersion, REPO_ROOT, versionsFileInfo } from '../../core/build-info.ts';
import { pinnedVersions, type Component } from '../../core/versions.ts';
import { printJson, type OutputFormat } from '../output.ts';

const source = (c: Component): string =>
  c.chart
    ? `chart ${c.chart} from ${c.repo}`
    : c.image
      ? `image ${c.image}`
      : c.manifests
        ? `manifests from ${c.manifests}`
        : '';

export function versionReport() {
  const record = buildRecord();
  const v = pinnedVersions();
  const file = versionsFileInfo();
  return {
    labctl: {
      version: labctlVersion(),
      install: installKind(),
      commit: record?.commit ?? null,
      files: REPO_ROOT,
      node: process.version,
    },
    upstream: {
      set: `sha256:${file.sha256.slice(0, 12)}`,
      file: file.path,
      kubernetes: { default: v.kubernetes.default, supportedMinors: v.kubernetes.supportedMinors },
      components: Object.entries(v.components).map(([name, c]) => ({ name, version: c.version, source: source(c) })),
    },
  };
}

export async function versionCommand(o: { output: OutputFormat }): Promise<void> {
  const r = versionReport();
  if (o.output === 'json') return printJson(r);
  const l = r.labctl;
  const lines = [
    `labctl ${l.version} (${l.install}${l.commit ? `, commit ${l.commit.slice(0, 12)}` : ''}, Node ${l.node})`,
    `  files: ${l.files}`,
    `upstream set ${r.upstream.set}: ${r.upstream.file}`,
    `  kubernetes ${r.upstream.kubernetes.default} (kubeadm may install ${r.upstream.kubernetes.supportedMinors.join(', ')})`,
  ];
  const w = Math.max(...r.upstream.components.map((c) => c.name.length));
  const wv = Math.max(...r.upstream.components.map((c) => c.version.length));
  for (const c of r.upstream.components) lines.push(`  ${c.name.padEnd(w)}  ${c.version.padEnd(wv)}  ${c.source}`);
  process.stdout.write(lines.join('\n') + '\n');
}
