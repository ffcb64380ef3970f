// `labctl restore --plan`: a pure function from the backup listing and what the cluster holds now to the
// Velero Restores that would run. It picks the newest Completed, unexpired backup holding each requested
// namespace (or the named one), says what comes back and what exists now and stays as it is (Velero
// never overwrites an existing object), and refuses failed, partially failed and expired backups with the reason.
import { type BackupInfo, type VeleroRestore, covers, newestFirst, restoreOf } from './velero.ts';

export interface RestoreRequest {
  /** --from: one named backup. */
  from?: string;
  /** --namespace (repeatable): only these namespaces. None: everything of the chosen backup(s). */
  namespaces: string[];
}

/** The cluster now: every namespace, with the KubeVirt VirtualMachines in it. */
export type ClusterNow = Map<string, { vms: string[] }>;

export interface PlanInput {
  backups: BackupInfo[];
  now: Date;
  request: RestoreRequest;
  cluster: ClusterNow;
  /** Courses opted out of Velero (labs.courses[].backup: false). */
  optedOut: string[];
}

export interface NamespacePlan {
  namespace: string;
  existsNow: boolean;
  /** VirtualMachines in the namespace now (lab namespaces): they stay as they are. */
  vmsNow: string[];
}

export interface PlannedRestore {
  backup: BackupInfo;
  /** Requested namespaces; null: everything the backup holds. */
  namespaces: NamespacePlan[] | null;
  /** Namespaces existing now that the backup's patterns cover (whole-backup restores). */
  existingCovered: NamespacePlan[];
  /** Newer backups of the same namespaces or schedule that were passed over, with why. */
  passedOver: string[];
  restore: VeleroRestore;
}

export interface RestorePlan {
  restores: PlannedRestore[];
  /** Why nothing may run; non-empty means refused. */
  refused: string[];
}

/** Why a backup cannot be restored from, or null when it can. */
export function unusable(b: BackupInfo, now: Date): string | null {
  // Backups are synced in from the bucket (untrusted storage): one dated ahead would be "newest" forever.
  if (b.started && Date.parse(b.started) > now.getTime() + FUTURE_SKEW_MS)
    return `backup ${b.name} claims to have started at ${b.started}, in the future: not made by this cluster's Velero`;
  if (b.phase !== 'Completed') {
    const counts = b.errors || b.warnings ? ` (${b.errors} errors, ${b.warnings} warnings)` : '';
    const why = b.failureReason ? `: ${b.failureReason}` : '';
    const what =
      b.phase === 'PartiallyFailed'
        ? 'PartiallyFailed: some items were not backed up, so a restore would bring back an incomplete state'
        : b.phase === 'Failed' || b.phase === 'FailedValidation'
          ? `${b.phase}: nothing usable was stored`
          : `${b.phase}: not finished yet`;
    return `backup ${b.name} is ${what}${counts}${why}`;
  }
  if (b.expires && Date.parse(b.expires) <= now.getTime())
    return `backup ${b.name} expired at ${b.expires} (Velero deletes expired backups and their data)`;
  return null;
}

/** Clock difference between this machine and the cluster tolerated in a backup's start time. */
const FUTURE_SKEW_MS = 60 * 60_000;
/** The Schedules labctl renders (components/velero/schedules.ts): the only ones restored without --from. */
export const SITE_SCHEDULES = ['labs', 'platform'] as const;

const courseOf = (ns: string, courses: string[]) =>
  courses.filter((c) => ns.startsWith(`course-${c}-`)).sort((a, b) => b.length - a.length)[0];

function nsPlan(ns: string, cluster: ClusterNow): NamespacePlan {
  const now = cluster.get(ns);
  return { namespace: ns, existsNow: !!now, vmsNow: now?.vms ?? [] };
}

