// Files of the control-plane timers (issue 21): the expiry of kubeadm's certificates as node-exporter
// textfile metrics, and etcd defragmentation one member at a time. Text (shell, systemd units), so
// handlebars templates; pure functions of the Site.
import type { Site, SiteNode } from '../inventory/types.ts';
import { renderTemplate } from '../render/text.ts';
import { TEXTFILE_DIR } from '../render/components/monitoring/node-textfiles.ts';

export const CERTS_SCRIPT = '/usr/local/sbin/labctl-kubeadm-certs';
export const DEFRAG_SCRIPT = '/usr/local/sbin/labctl-etcd-defrag';
/** Give back at least this much, or leave the member alone (a defrag blocks it for its duration). */
export const DEFRAG_MIN_FREE_MIB = 256;
/** Minutes between two members' defragmentation windows: far longer than a defrag of a 4 GiB database. */
export const DEFRAG_STAGGER_MINUTES = 30;

export interface NodeFile {
  path: string;
  mode: string;
  content: string;
}

const controlPlanes = (site: Site) => site.nodes.filter((n) => n.roles.includes('control-plane'));

/** Sunday 02:00 (node local time) plus DEFRAG_STAGGER_MINUTES per control plane, in inventory order. */
export function defragCalendar(site: Site, node: SiteNode): string {
  const i = controlPlanes(site).findIndex((n) => n.name === node.name);
  if (i < 0) throw new Error(`${node.name} is not a control plane: only control planes run etcd`);
  const minutes = 2 * 60 + i * DEFRAG_STAGGER_MINUTES;
  const hh = String(Math.floor(minutes / 60) % 24).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `Sun *-*-* ${hh}:${mm}:00`;
}

const unit = (description: string, exec: string) =>
  `# Written by labctl.\n[Unit]\nDescription=${description}\nAfter=containerd.service kubelet.service\n\n[Service]\nType=oneshot\nExecStart=${exec}\n`;
const timer = (description: string, calendar: string, extra = '') =>
  `# Written by labctl.\n[Unit]\nDescription=${description}\n\n[Timer]\nOnCalendar=${calendar}\n${extra}Persistent=true\n\n[Install]\nWantedBy=timers.target\n`;

export function certsScript(): string {
  return renderTemplate('cluster/templates/labctl-kubeadm-certs.sh.hbs', { textfileDir: TEXTFILE_DIR });
}
export function defragScript(): string {
  return renderTemplate('cluster/templates/labctl-etcd-defrag.sh.hbs', { minFreeMiB: DEFRAG_MIN_FREE_MIB });
}

export function controlPlaneTimerFiles(site: Site, node: SiteNode): NodeFile[] {
  return [
    { path: CERTS_SCRIPT, mode: '0755', content: certsScript() },
    {
      path: '/etc/systemd/system/labctl-kubeadm-certs.service',
      mode: '0644',
      content: unit('labctl: kubeadm certificate expiry for node-exporter', CERTS_SCRIPT),
    },
    // Hourly, and soon after boot: the metric must be fresh enough that "check stale" can alert.
    {
      path: '/etc/systemd/system/labctl-kubeadm-certs.timer',
      mode: '0644',
      content: timer('labctl: kubeadm certificate expiry, hourly', 'hourly', 'OnBootSec=5min\n'),
    },
    { path: DEFRAG_SCRIPT, mode: '0755', content: defragScript() },
    {
      path: '/etc/systemd/system/labctl-etcd-defrag.service',
      mode: '0644',
      content: unit('labctl: defragment this etcd member', DEFRAG_SCRIPT),
    },
    {
      path: '/etc/systemd/system/labctl-etcd-defrag.timer',
      mode: '0644',
      content: timer('labctl: weekly etcd defragmentation, one member at a time', defragCalendar(site, node)),
    },
  ];
}
