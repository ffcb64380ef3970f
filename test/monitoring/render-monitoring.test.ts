// What render writes for monitoring and logs, on the example site: applications, chart values,
// our PrometheusRules, one runbook per alert, dashboards, Loki on the object store, Alloy, secrets.
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXAMPLE } from '../helpers.ts';
import { validateInventoryFile } from '../../installer/inventory/validate.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { renderSite, type RenderResult } from '../../installer/render/render.ts';
import type { PrometheusRule } from '../../installer/render/platform/alert-rules.ts';

let out: RenderResult;
const render = (s: Site) => renderSite(s, readRenderInputs(s));
const file = (p: string) => {
  const f = out.files.get(p);
  expect(f, p).toBeDefined();
  return f!;
};
const values = (c: string) => parse(file(`components/${c}/values.yaml`)) as Record<string, any>;

beforeAll(async () => {
  out = await render(validateInventoryFile(EXAMPLE).site!);
  expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
}, 120_000);

describe('render: monitoring and logs', () => {
  it('server-side applies the monitoring CRDs in the crds wave, before everything that creates ServiceMonitors', () => {
    const app = parse(file('apps/prometheus-crds.yaml'));
    expect(app.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-10');
    expect(app.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    expect(app.spec.sources[0]).toMatchObject({ chart: 'prometheus-operator-crds', targetRevision: '31.0.1' });
    expect(values('kube-prometheus-stack').crds.enabled).toBe(false);
  });

  it('configures kube-prometheus-stack from the inventory: retention, selectors, ceph-block storage', () => {
    const v = values('kube-prometheus-stack');
    const ps = v.prometheus.prometheusSpec;
    expect(ps.retention).toBe('30d');
    for (const k of ['rule', 'serviceMonitor', 'podMonitor', 'probe', 'scrapeConfig'])
      expect(ps[`${k}SelectorNilUsesHelmValues`]).toBe(false);
    expect(ps.storageSpec.volumeClaimTemplate.spec.storageClassName).toBe('ceph-block');
    expect(v.alertmanager.alertmanagerSpec.secrets).toEqual(['alertmanager-receivers']);
    expect(v.defaultRules.disabled).toEqual({ KubePodCrashLooping: true, KubePodNotReady: true });
  });

  it('logs Grafana in through Keycloak with the client secret only from a Secret', () => {
    const g = values('kube-prometheus-stack').grafana;
    const oauth = g['grafana.ini']['auth.generic_oauth'];
    expect(oauth).toMatchObject({
      enabled: true,
      client_id: 'grafana',
      auth_url: 'https://sso.lab.example.edu/realms/campus/protocol/openid-connect/auth',
    });
    expect(oauth.client_secret).toBeUndefined();
    expect(g.envFromSecret).toBe('grafana-oidc');
    expect(JSON.stringify(g)).not.toMatch(/client_secret/);
    const need = out.secrets.find((s) => s.name === 'grafana-oidc')!;
    expect(need).toMatchObject({ namespace: 'monitoring', key: 'GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET' });
  });

  it('declares every receiver URL and the SMTP password as external secrets of alertmanager-receivers', () => {
    const am = out.secrets.filter((s) => s.name === 'alertmanager-receivers');
    expect(am.map((s) => s.ref)).toEqual([
      'monitoring/heartbeat',
      'monitoring/matrix-webhook',
      'monitoring/smtp',
      'oncall/akumar-ntfy',
      'oncall/jdoe-ntfy',
      'oncall/mmuster-ntfy',
    ]);
    expect(am.every((s) => s.generate.kind === 'external')).toBe(true);
  });

  it('writes our rules as PrometheusRules and one runbook per alert, linked by runbook_url', () => {
    const rules = [...out.files]
      .filter(([p]) => /kube-prometheus-stack\/manifests\/prometheusrule-/.test(p))
      .map(([, c]) => parse(c) as PrometheusRule);
    const alerts = rules.flatMap((r) => r.spec.groups.flatMap((g) => g.rules));
    expect(alerts.length).toBeGreaterThanOrEqual(35);
    for (const a of alerts) {
      const page = file(`runbooks/${a.alert}.md`);
      for (const h of ['## What it means', '## How to check', '## How to fix', '## How to escalate'])
        expect(page, a.alert).toContain(h);
      expect(a.annotations.runbook_url).toBe(
        `https://git.example.edu/platform/cs-lab-site/-/blob/main/runbooks/${a.alert}.md`,
      );
      expect(file('runbooks/README.md')).toContain(`[${a.alert}](${a.alert}.md)`);
    }
    expect([...out.files.keys()].filter((p) => p.startsWith('runbooks/')).length).toBe(alerts.length + 1);
  });

  it('ships six dashboards (backups: the example has a backup section) as labelled ConfigMaps with JSON built as data', () => {
    const cms = [...out.files]
      .filter(([p]) => /kube-prometheus-stack\/manifests\/configmap-monitoring-dashboard-/.test(p))
      .map(([, c]) => parse(c));
    expect(cms.map((c) => c.metadata.name).sort()).toEqual([
      'dashboard-backup',
      'dashboard-bgp',
      'dashboard-ceph',
      'dashboard-cluster',
      'dashboard-ingress',
      'dashboard-labs',
    ]);
    for (const cm of cms) {
      expect(cm.metadata.labels.grafana_dashboard).toBe('1');
      const d = JSON.parse(Object.values(cm.data as Record<string, string>)[0]!);
      expect(d.panels.length).toBeGreaterThan(3);
      for (const p of d.panels) expect(p.targets.every((t: { expr: string }) => t.expr.length > 0)).toBe(true);
    }
  });

  it('puts Loki (monolithic) on the Ceph object store and ships node and pod logs with Alloy', () => {
    const l = values('loki');
    expect(l.deploymentMode).toBe('Monolithic');
    expect(l.loki.storage.type).toBe('s3');
    expect(l.loki.limits_config.retention_period).toBe('336h');
    expect(l.singleBinary.extraEnvFrom).toEqual([{ secretRef: { name: 'loki-chunks' } }]);
    const obc = parse(file('components/loki/manifests/objectbucketclaim-logging-loki-chunks.yaml'));
    expect(obc.spec).toEqual({ bucketName: 'loki-chunks', storageClassName: 'ceph-bucket' });
    const a = values('alloy');
    expect(a.controller.type).toBe('daemonset');
    expect(a.alloy.configMap.content).toContain('loki.source.journal "node"');
    expect(a.alloy.configMap.content).toContain(
      'url = "http://loki-gateway.logging.svc.cluster.local/loki/api/v1/push"',
    );
  });

  it('is deterministic', async () => {
    const again = await render(validateInventoryFile(EXAMPLE).site!);
    for (const p of [...out.files.keys()].filter((k) => /monitoring|prometheus|loki|alloy|runbooks/.test(k)))
      expect(again.files.get(p), p).toBe(out.files.get(p));
  });
});
