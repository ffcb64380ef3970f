// `labctl status` exits 1 when anything is unhealthy or unreachable (statusProblems decides), and says so
// in --help. The reports here are data; the real SSH/kubeconfig path is exercised in test/cluster/up.test.ts.
import { describe, expect, it } from 'vitest';
import { statusProblems, type StatusReport } from '../../installer/cluster/status.ts';
import { labctl } from '../helpers.ts';

const none = (reason: string) => ({ available: false as const, reason });
const healthy: StatusReport = {
  nodes: [{ node: 'cp1', reachable: true, kubelet: 'active', member: true, steps: '6/6' }],
  applications: { available: true, items: [{ name: 'root', sync: 'Synced', health: 'Healthy' }] },
  ceph: { available: true, items: [{ name: 'rook-ceph/rook-ceph', status: 'HEALTH_OK' }] },
  bgp: { available: true, items: [{ name: 'cp1-core', status: 'Established' }] },
  certificates: { available: true, items: [{ name: 'ingress/wildcard', status: 'Ready' }] },
};

describe('status problems', () => {
  it('all healthy: none', () => expect(statusProblems(healthy)).toEqual([]));
  it('every node unreachable and no kubeconfig (the new-user trial): a problem per node and per section', () => {
    const kc = 'no admin kubeconfig at /x/admin.conf (labctl up writes it after kubeadm init)';
    const p = statusProblems({
      nodes: [
        { node: 'a', reachable: false, kubelet: '?', member: false, steps: '0/6' },
        { node: 'b', reachable: false, kubelet: '?', member: false, steps: '0/4' },
      ],
      applications: none(kc),
      ceph: none(kc),
      bgp: none(kc),
      certificates: none(kc),
    });
    expect(p).toEqual([
      'node a is unreachable',
      'node b is unreachable',
      `application unavailable: ${kc}`,
      `ceph unavailable: ${kc}`,
      `bgp unavailable: ${kc}`,
      `certificate unavailable: ${kc}`,
    ]);
  });
  it.each([
    [
      { nodes: [{ node: 'cp1', reachable: true, kubelet: 'failed', member: true, steps: '6/6' }] },
      'node cp1: kubelet failed',
    ],
    [
      { applications: { available: true, items: [{ name: 'harbor', sync: 'Synced', health: 'Degraded' }] } },
      'application harbor is Synced/Degraded',
    ],
    [
      { ceph: { available: true, items: [{ name: 'rook-ceph/rook-ceph', status: 'HEALTH_WARN' }] } },
      'ceph rook-ceph/rook-ceph is HEALTH_WARN',
    ],
    [{ bgp: { available: true, items: [{ name: 'cp1-core', status: 'Active' }] } }, 'bgp session cp1-core is Active'],
    [
      { certificates: { available: true, items: [{ name: 'ingress/wildcard', status: 'NotReady' }] } },
      'certificate ingress/wildcard is NotReady',
    ],
  ] as [Partial<StatusReport>, string][])('one unhealthy part is a problem: %s', (part, problem) => {
    expect(statusProblems({ ...healthy, ...part })).toEqual([problem]);
  });
  it('--help documents the exit status', async () => {
    const r = await labctl(['status', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit status: 0 when every node is reachable and every section is healthy');
    expect(r.stdout).toContain(
      '1 when anything is unhealthy, unreachable\nor unavailable (no admin kubeconfig counts)',
    );
  });
});