export function planRestore(input: PlanInput): RestorePlan {
  const { now, request, cluster, optedOut } = input;
  const backups = [...input.backups].sort(newestFirst);
  const refused: string[] = [];
  const existingCovered = (b: BackupInfo) =>
    [...cluster.keys()]
      .filter((ns) => covers(b, ns))
      .sort()
      .map((ns) => nsPlan(ns, cluster));

  if (request.from !== undefined) {
    const b = backups.find((x) => x.name === request.from);
    if (!b) {
      const names = backups.slice(0, 5).map((x) => x.name);
      return {
        restores: [],
        refused: [
          `no backup named ${request.from} in namespace velero${names.length ? ` (newest: ${names.join(', ')})` : ''}`,
        ],
      };
    }
    const bad = unusable(b, now);
    if (bad) return { restores: [], refused: [bad] };
    const missing = request.namespaces.filter((ns) => !covers(b, ns));
    if (missing.length)
      return {
        restores: [],
        refused: missing.map(
          (ns) =>
            `backup ${b.name} does not hold namespace ${ns} (it holds ${b.includedNamespaces.join(', ')}${b.excludedNamespaces.length ? `, except ${b.excludedNamespaces.join(', ')}` : ''})`,
        ),
      };
    const nss = request.namespaces.length ? [...new Set(request.namespaces)].sort() : null;
    return {
      restores: [
        {
          backup: b,
          namespaces: nss ? nss.map((ns) => nsPlan(ns, cluster)) : null,
          existingCovered: nss ? [] : existingCovered(b),
          passedOver: [],
          restore: restoreOf(b.name, nss, now),
        },
      ],
      refused: [],
    };
  }

  if (!request.namespaces.length) {
    // Everything: the newest usable backup of each schedule, restored whole.
    // Only the site's own Schedules: a backup whose label names another (e.g. one planted in the bucket and
    // synced in) would otherwise be restored whole, every namespace and cluster object it holds.
    const schedules = [...new Set(backups.map((b) => b.schedule ?? ''))]
      .filter((s) => s === '' || (SITE_SCHEDULES as readonly string[]).includes(s))
      .sort();
    if (!backups.length) return { restores: [], refused: ['there are no Velero backups in namespace velero'] };
    const restores: PlannedRestore[] = [];
    for (const s of schedules) {
      const of = backups.filter((b) => (b.schedule ?? '') === s);
      const pick = of.find((b) => !unusable(b, now));
      const label = s ? `schedule ${s}` : 'backups made without a schedule';
      if (!pick) {
        if (s) refused.push(`${label}: no usable backup; newest: ${unusable(of[0]!, now)}`);
        continue;
      }
      restores.push({
        backup: pick,
        namespaces: null,
        existingCovered: existingCovered(pick),
        passedOver: of.slice(0, of.indexOf(pick)).map((b) => unusable(b, now)!),
        restore: restoreOf(pick.name, null, now),
      });
    }
    // Backups without a schedule are only restored when named (--from).
    const scheduled = restores.filter((r) => r.backup.schedule);
    if (!refused.length && !scheduled.length)
      refused.push(
        `no backup was made by the site's Velero Schedules (${SITE_SCHEDULES.join(', ')}); name the one to restore with --from`,
      );
    return { restores: refused.length ? [] : scheduled, refused };
  }

  // Named namespaces: the newest usable backup holding each; one Restore per chosen backup.
  const chosen = new Map<string, { backup: BackupInfo; namespaces: string[]; passedOver: Set<string> }>();
  for (const ns of [...new Set(request.namespaces)].sort()) {
    const holding = backups.filter((b) => covers(b, ns));
    const pick = holding.find((b) => !unusable(b, now));
    if (!pick) {
      const course = courseOf(ns, optedOut);
      if (!holding.length)
        refused.push(
          course
            ? `namespace ${ns}: course ${course} opted out of backups (labs.courses[].backup: false), so no backup holds its labs`
            : `namespace ${ns}: no backup holds it`,
        );
      else refused.push(`namespace ${ns}: no usable backup; newest: ${unusable(holding[0]!, now)}`);
      continue;
    }
    const c = chosen.get(pick.name) ?? { backup: pick, namespaces: [], passedOver: new Set<string>() };
    c.namespaces.push(ns);
    for (const b of holding.slice(0, holding.indexOf(pick))) c.passedOver.add(unusable(b, now)!);
    chosen.set(pick.name, c);
  }
  if (refused.length) return { restores: [], refused };
  return {
    restores: [...chosen.values()]
      .sort((a, b) => newestFirst(a.backup, b.backup))
      .map((c) => ({
        backup: c.backup,
        namespaces: c.namespaces.map((ns) => nsPlan(ns, cluster)),
        existingCovered: [],
        passedOver: [...c.passedOver],
        restore: restoreOf(c.backup.name, c.namespaces, now),
      })),
    refused: [],
  };
}

const SKIP_NOTE =
  'Velero does not overwrite existing objects (existingResourcePolicy: none): objects that exist now stay as they are and are reported as skipped; delete a namespace first to get all of it back from the backup';

function nsLine(n: NamespacePlan): string {
  if (!n.existsNow)
    return `    ${n.namespace}: absent now; comes back whole from the backup (objects, volumes with their data, VMs)`;
  const vms = n.vmsNow.length ? `; VMs now: ${n.vmsNow.join(', ')} (kept as they are)` : '';
  return `    ${n.namespace}: exists now; only objects missing from it come back, existing ones are skipped${vms}`;
}

export function formatRestorePlan(p: RestorePlan, optedOut: string[]): string {
  if (p.refused.length) return `restore refused:\n${p.refused.map((r) => `  - ${r}`).join('\n')}\n`;
  const out: string[] = [];
  for (const r of p.restores) {
    const b = r.backup;
    out.push(
      `Restore ${r.restore.metadata.name} from backup ${b.name}${b.schedule ? ` (schedule ${b.schedule})` : ''}, completed ${b.completed ?? '?'}, expires ${b.expires ?? 'never'}, ${b.warnings} warnings:`,
    );
    for (const why of r.passedOver) out.push(`  newer, passed over: ${why}`);
    if (r.namespaces) for (const n of r.namespaces) out.push(nsLine(n));
    else {
      out.push(
        `    every namespace the backup holds: ${b.includedNamespaces.join(', ')}${b.excludedNamespaces.length ? ` except ${b.excludedNamespaces.join(', ')}` : ''}`,
      );
      if (r.existingCovered.length) {
        out.push('    of these, existing now (only missing objects come back):');
        for (const n of r.existingCovered)
          out.push(
            `      ${n.namespace}${n.vmsNow.length ? `: VMs now ${n.vmsNow.join(', ')} (kept as they are)` : ''}`,
          );
      } else out.push('    none of them exists now: everything comes back');
    }
  }
  out.push(`\n${SKIP_NOTE}.`);
  if (optedOut.length)
    out.push(`Not in any backup: the labs of ${optedOut.join(', ')} (labs.courses[].backup: false).`);
  return `${out.join('\n')}\n`;
}
