// The helm invocations of the hand-over as data: `labctl plan` shows them and handOver (handover.ts) runs
// them. Apart from handover.ts so that plan does not load the Kubernetes client and SSH (most of its CPU).
import { join } from 'node:path';
import type { Site } from '../inventory/types.ts';
import { readRenderInputs } from '../render/inputs.ts';
import { buildComponents, renderContext } from '../render/render.ts';
import { toYaml } from '../render/yaml.ts';

/**
 * Bootstrap ("seed") values: the rendered values of a component, with every ServiceMonitor/PrometheusRule
 * switched off, because the Prometheus operator CRDs do not exist before ArgoCD installs them. ArgoCD
 * then adopts the release with the full rendered values.
 */
export function seedValues(values: unknown): unknown {
  if (Array.isArray(values)) return values.map(seedValues);
  if (!values || typeof values !== 'object') return values;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    const monitoringCr =
      /^(serviceMonitor|servicemonitor|prometheusRule|podMonitor)$/.test(k) && v && typeof v === 'object';
    out[k] = monitoringCr ? { ...(seedValues(v) as object), enabled: false } : seedValues(v);
  }
  return out;
}

export interface HelmCommand {
  title: string;
  argv: string[];
  serverSideApply?: boolean;
  values?: { file: string; content: string };
}

/**
 * The helm invocations, as argument arrays (shown by `labctl plan` and run by handOver). Calico and
 * ArgoCD get the same values the rendered site repository holds (seeded), so ArgoCD adopts them without
 * a change.
 */
export function helmCommands(site: Site, stateDir = '.labctl'): HelmCommand[] {
  const ctx = renderContext(site, readRenderInputs(site));
  const v = ctx.versions.components;
  const components = buildComponents(ctx);
  const valuesOf = (name: string) => {
    const c = components.find((x) => x.name === name);
    if (!c?.chart) throw new Error(`hand-over: the render has no chart component ${name}`);
    return {
      file: join(stateDir, `seed-values-${name}.yaml`),
      content: toYaml(seedValues(c.chart.values), { object: false }),
    };
  };
  const crds = v['calico-crds']!,
    op = v['tigera-operator']!,
    argo = v['argo-cd']!;
  const calico = valuesOf('tigera-operator'),
    argocd = valuesOf('argocd');
  return [
    {
      title: 'Calico CRDs',
      argv: ['template', 'calico-crds', crds.chart!, '--repo', crds.repo!, '--version', crds.version],
      serverSideApply: true,
    },
    {
      title: 'tigera-operator',
      values: calico,
      argv: [
        'upgrade',
        '--install',
        'tigera-operator',
        op.chart!,
        '--repo',
        op.repo!,
        '--version',
        op.version,
        '--namespace',
        'tigera-operator',
        '--create-namespace',
        '--wait',
        '--timeout',
        '10m',
        '-f',
        calico.file,
      ],
    },
    {
      title: 'Argo CD',
      values: argocd,
      argv: [
        'upgrade',
        '--install',
        'argocd',
        argo.chart!,
        '--repo',
        argo.repo!,
        '--version',
        argo.version,
        '--namespace',
        'argocd',
        '--create-namespace',
        '--wait',
        '--timeout',
        '10m',
        '-f',
        argocd.file,
      ],
    },
  ];
}
