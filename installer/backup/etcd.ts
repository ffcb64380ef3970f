// etcd snapshots over SSH on the first control plane: the restic repository and its credentials are in
// /etc/labctl/etcd-backup.env (root, 0600, written by the bootstrap), so labctl never holds them; `restic
// snapshots --json` lists, and the snapshot service (labctl-etcd-snapshot.service, the timer's unit) takes one now.
import type { Site, SiteNode } from '../inventory/types.ts';
import { isControlPlane } from '../cluster/steps/types.ts';
import { showControls } from '../core/show-controls.ts';

export const ETCD_ENV_FILE = '/etc/labctl/etcd-backup.env';
export const SNAPSHOT_SERVICE = 'labctl-etcd-snapshot.service';

/** Every snapshot of the site's etcd repository (it holds nothing else, so no --tag filter: each is tagged with its node). */
export const LIST_SCRIPT = `set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
if [ ! -r ${ETCD_ENV_FILE} ]; then echo "no ${ETCD_ENV_FILE} on $(hostname): the etcd snapshot timer is not set up (labctl up with a backup: section)" >&2; exit 3; fi
set -a; . ${ETCD_ENV_FILE}; set +a
restic snapshots --json --no-lock
`;

/** Takes one snapshot now, through the same unit the timer starts, and waits for it to end. */
export const SNAPSHOT_NOW_SCRIPT = `set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
systemctl start --wait ${SNAPSHOT_SERVICE}
echo "LABCTL_NOTE: etcd snapshot on $(hostname) finished"
`;

/** One entry of `restic snapshots --json` (restic doc/075_scripting.rst, "snapshots"). */
interface ResticSnapshot {
  id: string;
  short_id?: string;
  time: string;
  hostname?: string;
  tags?: string[] | null;
  paths?: string[];
  summary?: { total_bytes_processed?: number; backup_end?: string };
}

export interface EtcdSnapshot {
  id: string;
  time: string;
  host: string;
  tags: string[];
  paths: string[];
  /** Size of the snapshot file (restic >= 0.17 records a summary; older ones do not). */
  bytes: number | null;
}

/** Parses restic's JSON array; newest first. Throws a readable error on anything else. */
export function parseResticSnapshots(text: string): EtcdSnapshot[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(
      `restic snapshots --json printed no JSON: ${showControls(text.trim().slice(0, 200)) || '(nothing)'}`,
    );
  }
  // restic prints `null` for an empty repository in some versions, [] in others.
  if (raw === null) return [];
  if (!Array.isArray(raw)) throw new Error('restic snapshots --json printed something other than a list');
  return (raw as ResticSnapshot[])
    .map((s) => ({
      // Any control plane's root can write snapshots: what they say is shown, never acts on a terminal.
      id: showControls(String(s.short_id ?? String(s.id).slice(0, 8))),
      time: s.time,
      host: showControls(String(s.hostname ?? '?')),
      tags: (s.tags ?? []).map((x) => showControls(String(x))),
      paths: (s.paths ?? []).map((x) => showControls(String(x))),
      bytes: s.summary?.total_bytes_processed ?? null,
    }))
    .sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
}

/** The node the etcd commands run on: the first control plane of the inventory (as upgrade and remove do). */
export function firstControlPlane(site: Site): SiteNode {
  const cp = site.nodes.find(isControlPlane);
  if (!cp) throw new Error('the inventory has no control-plane node');
  return cp;
}
