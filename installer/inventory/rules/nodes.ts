// Node roles, control-plane quorum, Ceph disks and failure domains.
import type { Rule } from './context.ts';
import { unique } from './context.ts';
import { sizeGiB } from '../defaults.ts';
import { isPlaceholderDisk } from '../starter.ts';

export const controlPlane: Rule = (ctx) => {
  const cps = ctx.site.nodes.filter((n) => n.roles.includes('control-plane'));
  if (cps.length === 0) {
    ctx.error(
      ['nodes'],
      'no node has the role control-plane; kubeadm needs at least one (three for high availability)',
    );
  } else if (cps.length % 2 === 0) {
    ctx.error(
      ['nodes', cps[cps.length - 1]!.index, 'roles'],
      `${cps.length} control-plane nodes (${cps.map((n) => n.name).join(', ')}); etcd needs an odd number (1, 3, 5) to keep quorum`,
      `add one control-plane node or remove ${cps[cps.length - 1]!.name}'s control-plane role`,
    );
  } else if (cps.length === 1) {
    ctx.warn(
      ['nodes', cps[0]!.index, 'roles'],
      'only one control-plane node: the API server and etcd are not highly available',
    );
  }
  if (!ctx.site.nodes.some((n) => n.roles.some((r) => r !== 'control-plane'))) {
    ctx.warn(
      ['nodes'],
      'every node is control-plane only: workloads will be scheduled on control-plane nodes (taint removed)',
    );
  }
};

export const disks: Rule = (ctx) => {
  const { site } = ctx;
  const all = site.nodes.flatMap((n) => n.disks.map((d, j) => ({ d, node: n, j })));
  unique(
    ctx,
    all,
    (x) => x.d,
    (i) => ['nodes', all[i]!.node.index, 'disks', all[i]!.j],
    'disk',
  );
  for (const n of site.nodes) {
    const storage = n.roles.includes('storage');
    if (storage && n.disks.length === 0) {
      ctx.error(
        ['nodes', n.index, 'roles'],
        `storage node ${n.name} declares no disks; list its Ceph OSD disks under nodes[${n.index}].disks as /dev/disk/by-id/... paths`,
      );
    }
    if (!storage && n.disks.length > 0) {
      ctx.error(
        ['nodes', n.index, 'disks'],
        `node ${n.name} lists disks but does not have the role storage; Ceph only uses disks of storage nodes`,
        `add "storage" to nodes[${n.index}].roles or remove the disks`,
      );
    }
    n.disks.forEach((d, j) => {
      if (isPlaceholderDisk(d)) {
        ctx.warn(
          ['nodes', n.index, 'disks', j],
          `disk ${d} of node ${n.name} is the placeholder labctl init writes without --disk: Ceph would be told to use a disk that does not exist; labctl render refuses it`,
          // Not "re-run labctl init with --disk": init refuses the existing file, and with --force it writes
          // it again from the flags given then (the other answers' defaults), losing every edit.
          `replace it in this file with the node's Ceph disk, by id: ls -l /dev/disk/by-id/ on ${n.name} lists them (the whole disk, not a -partN link)`,
        );
      }
    });
  }
};

export const storageReplicas: Rule = (ctx) => {
  const { site } = ctx;
  const storageNodes = site.nodes.filter((n) => n.roles.includes('storage') && n.disks.length > 0);
  if (site.nodes.every((n) => !n.roles.includes('storage'))) {
    ctx.error(
      ['nodes'],
      'no node has the role storage; Rook-Ceph needs storage nodes with disks (block volumes, CephFS, object store)',
    );
    return;
  }
  // A storage node without disks is reported by `disks`; counting domains without it would only repeat that.
  if (site.nodes.some((n) => n.roles.includes('storage') && n.disks.length === 0)) return;
  const fd = site.storage.failureDomain;
  // Two nodes of one name are reported by the name rule: counting them as one host repeated that as
  // "replicas 3 is more than the 2 failure domain(s)".
  if (fd === 'host' && new Set(storageNodes.map((n) => n.name)).size < storageNodes.length) return;
  const domains = new Set(storageNodes.map((n) => (fd === 'rack' ? n.rack : n.name)));
  const replicas = site.storage.replicas;
  if (replicas > domains.size) {
    const path = ctx.source.has(['storage', 'replicas']) ? ['storage', 'replicas'] : ['nodes'];
    ctx.error(
      path,
      `replicas ${replicas}${ctx.source.has(['storage', 'replicas']) ? '' : ' (the default of storage.replicas)'} is more than the ${domains.size} failure domain(s) (${fd}s holding OSDs: ${[...domains].join(', ') || 'none'}); Ceph could never place every copy`,
      fd === 'rack'
        ? 'add storage nodes in more racks, lower storage.replicas, or use storage.failureDomain: host'
        : 'add storage nodes or lower storage.replicas',
    );
  } else if (replicas < 3) {
    ctx.warn(
      ['storage', 'replicas'],
      `replicas ${replicas}: losing ${replicas === 1 ? 'one disk loses data' : 'a second failure domain during recovery loses data'}; 3 is the safe minimum`,
    );
  }
};

