// The hand-over installs Calico and ArgoCD with the values of the rendered site repository (seeded:
// no monitoring CRs before the Prometheus CRDs exist), so ArgoCD adopts both releases unchanged.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { helmCommands, seedValues } from '../../installer/cluster/handover.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { renderSite } from '../../installer/render/render.ts';
import { EXAMPLE } from '../helpers.ts';

describe('hand-over helm commands', () => {
  it('seedValues turns off every ServiceMonitor/PrometheusRule and keeps everything else', () => {
    const v = {
      a: { metrics: { enabled: true, serviceMonitor: { enabled: true, interval: '30s' } } },
      prometheusRule: { enabled: true },
      list: [{ servicemonitor: { enabled: true } }],
      x: 1,
    };
    expect(seedValues(v)).toEqual({
      a: { metrics: { enabled: true, serviceMonitor: { enabled: false, interval: '30s' } } },
      prometheusRule: { enabled: false },
      list: [{ servicemonitor: { enabled: false } }],
      x: 1,
    });
  });

  it('installs tigera-operator and argo-cd with the rendered values, no ad-hoc --set flags', async () => {
    const v = requireSite(EXAMPLE);
    if ('errors' in v) throw new Error('example invalid');
    const rendered = await renderSite(v.site, readRenderInputs(v.site));
    const cmds = helmCommands(v.site, '/state');
    expect(cmds.map((c) => c.title)).toEqual(['Calico CRDs', 'tigera-operator', 'Argo CD']);
    for (const c of cmds) expect(c.argv).not.toContain('--set');
    for (const [name, file] of [
      ['tigera-operator', 'components/tigera-operator/values.yaml'],
      ['argocd', 'components/argocd/values.yaml'],
    ] as const) {
      const cmd = cmds.find((c) => c.values?.file === `/state/seed-values-${name}.yaml`)!;
      expect(cmd.argv).toEqual(expect.arrayContaining(['-f', `/state/seed-values-${name}.yaml`]));
      expect(parse(cmd.values!.content)).toEqual(seedValues(parse(rendered.files.get(file)!)));
    }
    // The release names are the Application's release names, so ArgoCD adopts the same release.
    const argoApp = parse(rendered.files.get('apps/argocd.yaml')!);
    expect(cmds[2]!.argv[2]).toBe(argoApp.spec.sources[0].helm.releaseName);
    const calicoApp = parse(rendered.files.get('apps/tigera-operator.yaml')!);
    expect(cmds[1]!.argv[2]).toBe(calicoApp.spec.sources[0].helm.releaseName);
  });
});
