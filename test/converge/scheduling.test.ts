// Issue 21, rest: platform pods before students' VMs (PriorityClasses), VMs kept to VM hosts, and the
// metrics the alerts read (Felix, etcd on the node address), checked on every golden site (the golden
// test keeps these trees equal to a fresh render) and, for the lab chart, with the real helm.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { requireSite } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { kubeadmInitConfig, kubeadmJoinConfig, ETCD_METRICS_PORT } from '../../installer/cluster/artifacts.ts';
import { PRIORITY, VM_HOST_LABEL } from '../../installer/render/platform/scheduling.ts';
import { HARBOR_GC } from '../../installer/render/components/harbor/gc.ts';
import type { K8sObject } from '../../installer/render/model.ts';
import { EXAMPLE, ROOT, fixture } from '../helpers.ts';
import { CHART, VALID, byKind, helm, siteValuesFile, template, tmp } from '../labs/helpers.ts';

const SITES: Record<string, string> = {
  example: EXAMPLE,
  'single-rack': fixture('inventory/valid/single-rack.yaml'),
  airgapped: fixture('inventory/valid/airgapped.yaml'),
};
const NAMES = Object.keys(SITES);
const read = (site: string, p: string) => readFileSync(join(ROOT, 'test/golden', site, p), 'utf8');
const golden = (site: string, p: string) => parse(read(site, p));
const load = (file: string): Site => {
  const r = requireSite(file);
  if ('errors' in r) throw new Error(JSON.stringify(r.errors));
  return r.site;
};
const waveOf = (site: string, app: string) =>
  Number(golden(site, `apps/${app}.yaml`).metadata.annotations['argocd.argoproj.io/sync-wave']);

/** Every priorityClassName(s) value anywhere in a values tree, with its path. */
function classNamesIn(v: unknown, path = ''): { path: string; name: string }[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => classNamesIn(x, `${path}[${i}]`));
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => {
    if (k === 'priorityClassName' && typeof x === 'string') return [{ path: `${path}.${k}`, name: x }];
    if (k === 'priorityClassNames' && x && typeof x === 'object')
      return Object.entries(x).map(([d, n]) => ({ path: `${path}.${k}.${d}`, name: String(n) }));
    return classNamesIn(x, `${path}.${k}`);
  });
}

const SYSTEM_CLASSES = ['system-node-critical', 'system-cluster-critical'];

describe("PriorityClasses: platform pods before students' VMs", () => {
  it.each(NAMES)(
    '%s: the three classes exist, ordered platform-critical > platform > unclassified (0) > lab-vm, in the first wave',
    (site) => {
      const dir = join(ROOT, 'test/golden', site, 'components/priority-classes/manifests');
      const classes = readdirSync(dir).map((f) => parse(readFileSync(join(dir, f), 'utf8')));
      const value = Object.fromEntries(classes.map((c) => [c.metadata.name, c.value as number]));
      expect(Object.keys(value).sort()).toEqual(['lab-vm', 'platform', 'platform-critical']);
      expect(value['platform-critical']).toBeGreaterThan(value.platform!);
      expect(value.platform).toBeGreaterThan(0);
      expect(value['lab-vm']).toBeLessThan(0);
      // User classes stay below the system classes (2e9) and at or below the API's limit for them (1e9).
      for (const v of Object.values(value)) expect(v).toBeLessThanOrEqual(1_000_000_000);
      expect(classes.find((c) => c.metadata.name === 'lab-vm').preemptionPolicy).toBe('Never');
      expect(classes.every((c) => c.globalDefault === false)).toBe(true);
      // A pod naming a class that does not exist is refused: the classes come before every other app.
      const apps = readdirSync(join(ROOT, 'test/golden', site, 'apps'))
        .filter((f) => f.endsWith('.yaml') && !/projects|root|labs-/.test(f))
        .map((f) => f.replace(/\.yaml$/, ''));
      const first = Math.min(...apps.map((a) => waveOf(site, a)).filter((w) => !Number.isNaN(w)));
      expect(waveOf(site, 'priority-classes')).toBe(first);
    },
  );

  it.each(NAMES)(
    '%s: platform values carry the classes (keys read from each pinned chart), and name only classes that exist',
    (site) => {
      const kps = golden(site, 'components/kube-prometheus-stack/values.yaml');
      expect(kps.prometheus.prometheusSpec.priorityClassName).toBe(PRIORITY.platformCritical.name);
      expect(kps.alertmanager.alertmanagerSpec.priorityClassName).toBe(PRIORITY.platformCritical.name);
      expect(kps.prometheusOperator.priorityClassName).toBe(PRIORITY.platformCritical.name);
      expect(kps['prometheus-node-exporter'].priorityClassName).toBe(PRIORITY.platformCritical.name);
      expect(kps.grafana.priorityClassName).toBe(PRIORITY.platform.name);
      expect(golden(site, 'components/loki/values.yaml').global.priorityClassName).toBe(PRIORITY.platform.name);
      expect(golden(site, 'components/rook-ceph/values.yaml').priorityClassName).toBe(PRIORITY.platformCritical.name);
      const harbor = golden(site, 'components/harbor/values.yaml');
      for (const c of ['core', 'portal', 'jobservice', 'registry', 'trivy', 'exporter'])
        expect(harbor[c].priorityClassName, c).toBe(PRIORITY.platform.name);
      expect(harbor.redis.internal.priorityClassName).toBe(PRIORITY.platform.name);
      // Whatever any values file names must exist: ours or Kubernetes' own.
      const known = [...Object.values(PRIORITY).map((p) => p.name), ...SYSTEM_CLASSES];
      const comps = readdirSync(join(ROOT, 'test/golden', site, 'components'));
      const named = comps.flatMap((c) => {
        try {
          return classNamesIn(golden(site, `components/${c}/values.yaml`)).map((n) => ({ ...n, c }));
        } catch {
          return [];
        }
      });
      expect(named.length).toBeGreaterThan(10);
      expect(named.filter((n) => !known.includes(n.name))).toEqual([]);
      // Ceph's own daemons keep their system classes, above ours.
      const rook = golden(site, 'components/rook-ceph-cluster/values.yaml');
      expect(classNamesIn(rook).every((n) => SYSTEM_CLASSES.includes(n.name))).toBe(true);
    },
  );
  it("can fail: a misspelt class deep in a values tree (a weakened copy of the example's) is found", () => {
    const kps = golden('example', 'components/kube-prometheus-stack/values.yaml');
    kps.alertmanager.alertmanagerSpec.priorityClassName = 'platfrom-critical';
    const known = [...Object.values(PRIORITY).map((p) => p.name), ...SYSTEM_CLASSES];
    expect(classNamesIn(kps).filter((n) => !known.includes(n.name))).toEqual([
      { path: '.alertmanager.alertmanagerSpec.priorityClassName', name: 'platfrom-critical' },
    ]);
  });
});

