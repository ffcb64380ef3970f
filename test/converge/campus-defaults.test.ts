// Campus-grade defaults from issue 21 that are in the render, checked on every golden site (the golden
// test keeps these trees equal to a fresh render): paging survives a node, Prometheus cannot fill its
// volume, and a node drain live-migrates students' VMs instead of killing them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireSite } from '../../installer/inventory/validate.ts';
import { EXAMPLE, ROOT, fixture } from '../helpers.ts';

const SITES: Record<string, string> = {
  example: EXAMPLE,
  'single-rack': fixture('inventory/valid/single-rack.yaml'),
  airgapped: fixture('inventory/valid/airgapped.yaml'),
};
const golden = (site: string, p: string) => parse(readFileSync(join(ROOT, 'test/golden', site, p), 'utf8'));
const gib = (q: string) => {
  const m = /^(\d+)(Gi|GB)$/.exec(q);
  if (!m) throw new Error(`size ${q}`);
  return Number(m[1]);
};

describe('campus-grade defaults', () => {
  it.each(Object.keys(SITES))(
    '%s: Alertmanager replicated over nodes, Prometheus bounded by size below its volume',
    (site) => {
      const v = requireSite(SITES[site]!);
      if ('errors' in v) throw new Error(JSON.stringify(v.errors));
      const values = golden(site, 'components/kube-prometheus-stack/values.yaml');
      const am = values.alertmanager.alertmanagerSpec;
      expect(am.replicas).toBe(Math.min(3, v.site.nodes.length));
      expect(am.replicas).toBeGreaterThan(1);
      expect(am.podAntiAffinity).toBe('soft');
      const p = values.prometheus.prometheusSpec;
      const volume = gib(p.storageSpec.volumeClaimTemplate.spec.resources.requests.storage);
      expect(gib(p.retentionSize)).toBeLessThan(volume);
      expect(gib(p.retentionSize)).toBeGreaterThan(volume / 2);
    },
  );

  it.each(Object.keys(SITES))('%s: KubeVirt live-migrates VMs on a drain (eviction strategy not None)', (site) => {
    const kv = golden(site, 'components/kubevirt-config/manifests/kubevirt-kubevirt-kubevirt.yaml');
    expect(kv.spec.configuration.evictionStrategy).toBe('LiveMigrateIfPossible');
  });
});

describe('metrics the alerts read are enabled', () => {
  it.each(Object.keys(SITES))(
    '%s: Keycloak exports user-event metrics (keycloak_user_events_total, read by KeycloakLoginErrorsHigh)',
    (site) => {
      const kc = golden(site, 'components/keycloak/manifests/keycloak-keycloak-keycloak.yaml');
      const opts = Object.fromEntries(
        (kc.spec.additionalOptions as { name: string; value: string }[]).map((o) => [o.name, o.value]),
      );
      expect(opts).toMatchObject({ 'metrics-enabled': 'true', 'event-metrics-user-enabled': 'true' });
      const rules = readFileSync(
        join(
          ROOT,
          'test/golden',
          site,
          'components/kube-prometheus-stack/manifests/prometheusrule-monitoring-labctl-services.yaml',
        ),
        'utf8',
      );
      expect(rules).toContain('keycloak_user_events_total');
    },
  );
});
