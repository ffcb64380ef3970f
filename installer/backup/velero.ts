// Velero's objects as labctl reads and writes them (velero.io/v1, CRDs of vmware-tanzu/velero
// config/crd/v1/bases): a Backup's listing summary, a Backup made from a Schedule (what
// `velero backup create --from-schedule` does: pkg/builder/backup_builder.go FromSchedule) and a Restore.
// Pure: no API calls here (velero-api.ts makes them).
import { showControls } from '../core/show-controls.ts';

export const VELERO_NAMESPACE = 'velero';
export const SCHEDULE_LABEL = 'velero.io/schedule-name';
export const VELERO_GROUP = 'velero.io';
export const VELERO_VERSION = 'v1';

/** Backup phases after which Velero no longer changes the Backup. */
export const BACKUP_DONE = new Set(['Completed', 'PartiallyFailed', 'Failed', 'FailedValidation']);
/** Restore phases after which Velero no longer changes the Restore. */
export const RESTORE_DONE = new Set(['Completed', 'PartiallyFailed', 'Failed', 'FailedValidation']);

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
}

/** A velero.io/v1 Backup as the API returns it (only the fields labctl reads). */
export interface VeleroBackup {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: {
    includedNamespaces?: string[] | null;
    excludedNamespaces?: string[] | null;
    ttl?: string;
    storageLocation?: string;
    [k: string]: unknown;
  };
  status?: {
    phase?: string;
    startTimestamp?: string | null;
    completionTimestamp?: string | null;
    expiration?: string | null;
    errors?: number;
    warnings?: number;
    failureReason?: string;
    validationErrors?: string[] | null;
    progress?: { itemsBackedUp?: number; totalItems?: number } | null;
  };
}

export interface VeleroSchedule {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: { schedule?: string; paused?: boolean; template: Record<string, unknown> & { metadata?: ObjectMeta } };
}

/** One row of `labctl backup list`: what a person needs to pick a backup. */
export interface BackupInfo {
  name: string;
  schedule: string | null;
  phase: string;
  started: string | null;
  completed: string | null;
  expires: string | null;
  errors: number;
  warnings: number;
  includedNamespaces: string[];
  excludedNamespaces: string[];
  failureReason: string | null;
  items: { backedUp: number; total: number } | null;
}

export function backupInfo(b: VeleroBackup): BackupInfo {
  // Backups are also synced in from the bucket (untrusted storage): every string is shown, never acts on a terminal.
  const t = (v: string | null | undefined) => (v == null ? null : showControls(v));
  const st = b.status ?? {};
  const inc = b.spec?.includedNamespaces ?? [];
  const failure = st.failureReason || (st.validationErrors?.length ? st.validationErrors.join('; ') : null);
  return {
    name: t(b.metadata.name) ?? '?',
    schedule: t(b.metadata.labels?.[SCHEDULE_LABEL]),
    phase: t(st.phase) || 'New',
    started: t(st.startTimestamp),
    completed: t(st.completionTimestamp),
    expires: t(st.expiration),
    errors: st.errors ?? 0,
    warnings: st.warnings ?? 0,
    // Velero treats an empty list as every namespace ("*").
    includedNamespaces: inc.length ? inc.map((n) => showControls(n)) : ['*'],
    excludedNamespaces: (b.spec?.excludedNamespaces ?? []).map((n) => showControls(n)),
    failureReason: t(failure),
    items:
      st.progress && st.progress.totalItems !== undefined
        ? { backedUp: st.progress.itemsBackedUp ?? 0, total: st.progress.totalItems }
        : null,
  };
}

/** Newest first: by start time, then name (Velero's timestamped names sort by time too). */
export function newestFirst(a: BackupInfo, b: BackupInfo): number {
  const ta = a.started ?? '';
  const tb = b.started ?? '';
  if (ta !== tb) return ta < tb ? 1 : -1;
  return a.name < b.name ? 1 : a.name > b.name ? -1 : 0;
}

/** UTC timestamp as Velero writes it into names: 20061231150405. */
export const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);

/** The Backup `velero backup create --from-schedule S` would create, named `<schedule>-manual-<UTC timestamp>`. */
export function backupFromSchedule(s: VeleroSchedule, now: Date): VeleroBackup {
  const name = s.metadata.name!;
  const tmplLabels = s.spec.template.metadata?.labels;
  // Velero: the template's labels when it has any, else the Schedule's own; plus the schedule-name label.
  const labels = { ...(tmplLabels ?? s.metadata.labels ?? {}), [SCHEDULE_LABEL]: name };
  return {
    apiVersion: `${VELERO_GROUP}/${VELERO_VERSION}`,
    kind: 'Backup',
    metadata: {
      name: `${name.slice(0, 63 - 22)}-manual-${stamp(now)}`,
      namespace: VELERO_NAMESPACE,
      labels,
      ...(s.metadata.annotations ? { annotations: { ...s.metadata.annotations } } : {}),
    },
    spec: structuredClone(s.spec.template),
  };
}

export interface VeleroRestore {
  apiVersion: string;
  kind: 'Restore';
  metadata: ObjectMeta;
  spec: { backupName: string; includedNamespaces?: string[]; existingResourcePolicy: 'none' };
  status?: { phase?: string; errors?: number; warnings?: number; failureReason?: string; progress?: unknown };
}

/**
 * The Restore of a backup: only these namespaces (none given: everything in the backup), and
 * existingResourcePolicy none: an object that exists in the cluster is left as it is (Velero skips it
 * with a warning), never overwritten.
 */
export function restoreOf(backup: string, namespaces: string[] | null, now: Date): VeleroRestore {
  return {
    apiVersion: `${VELERO_GROUP}/${VELERO_VERSION}`,
    kind: 'Restore',
    metadata: {
      name: `${backup.slice(0, 63 - 23)}-restore-${stamp(now)}`,
      namespace: VELERO_NAMESPACE,
      labels: { 'app.kubernetes.io/managed-by': 'labctl' },
    },
    spec: {
      backupName: backup,
      ...(namespaces ? { includedNamespaces: [...namespaces].sort() } : {}),
      existingResourcePolicy: 'none',
    },
  };
}

/** Velero's namespace patterns: `*` (any run) and `?` (one character), as in --include-namespaces. */
export function namespaceMatches(pattern: string, ns: string): boolean {
  if (pattern === '*') return true;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(ns);
}

/** Does the backup hold this namespace (included, not excluded)? */
export function covers(b: BackupInfo, ns: string): boolean {
  return (
    b.includedNamespaces.some((p) => namespaceMatches(p, ns)) &&
    !b.excludedNamespaces.some((p) => namespaceMatches(p, ns))
  );
}
