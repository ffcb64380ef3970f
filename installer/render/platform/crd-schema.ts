// Building blocks for CRD schemas: metadata and the usual Kubernetes shapes.
import { obj, str, list, type Schema } from '../../inventory/schema/dsl.ts';

const labelMap = (d: string): Schema => ({ type: 'object', description: d, additionalProperties: { type: 'string' } });

export const metadata = (namespaced: boolean): Schema =>
  obj(
    'Object metadata.',
    {
      name: str('Object name.', { minLength: 1, maxLength: 253 }),
      ...(namespaced ? { namespace: str('Namespace.', { minLength: 1, maxLength: 63 }) } : {}),
      labels: labelMap('Labels.'),
      annotations: labelMap('Annotations.'),
    },
    namespaced ? ['name', 'namespace'] : ['name'],
  );

export const labelSelector: Schema = obj('A label selector.', {
  matchLabels: labelMap('Labels to match.'),
  matchExpressions: list(
    'Expressions.',
    obj(
      'An expression.',
      {
        key: str('Label key.'),
        operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'], description: 'Operator.' },
        values: list('Values.', { type: 'string' }),
      },
      ['key', 'operator'],
    ),
  ),
});

/** A whole custom resource: apiVersion and kind fixed, metadata, and the given spec. */
export function resource(
  apiVersion: string,
  kind: string,
  namespaced: boolean,
  spec: Schema,
  required: string[] = ['spec'],
  extra: Record<string, Schema> = {},
): Schema {
  return obj(
    `${kind} (${apiVersion}).`,
    {
      apiVersion: { const: apiVersion, description: 'API version.' },
      kind: { const: kind, description: 'Kind.' },
      metadata: metadata(namespaced),
      spec,
      ...extra,
    },
    ['apiVersion', 'kind', 'metadata', ...required],
  );
}

export const anyObject = (d: string): Schema => ({ type: 'object', description: d });
export { labelMap };
