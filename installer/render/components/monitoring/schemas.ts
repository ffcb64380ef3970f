// ServiceMonitor (monitoring.coreos.com/v1), by hand until scripts/crds covers it, from the CRD shipped by
// prometheus-operator-crds 31.0.1 / kube-prometheus-stack 88.5.3 (operator v0.93.1): groups[].name and
// rules[].expr required, durations in Prometheus syntax. Fields we do not use are left out (closed objects).
import { bool, list, obj, str, int, type Schema } from '../../../inventory/schema/dsl.ts';
import { labelSelector, resource } from '../../platform/crd-schema.ts';
import { PROMETHEUS_OPERATOR_SCHEMAS } from '../../schemas/generated/prometheus-operator.ts';

const DURATION = '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$';

// ServiceMonitor, from the same CRD set (crd-servicemonitors.yaml): selector and endpoints required.
const RELABEL_ACTIONS = [
  'replace',
  'Replace',
  'keep',
  'Keep',
  'drop',
  'Drop',
  'hashmod',
  'HashMod',
  'labelmap',
  'LabelMap',
  'labeldrop',
  'LabelDrop',
  'labelkeep',
  'LabelKeep',
  'lowercase',
  'Lowercase',
  'uppercase',
  'Uppercase',
  'keepequal',
  'KeepEqual',
  'dropequal',
  'DropEqual',
];
const serviceMonitor = resource(
  'monitoring.coreos.com/v1',
  'ServiceMonitor',
  true,
  obj(
    'ServiceMonitor spec.',
    {
      selector: labelSelector,
      namespaceSelector: obj('Namespaces of the Services.', {
        any: bool('Every namespace.'),
        matchNames: list('Namespace names.', { type: 'string' }),
      }),
      jobLabel: str('Service label whose value becomes the job label.'),
      endpoints: list(
        'Scrape endpoints.',
        obj('An endpoint of the Services.', {
          port: str('Name of the Service port.'),
          path: str('HTTP path.'),
          scheme: { enum: ['http', 'https', 'HTTP', 'HTTPS'], description: 'Scheme.' },
          interval: str('Scrape interval.', { pattern: DURATION }),
          relabelings: list(
            'Relabelings before the scrape.',
            obj('A relabeling.', {
              sourceLabels: list('Source labels.', { type: 'string' }),
              targetLabel: str('Target label.'),
              regex: str('Regular expression.'),
              replacement: str('Replacement.'),
              action: { enum: RELABEL_ACTIONS, description: 'Action.' },
            }),
          ),
        }),
      ),
    },
    ['endpoints', 'selector'],
  ),
);

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = {
  'monitoring.coreos.com/v1/ServiceMonitor': serviceMonitor,
  // PrometheusRule and PodMonitor: generated from the pinned upstream CRDs (scripts/crds).
  ...PROMETHEUS_OPERATOR_SCHEMAS,
};
