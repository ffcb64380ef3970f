// Typed builders for Prometheus alerting rules and the PrometheusRule objects that carry them.
// Every alert has a severity, a summary, a description and a runbook (rendered to runbooks/<Alert>.md,
// linked by runbook_url). Annotations use only {{ $labels.x }} so that their text is predictable
// (the unit tests expand them to compare exactly).
import type { K8sObject } from '../model.ts';

export type Severity = 'critical' | 'warning' | 'info' | 'none';

export interface Runbook {
  /** What the alert means and what users notice. */
  meaning: string;
  /** How to confirm and narrow it down: commands, dashboards. */
  check: string[];
  /** How to fix the usual causes. */
  fix: string[];
  /** Who to involve when the fix does not work. */
  escalate: string;
}

export interface AlertSpec {
  readonly name: string;
  readonly expr: string;
  /** Prometheus duration. @default none (fires on the first evaluation) */
  readonly for?: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly description: string;
  readonly labels?: Record<string, string>;
  readonly runbook: Runbook;
}

export interface AlertGroup {
  readonly name: string;
  readonly interval?: string;
  readonly alerts: AlertSpec[];
}

const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;
const ALERT_NAME = /^[A-Z][A-Za-z0-9]+$/;
const TEMPLATE = /\{\{\s*([^}]*?)\s*\}\}/g;

/** Builds an alert and checks what the type system cannot: names, durations, annotation templates, runbook. */
export function alert(spec: AlertSpec): AlertSpec {
  if (!ALERT_NAME.test(spec.name))
    throw new Error(`alert name ${JSON.stringify(spec.name)} must be UpperCamelCase (${ALERT_NAME})`);
  if (spec.for !== undefined && !DURATION.test(spec.for))
    throw new Error(`alert ${spec.name}: 'for' ${JSON.stringify(spec.for)} is not a Prometheus duration`);
  for (const [field, text] of [
    ['summary', spec.summary],
    ['description', spec.description],
  ] as const) {
    if (!text.trim()) throw new Error(`alert ${spec.name}: ${field} is empty`);
    for (const m of text.matchAll(TEMPLATE)) {
      if (!/^\$labels\.[a-zA-Z_][a-zA-Z0-9_]*$/.test(m[1]!))
        throw new Error(`alert ${spec.name}: ${field} uses {{ ${m[1]} }}; only {{ $labels.<name> }} is allowed`);
    }
  }
  const rb = spec.runbook;
  if (!rb.meaning || rb.check.length === 0 || rb.fix.length === 0 || !rb.escalate)
    throw new Error(`alert ${spec.name}: the runbook needs meaning, check, fix and escalate`);
  return spec;
}

/** Label names an alert's annotations refer to: the expression must keep them. */
export const templateLabels = (a: AlertSpec): string[] =>
  [
    ...new Set([...`${a.summary} ${a.description}`.matchAll(TEMPLATE)].map((m) => m[1]!.replace('$labels.', ''))),
  ].sort();

/** Expands {{ $labels.x }} as Prometheus does for the label set `labels` (missing labels become ''). */
export const expand = (text: string, labels: Record<string, string>): string =>
  text.replace(TEMPLATE, (_, ref: string) => labels[ref.replace('$labels.', '')] ?? '');

export interface PromRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
export interface PromGroup {
  name: string;
  interval?: string;
  rules: PromRule[];
}

export function toRule(a: AlertSpec, runbookUrl: (name: string) => string): PromRule {
  return {
    alert: a.name,
    expr: a.expr,
    ...(a.for ? { for: a.for } : {}),
    labels: { ...a.labels, severity: a.severity },
    annotations: { summary: a.summary, description: a.description, runbook_url: runbookUrl(a.name) },
  };
}

export function toGroup(g: AlertGroup, runbookUrl: (name: string) => string): PromGroup {
  return {
    name: g.name,
    ...(g.interval ? { interval: g.interval } : {}),
    rules: g.alerts.map((a) => toRule(a, runbookUrl)),
  };
}

/** monitoring.coreos.com/v1 PrometheusRule (prometheus-operator CRD: spec.groups[].name, rules[].expr required). */
export interface PrometheusRule extends K8sObject {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PrometheusRule';
  spec: { groups: PromGroup[] };
}

export function prometheusRule(name: string, namespace: string, groups: PromGroup[]): PrometheusRule {
  const names = new Set<string>();
  for (const g of groups) {
    if (names.has(g.name)) throw new Error(`PrometheusRule ${name}: group ${g.name} appears twice`);
    names.add(g.name);
  }
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'labctl', 'labctl.dev/rules': 'platform' } },
    spec: { groups },
  };
}

/** A Markdown code span, for commands in runbook text. */
export const kc = (cmd: string) => `\`${cmd}\``;

/**
 * The platform's alert groups, in the order the on-call reads them (runbooks/README.md). Each is one
 * PrometheusRule; several components may add to one group (labctl-services: Harbor, Keycloak, ArgoCD).
 * A group not listed here comes after these, by name.
 */
export const ALERT_GROUP_ORDER = [
  'labctl-nodes',
  'labctl-pods',
  'labctl-control-plane',
  'labctl-network',
  'labctl-ingress',
  'labctl-cert-manager',
  'labctl-ceph',
  'labctl-services',
  'labctl-kubevirt',
  'labctl-labs',
  'labctl-meta',
];

/** Merges the components' groups (in component order) by name, then orders them by ALERT_GROUP_ORDER. */
export function gatherAlerts(contributions: AlertGroup[]): AlertGroup[] {
  const byName = new Map<string, AlertGroup>();
  for (const g of contributions) {
    const prev = byName.get(g.name);
    if (prev && prev.interval !== g.interval)
      throw new Error(`alert group ${g.name}: two components give it different intervals`);
    byName.set(g.name, prev ? { ...prev, alerts: [...prev.alerts, ...g.alerts] } : g);
  }
  const names = new Set<string>();
  for (const a of [...byName.values()].flatMap((g) => g.alerts)) {
    if (names.has(a.name)) throw new Error(`alert ${a.name} is declared twice`);
    names.add(a.name);
  }
  const rank = (n: string) => (ALERT_GROUP_ORDER.includes(n) ? ALERT_GROUP_ORDER.indexOf(n) : ALERT_GROUP_ORDER.length);
  return [...byName.values()]
    .filter((g) => g.alerts.length)
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/** An inventory change reaching the cluster, as commands run in the site repository's root (runbooks' fixes). */
export const RERENDER =
  'then, in the site repository: `labctl render -o .`, `git commit -am "<what and why>"`, `git push` (ArgoCD syncs it)';
