// CustomResourceDefinitions for the test kube-apiserver. The upstream charts that install the real CRDs
// (Calico, MetalLB, Rook, CNPG, Keycloak, KubeVirt, CDI, prometheus-operator, Argo CD, cert-manager) are
// not in Git, and no registry package we can depend on ships their CRD schemas (the @kubernetes-models
// packages ship compiled validators only). So the CRDs are BUILT FROM THE PROJECT'S OWN SCHEMAS in
// installer/render/schemas/ (written from the upstream CRDs), turned into structural OpenAPI schemas the
// API server enforces (unknown fields are refused under strict field validation, enums, patterns, ranges).
// Kinds the project has no schema for (Argo CD and cert-manager kinds, validated by @kubernetes-models at
// render time; status-only kinds) get an open spec: the server then proves only their group, version,
// kind, scope and metadata.
import { CRD_SCHEMAS } from '../../installer/render/schemas/index.ts';
import type { K8sObject } from '../../installer/render/model.ts';

type Schema = Record<string, unknown>;

/** Kinds without a project schema: apiVersion/Kind -> namespaced. */
export const OPEN_KINDS: Record<string, boolean> = {
  'argoproj.io/v1alpha1/Application': true,
  'argoproj.io/v1alpha1/AppProject': true,
  'argoproj.io/v1alpha1/ApplicationSet': true,
  'cert-manager.io/v1/Certificate': true,
  'cert-manager.io/v1/Issuer': true,
  'cert-manager.io/v1/ClusterIssuer': false,
  'ceph.rook.io/v1/CephCluster': true,
  'frrk8s.metallb.io/v1beta1/BGPSessionState': true,
};

const OPEN: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const KEEP = [
  'description',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'format',
  'nullable',
  'default',
];

/** A JSON Schema of installer/render/schemas as a structural schema kube-apiserver accepts. */
export function structural(s0: Schema): Schema {
  // scripts/crds/convert.ts writes upstream `nullable: true` as JSON Schema's `type: [T, 'null']`; a CRD
  // schema takes one type string, so it goes back to `type: T, nullable: true`.
  const s: Schema = { ...s0 };
  if (Array.isArray(s.type)) {
    const types = (s.type as string[]).filter((t) => t !== 'null');
    if (types.length !== 1) throw new Error(`structural: cannot express type ${JSON.stringify(s.type)} in a CRD`);
    if (types.length < (s.type as string[]).length) s.nullable = true;
    s.type = types[0];
  }
  const out: Schema = {};
  for (const k of KEEP) if (s[k] !== undefined) out[k] = s[k];
  if (typeof out.pattern === 'string' && /\(\?[=!<]/.test(out.pattern)) delete out.pattern; // RE2 has no lookaround
  if (s.const !== undefined) {
    out.type = typeof s.const;
    out.enum = [s.const];
  }
  if (Array.isArray(s.enum)) {
    out.enum = s.enum;
    out.type ??= typeof s.enum[0];
  }
  const branches = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (branches) {
    const types = new Set(branches.map((b) => b.type));
    if (types.size === 2 && types.has('integer') && types.has('string')) {
      // Quantities and int-or-string: the API server's own convention; value checks stay per type.
      Object.assign(out, { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] });
      for (const b of branches)
        for (const k of ['pattern', 'minLength', 'minimum']) if (b[k] !== undefined) out[k] = b[k];
      return out;
    }
    return { ...OPEN, ...(out.description ? { description: out.description } : {}) };
  }
  if (s.type) out.type = s.type;
  if (s.type === 'object') {
    const props = s.properties as Record<string, Schema> | undefined;
    const addl = s.additionalProperties;
    if (props && Object.keys(props).length) {
      out.properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, structural(v)]));
      const req = (s.required as string[] | undefined)?.filter((r) => r in props);
      if (req?.length) out.required = req;
    } else if (addl && typeof addl === 'object') {
      out.additionalProperties = structural(addl as Schema);
    } else if (addl !== false || !props) {
      out['x-kubernetes-preserve-unknown-fields'] = true;
    }
    // An object closed with no properties (e.g. `pod: {}`) stays an empty object: unknown fields refused.
  }
  if (s.type === 'array' && s.items) {
    out.items = structural(s.items as Schema);
    if (s.uniqueItems === true) out['x-kubernetes-list-type'] = 'set'; // CRDs forbid uniqueItems
  }
  return out;
}

const plural = (kind: string) => kind.toLowerCase().replace(/y$/, 'ie') + 's';

/** One CRD per group and kind, with every version the objects use (the first one is stored). */
export function crdsFor(objects: { apiVersion: string; kind: string }[]): K8sObject[] {
  const byKind = new Map<string, { group: string; kind: string; versions: string[] }>();
  for (const o of objects) {
    if (!o.apiVersion.includes('/')) continue;
    const [group, version] = o.apiVersion.split('/') as [string, string];
    if (
      (group.endsWith('.k8s.io') && !group.includes('keycloak')) ||
      ['apps', 'batch', 'policy', 'autoscaling'].includes(group)
    )
      continue;
    const e = byKind.get(`${group}/${o.kind}`) ?? { group, kind: o.kind, versions: [] };
    if (!e.versions.includes(version)) e.versions.push(version);
    byKind.set(`${group}/${o.kind}`, e);
  }
  return [...byKind.values()]
    .sort((a, b) => (`${a.group}/${a.kind}` < `${b.group}/${b.kind}` ? -1 : 1))
    .map(({ group, kind, versions }) => {
      let namespaced: boolean | undefined;
      const vers = versions.map((version, i) => {
        const key = `${group}/${version}/${kind}`;
        const schema = CRD_SCHEMAS[key];
        let openAPIV3Schema: Schema;
        if (schema) {
          namespaced = !!((schema.properties as Record<string, Schema>).metadata!.properties as Schema).namespace;
          const props = { ...(schema.properties as Record<string, Schema>) };
          delete props.apiVersion;
          delete props.kind;
          delete props.metadata;
          const req = (schema.required as string[]).filter((r) => r in props);
          openAPIV3Schema = {
            type: 'object',
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              ...Object.fromEntries(Object.entries(props).map(([k, v]) => [k, structural(v)])),
              status: OPEN,
            },
            ...(req.length ? { required: req } : {}),
          };
        } else if (key in OPEN_KINDS) {
          namespaced = OPEN_KINDS[key];
          openAPIV3Schema = {
            type: 'object',
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: OPEN,
              status: OPEN,
            },
          };
        } else {
          throw new Error(
            `no CRD schema for ${key}: add one to the crdSchemas of its component (installer/render/components/<name>/schemas.ts, from the upstream CRD) or to OPEN_KINDS`,
          );
        }
        return {
          name: version,
          served: true,
          storage: i === 0,
          schema: { openAPIV3Schema },
          subresources: { status: {} },
        };
      });
      const p = plural(kind);
      return {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `${p}.${group}` },
        spec: {
          group,
          scope: namespaced ? 'Namespaced' : 'Cluster',
          names: { kind, listKind: `${kind}List`, plural: p, singular: kind.toLowerCase() },
          versions: vers,
        },
      } as K8sObject;
    });
}
