// Applying rendered objects to the real kube-apiserver the way ArgoCD syncs them: server-side apply
// (ArgoCD's ServerSideApply=true sync option) with strict field validation, one batch per step; objects a
// controller would act on (Jobs) are applied with --dry-run=server, which runs every admission and
// validation step but stores nothing.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../../installer/render/model.ts';
import { kubectl } from './client.ts';

export const FIELD_MANAGER = 'argocd-controller';
const CONTROLLER_KINDS = new Set(['Job', 'CronJob', 'Pod', 'Deployment', 'StatefulSet', 'DaemonSet']);

export interface Applied {
  ok: number;
  refused: string[];
}

export const objectId = (o: K8sObject) =>
  `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/** Server-side applies the objects (one kubectl per batch); returns how many the server accepted and why others were refused. */
export async function applyObjects(
  objects: K8sObject[],
  o: { dryRunKinds?: Set<string>; kubeconfig?: string } = {},
): Promise<Applied> {
  const dry = o.dryRunKinds ?? CONTROLLER_KINDS;
  const res: Applied = { ok: 0, refused: [] };
  for (const [batch, extra] of [
    [objects.filter((x) => !dry.has(x.kind)), []],
    [objects.filter((x) => dry.has(x.kind)), ['--dry-run=server']],
  ] as const) {
    if (!batch.length) continue;
    const r = await kubectl(
      [
        'apply',
        '--server-side',
        `--field-manager=${FIELD_MANAGER}`,
        '--force-conflicts',
        '--validate=strict',
        ...extra,
        '-o',
        'name',
        '-f',
        '-',
      ],
      // JSON documents: kubectl reads YAML 1.1, where an unquoted `yes` or `on` from a YAML 1.2 writer would
      // arrive as a boolean; JSON quotes every string, so the server sees exactly the object.
      { stdin: batch.map((x) => JSON.stringify(x)).join('\n---\n'), kubeconfig: o.kubeconfig },
    );
    const names = r.stdout.split('\n').filter(Boolean);
    res.ok += names.length;
    if (r.code !== 0) res.refused.push(r.stderr.trim() || `kubectl exit ${r.code}`);
    if (r.code === 0 && names.length !== batch.length)
      res.refused.push(`kubectl printed ${names.length} names for ${batch.length} objects`);
  }
  return res;
}

export function parseYamlFile(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as K8sObject)
    .filter(Boolean);
}

/** Every *.yaml under dir (not recursive), sorted by name. */
export function yamlFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => join(dir, f))
    : [];
}

export const wave = (o: K8sObject) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);

/** Stable sort by sync wave (ArgoCD also orders by kind inside a wave; namespaces come first here). */
export const byWave = (objs: K8sObject[]) => [...objs].sort((a, b) => wave(a) - wave(b));
