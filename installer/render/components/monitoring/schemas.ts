// PrometheusRule (monitoring.coreos.com/v1), written from the prometheus-operator CRD shipped by
// prometheus-operator-crds 31.0.1 / kube-prometheus-stack 88.5.3 (operator v0.93.1): groups[].name and
// rules[].expr required, durations in Prometheus syntax. Fields we do not use are left out (closed objects).
import { list, obj, str, int, type Schema } from '../../../inventory/schema/dsl.ts';
import { labelMap, resource } from '../../platform/crd-schema.ts';

const DURATION = '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$';

const rule = obj('An alerting or recording rule.', {
  alert: str('Alert name (a valid label value).', { minLength: 1 }),
  record: str('Name of the recorded series.', { minLength: 1 }),
  expr: { anyOf: [{ type: 'integer' }, { type: 'string', minLength: 1 }], description: 'PromQL expression.' },
  for: str('How long the condition must hold before the alert fires.', { pattern: DURATION }),
  labels: labelMap('Labels added to the alert or series.'),
  annotations: labelMap('Annotations of the alert (summary, description, runbook_url).'),
}, ['expr']);

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = {
  'monitoring.coreos.com/v1/PrometheusRule': resource('monitoring.coreos.com/v1', 'PrometheusRule', true, obj('PrometheusRule spec.', {
    groups: list('Rule groups (one Prometheus rule file).', obj('A rule group.', {
      name: str('Group name.', { minLength: 1 }),
      interval: str('Evaluation interval of the group.', { pattern: DURATION }),
      limit: int('Max alerts/series the rules of the group may produce.'),
      rules: list('Rules evaluated in order.', rule),
    }, ['name'])),
  })),
};
