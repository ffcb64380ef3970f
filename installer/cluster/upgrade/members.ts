// Which nodes `labctl up` would join and which are already members, from the journal: a node is a member
// once its kubeadm init or join step finished (judged by evidence on the host, see steps/membership.ts).
// Existing members' steps keep their inputs when a node is added (the scripts depend on the node and the
// site settings, not on the node list), so `up` skips them and runs only the new nodes' steps.
import { showControls } from '../../core/show-controls.ts';
import type { Site } from '../../inventory/types.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Journal, defaultStateDir, type JournalData } from '../journal.ts';

export const MEMBER_STEPS = ['0050-kubeadm-init', '0060-kubeadm-join-control-plane', '0070-kubeadm-join'];

export interface Membership {
  joins: string[];
  members: string[];
  gone: string[];
}

export function membership(site: Site, journal: JournalData | undefined): Membership {
  const isMember = (n: string) => MEMBER_STEPS.some((s) => !!journal?.hosts[n]?.[s]);
  const names = site.nodes.map((n) => n.name);
  return {
    joins: names.filter((n) => !isMember(n)),
    members: names.filter(isMember),
    // Journaled members the inventory no longer lists (removed by hand, not with labctl remove).
    gone: Object.keys(journal?.hosts ?? {}).filter((n) => !names.includes(n) && isMember(n)),
  };
}

export function formatMembership(m: Membership, journalFile: string | undefined): string {
  const out = [
    `joins: ${m.joins.join(', ') || 'none'}`,
    `already members: ${m.members.join(', ') || 'none'}${journalFile ? ` (journal ${showControls(journalFile)})` : ' (no journal yet: a first labctl up)'}`,
  ];
  if (m.gone.length)
    out.push(
      `in the journal but not in the inventory: ${m.gone.join(', ')} (use labctl remove NODE before deleting a node's lines)`,
    );
  return out.join('\n') + '\n';
}

/** The journal of the site's state directory, when there is one (read only). */
export function readJournalData(
  site: Site,
  stateDir = defaultStateDir(site),
): { file: string; data: JournalData } | undefined {
  const file = join(stateDir, 'journal.json');
  return existsSync(file) ? { file, data: Journal.open(file, site.site.name).snapshot() } : undefined;
}