describe('lab VMs: lowest class, VM hosts only (charts/vm-lab with the real helm)', () => {
  const labs = readdirSync(VALID, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.yaml') && !f.endsWith('roster.yaml'),
  );

  it('every VirtualMachine of every valid lab fixture selects VM hosts and runs as lab-vm', async () => {
    const dir = tmp('sched');
    const site = siteValuesFile(dir);
    let vms = 0;
    for (const lab of labs) {
      const course = lab.split('/')[0]!;
      const roster = join(VALID, course, 'roster.yaml');
      const files = [
        ...(readdirSync(join(VALID, course)).includes('roster.yaml') ? [roster] : []),
        join(VALID, lab),
        site,
      ];
      const objs = await template(lab.replace(/.*\//, '').replace(/\.yaml$/, ''), `course-${course}-x`, files);
      for (const vm of byKind(objs, 'VirtualMachine') as (K8sObject & {
        spec: { template: { spec: Record<string, unknown> } };
      })[]) {
        vms++;
        expect(vm.spec.template.spec.priorityClassName, `${lab} ${vm.metadata.name}`).toBe(PRIORITY.labVm.name);
        expect(vm.spec.template.spec.nodeSelector, `${lab} ${vm.metadata.name}`).toEqual({ [VM_HOST_LABEL]: 'true' });
      }
    }
    expect(vms).toBeGreaterThan(0);
  });

  it('can fail: a site value without the class or with a bad label is refused by the chart schema (helm itself)', async () => {
    const dir = tmp('sched-bad');
    const site = siteValuesFile(dir);
    const lab = join(VALID, labs[0]!);
    for (const [key, value] of [
      ['vmPriorityClass', ''],
      ['vmHostLabel', 'node-role.kubernetes.io/vm host'],
    ] as const) {
      const bad = join(dir, `bad-${key}.yaml`);
      writeFileSync(bad, `site:\n  ${key}: ${JSON.stringify(value)}\n`);
      const r = await helm(['template', 'x', CHART, '--namespace', 'course-x-y', '-f', lab, '-f', site, '-f', bad]);
      expect(r.code, key).not.toBe(0);
      expect(r.stderr, key).toContain(key);
    }
  });

  it.each(NAMES)(
    '%s: the site values hand the chart the label and class; KubeVirt keeps virt-handler (and so VMs) to the same label',
    (site) => {
      const appset = parseAllDocuments(read(site, 'apps/labs-applicationset.yaml'))
        .map((d) => d.toJS())
        .find((o) => o?.kind === 'ApplicationSet');
      expect(JSON.stringify(appset)).toContain(`"vmHostLabel":"${VM_HOST_LABEL}"`);
      expect(JSON.stringify(appset)).toContain(`"vmPriorityClass":"${PRIORITY.labVm.name}"`);
      const kv = golden(site, 'components/kubevirt-config/manifests/kubevirt-kubevirt-kubevirt.yaml');
      expect(kv.spec.workloads.nodePlacement.nodeSelector).toEqual({ [VM_HOST_LABEL]: 'true' });
    },
  );

  it.each(NAMES)(
    '%s: exactly the vm-host nodes register with the label (kubelet --node-labels, allowed by NodeRestriction)',
    (name) => {
      const site = load(SITES[name]!);
      // NodeRestriction lets a kubelet set only labels outside kubernetes.io/k8s.io (bar a fixed list).
      expect(VM_HOST_LABEL.split('/')[0]).not.toMatch(/(^|\.)(kubernetes\.io|k8s\.io)$/);
      const cp0 = site.nodes.find((n) => n.roles.includes('control-plane'))!;
      for (const node of site.nodes) {
        const text = node === cp0 ? kubeadmInitConfig(site, node) : kubeadmJoinConfig(site, node);
        const labels = /name: node-labels\n\s+value: (.*)/.exec(text)![1]!.split(',');
        expect(labels.includes(`${VM_HOST_LABEL}=true`), node.name).toBe(node.roles.includes('vm-host'));
        expect(labels).toContain(`topology.kubernetes.io/zone=${node.rack}`);
      }
    },
  );
});

describe('metrics the alerts read are enabled (Felix, etcd) and Harbor GC is scheduled', () => {
  it.each(NAMES)(
    '%s: Felix serves metrics on 9091 and a ServiceMonitor scrapes calico-node there (CalicoDataplaneFailures reads felix_*)',
    (site) => {
      const m = 'components/calico-metrics/manifests';
      const felix = golden(site, `${m}/felixconfiguration-default.yaml`);
      expect(felix.spec).toEqual({ prometheusMetricsEnabled: true, prometheusMetricsPort: 9091 });
      const svc = golden(site, `${m}/service-calico-system-felix-metrics.yaml`);
      expect(svc.spec.selector).toEqual({ 'k8s-app': 'calico-node' });
      expect(svc.spec.ports[0].targetPort).toBe(felix.spec.prometheusMetricsPort);
      const sm = golden(site, `${m}/servicemonitor-calico-system-felix.yaml`);
      expect(svc.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
      expect(sm.spec.endpoints[0].port).toBe(svc.spec.ports[0].name);
      expect(
        read(site, 'components/kube-prometheus-stack/manifests/prometheusrule-monitoring-labctl-network.yaml'),
      ).toContain('felix_int_dataplane_failures');
    },
  );

  it.each(NAMES)('%s: etcd metrics on every address at the port Prometheus scrapes, with a 4 GiB quota', (name) => {
    const site = load(SITES[name]!);
    const init = kubeadmInitConfig(site, site.nodes.find((n) => n.roles.includes('control-plane'))!);
    const cluster = parseAllDocuments(init)
      .map((d) => d.toJS())
      .find((d) => d.kind === 'ClusterConfiguration');
    const args = Object.fromEntries(
      cluster.etcd.local.extraArgs.map((a: { name: string; value: string }) => [a.name, a.value]),
    );
    expect(args['listen-metrics-urls']).toBe(`http://0.0.0.0:${ETCD_METRICS_PORT}`);
    expect(Number(args['quota-backend-bytes'])).toBe(4 * 1024 ** 3);
    const etcd = golden(name, 'components/kube-prometheus-stack/values.yaml').kubeEtcd;
    expect(etcd.service).toMatchObject({ enabled: true, port: ETCD_METRICS_PORT, targetPort: ETCD_METRICS_PORT });
    expect(
      read(name, 'components/kube-prometheus-stack/manifests/prometheusrule-monitoring-labctl-control-plane.yaml'),
    ).toContain('etcd_server_quota_backend_bytes');
  });

  it.each(NAMES)(
    '%s: the Harbor configuration Job sets the GC schedule (six-field cron, seconds 0, as Harbor requires)',
    (site) => {
      const dir = join(ROOT, 'test/golden', site, 'components/harbor/manifests');
      const cm = parse(
        readFileSync(join(dir, readdirSync(dir).find((f) => f.startsWith('configmap-harbor-harbor-config-'))!), 'utf8'),
      );
      const cfg = JSON.parse(cm.data['harbor.json']);
      expect(cfg.gc).toEqual(HARBOR_GC);
      const fields = cfg.gc.schedule.cron.split(' ');
      expect(fields).toHaveLength(6);
      expect(fields[0]).toBe('0');
      expect(cm.data['harbor-config.py']).toContain('"/system/gc/schedule"');
    },
  );
});
