// Preflight time for 1, 8 and 32 hosts of a fake rack (real sshd hosts in network namespaces, see
// test/cluster/fakerack.ts). Run as root: node --import tsx bench/preflight.ts [sizes...]
// Each size: a fresh rack, one warm-up preflight, then the median of 3 timed runs of runPreflight
// (connect + one facts round trip per host + checks), at preflight's default concurrency (PREFLIGHT_CONCURRENCY).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRack } from '../test/cluster/fakerack.ts';
import { rackInventory, writeInventory } from '../test/cluster/inventory.ts';
import { requireSite } from '../installer/inventory/validate.ts';
import { runPreflight } from '../installer/cluster/run-preflight.ts';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const RACK = 40;
for (const n of sizes.length ? sizes : [1, 8, 32]) {
  const names = Array.from({ length: n }, (_, i) => (i === 0 ? 'cp1' : `w${i}`));
  const t0 = Date.now();
  // The last host is also a storage node with one empty Ceph disk (an inventory needs one).
  const last = names[n - 1]!;
  const rack = await FakeRack.create(
    RACK,
    names.map((name) => (name === last ? { name, rbd: true, disks: [{ id: 'nvme-BENCH_OSD' }] } : { name })),
  );
  const setupMs = Date.now() - t0;
  const dir = mkdtempSync(join(tmpdir(), 'labctl-bench-'));
  try {
    const file = writeInventory(
      dir,
      rackInventory(
        rack,
        names.map((name, i) => ({
          name,
          roles: [i === 0 ? 'control-plane' : 'worker', ...(name === last ? ['storage'] : [])],
          ...(name === last ? { disks: ['/dev/disk/by-id/nvme-BENCH_OSD'] } : {}),
        })),
      ),
    );
    const r = requireSite(file);
    if (!('site' in r)) throw new Error(JSON.stringify(r.errors));
    await runPreflight(r.site, { privateKey: rack.privateKey });
    const times: number[] = [];
    let ok = true;
    for (let i = 0; i < 3; i++) {
      const s = performance.now();
      const res = await runPreflight(r.site, { privateKey: rack.privateKey });
      times.push(performance.now() - s);
      ok &&= res.hosts.every((h) => h.reachable);
    }
    times.sort((a, b) => a - b);
    console.log(
      `preflight ${String(n).padStart(2)} host(s): median ${(times[1]! / 1000).toFixed(2)} s (runs ${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s; all reachable: ${ok}; rack setup ${(setupMs / 1000).toFixed(1)} s)`,
    );
  } finally {
    await rack.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