/**
 * Ceph survives a rack (failureDomain: rack) but etcd does not when every control plane shares that rack:
 * name what one rack failure takes down.
 */
export const controlPlaneRacks: Rule = (ctx) => {
  const { site } = ctx;
  if (site.storage.failureDomain !== 'rack' || site.inventory.racks.length < 2) return;
  const cps = site.nodes.filter((n) => n.roles.includes('control-plane'));
  const racks = new Set(cps.map((n) => n.rack));
  if (cps.length === 0 || racks.size !== 1) return;
  const rack = cps[0]!.rack;
  const others = site.nodes.filter((n) => n.rack === rack && !n.roles.includes('control-plane')).map((n) => n.name);
  ctx.warn(
    ['storage', 'failureDomain'],
    `storage.failureDomain is rack, but all ${cps.length} control-plane node(s) (${cps.map((n) => n.name).join(', ')}) are in rack ${rack}: ` +
      `losing rack ${rack} takes down etcd and the Kubernetes API (no scheduling, no ArgoCD sync, no lab VM start/stop, no Ceph recovery orchestration)` +
      `${others.length ? ` and nodes ${others.join(', ')}` : ''}, although Ceph still holds a copy of every object in the other racks`,
    'spread the control-plane nodes over three racks',
  );
};

/**
 * Sizes no server has: most likely a unit slip (512Ti for 512Gi). The largest single servers ship with
 * 32 TiB of memory (8-socket); the largest drives hold about 122 TB (~112 TiB); 4096 CPU threads is the
 * schema's bound.
 */
export const MAX_SIZES = { memoryGiB: 64 * 1024, diskGiB: 256 * 1024 };
export const absurdSizes: Rule = (ctx) => {
  const { site } = ctx;
  const check = (path: (string | number)[], written: string, gib: number, max: number, what: string) => {
    const beyond = what === 'memory' ? 'any server has' : 'any disk holds';
    if (gib > max)
      ctx.error(
        path,
        `${what} ${written} is more than ${beyond} (at most ${max / 1024}Ti); a unit slip?`,
        `did you mean ${written.replace(/Ti$/, 'Gi')}?`,
      );
  };
  for (const n of site.nodes) {
    const mem = site.inventory.nodes[n.index]!.memory;
    if (mem) check(['nodes', n.index, 'memory'], mem, sizeGiB(mem), MAX_SIZES.memoryGiB, 'memory');
    (site.inventory.nodes[n.index]!.disks ?? []).forEach((d, j) => {
      if (typeof d !== 'string' && d.size)
        check(['nodes', n.index, 'disks', j, 'size'], d.size, sizeGiB(d.size), MAX_SIZES.diskGiB, 'disk size');
    });
  }
  const vm = site.inventory.labs?.vmHost?.memory;
  if (vm) check(['labs', 'vmHost', 'memory'], vm, sizeGiB(vm), MAX_SIZES.memoryGiB, 'memory');
};

export const vmHosts: Rule = (ctx) => {
  const { site } = ctx;
  if (site.labs.courses.length > 0 && !site.nodes.some((n) => n.roles.includes('vm-host'))) {
    ctx.error(
      ['labs', 'courses'],
      `${site.labs.courses.length} course(s) configured but no node has the role vm-host; lab VMs need VM hosts with /dev/kvm`,
    );
  }
};
