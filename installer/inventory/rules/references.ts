// Names that refer to other entries: racks, subnets, pools, receivers, roster members.
import { nearName } from '../../core/near-name.ts';
import type { Rule, RuleContext } from './context.ts';
import { unique } from './context.ts';
import type { PathSeg } from '../../core/yaml-source.ts';

function ref(ctx: RuleContext, path: PathSeg[], value: string, known: string[], what: string): void {
  if (known.includes(value)) return;
  const guess = nearName(value, known);
  ctx.error(
    path,
    `${JSON.stringify(value)} is not a known ${what}; expected one of: ${known.join(', ') || '(none defined)'}`,
    guess ? `did you mean "${guess}"?` : undefined,
  );
}

export const uniqueNames: Rule = (ctx) => {
  const inv = ctx.site.inventory;
  unique(
    ctx,
    inv.network.subnets,
    (s) => s.name,
    (i) => ['network', 'subnets', i, 'name'],
    'subnet name',
  );
  unique(
    ctx,
    inv.racks,
    (r) => r.name,
    (i) => ['racks', i, 'name'],
    'rack name',
  );
  unique(
    ctx,
    inv.nodes,
    (n) => n.name,
    (i) => ['nodes', i, 'name'],
    'node name',
  );
  unique(
    ctx,
    inv.bgp.routers,
    (r) => r.name,
    (i) => ['bgp', 'routers', i, 'name'],
    'router name',
  );
  unique(
    ctx,
    inv.bgp.pools,
    (p) => p.name,
    (i) => ['bgp', 'pools', i, 'name'],
    'pool name',
  );
  unique(
    ctx,
    inv.monitoring?.receivers ?? [],
    (r) => r.name,
    (i) => ['monitoring', 'receivers', i, 'name'],
    'receiver name',
  );
  unique(
    ctx,
    inv.monitoring?.oncall?.roster ?? [],
    (r) => r.name,
    (i) => ['monitoring', 'oncall', 'roster', i, 'name'],
    'roster name',
  );
  unique(
    ctx,
    inv.labs?.courses ?? [],
    (c) => c.name,
    (i) => ['labs', 'courses', i, 'name'],
    'course name',
  );
  unique(
    ctx,
    inv.registry?.projects ?? [],
    (p) => p.name,
    (i) => ['registry', 'projects', i, 'name'],
    'Harbor project',
  );
  const projects = [...(inv.registry?.projects ?? []), ...(inv.registry?.proxyCaches ?? [])];
  unique(
    ctx,
    projects,
    (p) => p.name,
    (i) =>
      i < (inv.registry?.projects?.length ?? 0)
        ? ['registry', 'projects', i, 'name']
        : ['registry', 'proxyCaches', i - (inv.registry?.projects?.length ?? 0), 'name'],
    'Harbor project',
  );
};

export const references: Rule = (ctx) => {
  const inv = ctx.site.inventory;
  const subnets = inv.network.subnets.map((s) => s.name);
  const racks = inv.racks.map((r) => r.name);
  inv.racks.forEach((r, i) => ref(ctx, ['racks', i, 'subnet'], r.subnet, subnets, 'subnet (network.subnets[].name)'));
  inv.nodes.forEach((n, i) => {
    ref(ctx, ['nodes', i, 'rack'], n.rack, racks, 'rack (racks[].name)');
    if (n.subnet !== undefined) ref(ctx, ['nodes', i, 'subnet'], n.subnet, subnets, 'subnet (network.subnets[].name)');
  });
  inv.bgp.routers.forEach((r, i) =>
    r.racks?.forEach((rk, j) => ref(ctx, ['bgp', 'routers', i, 'racks', j], rk, racks, 'rack (racks[].name)')),
  );
  const pools = inv.bgp.pools.map((p) => p.name);
  if (inv.ingress?.pool !== undefined)
    ref(ctx, ['ingress', 'pool'], inv.ingress.pool, pools, 'pool (bgp.pools[].name)');
  const mon = inv.monitoring;
  const receivers = (mon?.receivers ?? []).map((r) => r.name);
  if (mon?.teamReceiver !== undefined)
    ref(ctx, ['monitoring', 'teamReceiver'], mon.teamReceiver, receivers, 'receiver (monitoring.receivers[].name)');
  const roster = (mon?.oncall?.roster ?? []).map((r) => r.name);
  mon?.oncall?.rotation.order?.forEach((p, i) =>
    ref(
      ctx,
      ['monitoring', 'oncall', 'rotation', 'order', i],
      p,
      roster,
      'person of the roster (monitoring.oncall.roster[].name)',
    ),
  );
  mon?.oncall?.overrides?.forEach((o, i) =>
    ref(
      ctx,
      ['monitoring', 'oncall', 'overrides', i, 'person'],
      o.person,
      roster,
      'person of the roster (monitoring.oncall.roster[].name)',
    ),
  );
};
