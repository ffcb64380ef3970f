// Every rendered object is validated before anything is written. Core kinds use the kubernetes-models
// validators, ArgoCD and cert-manager kinds their @kubernetes-models packages, and the other custom
// resources the schemas in ./schemas (written from the upstream CRDs, for the fields we use).
// A rendering bug is reported like an inventory error: the file, the object and the field.
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../core/diagnostics.ts';
import { compile } from '../core/schema-check.ts';
import { CRD_SCHEMAS } from './schemas/index.ts';
import { CRD_VALIDATORS } from '../validators/crds/index.ts';
import type { K8sObject } from './model.ts';

type Validator = (obj: K8sObject) => ErrorObject[] | null;
const cache = new Map<string, Promise<Validator | null>>();

const MODEL_PACKAGES: Record<string, string> = {
  'argoproj.io': '@kubernetes-models/argo-cd',
  'cert-manager.io': '@kubernetes-models/cert-manager',
  'acme.cert-manager.io': '@kubernetes-models/cert-manager',
};
const CORE_GROUPS = /^(v1|(apps|batch|policy|autoscaling|[a-z.]+\.k8s\.io)\/v[0-9a-z]+)$/;

/**
 * The model modules of the kinds the platform renders, imported by literal paths so the CLI bundle holds
 * them (a computed path is loaded from node_modules at run time: hundreds of small files, the larger
 * part of a render's start-up). Any other kind is still found by its computed path below.
 */
export const MODELS: Record<string, () => Promise<Record<string, unknown>>> = {
  'v1/ConfigMap': () => import('kubernetes-models/v1/ConfigMap'),
  'v1/Namespace': () => import('kubernetes-models/v1/Namespace'),
  'v1/Secret': () => import('kubernetes-models/v1/Secret'),
  'v1/Service': () => import('kubernetes-models/v1/Service'),
  'v1/ServiceAccount': () => import('kubernetes-models/v1/ServiceAccount'),
  'apps/v1/DaemonSet': () => import('kubernetes-models/apps/v1/DaemonSet'),
  'apps/v1/Deployment': () => import('kubernetes-models/apps/v1/Deployment'),
  'batch/v1/CronJob': () => import('kubernetes-models/batch/v1/CronJob'),
  'batch/v1/Job': () => import('kubernetes-models/batch/v1/Job'),
  'networking.k8s.io/v1/Ingress': () => import('kubernetes-models/networking.k8s.io/v1/Ingress'),
  'networking.k8s.io/v1/NetworkPolicy': () => import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy'),
  'rbac.authorization.k8s.io/v1/ClusterRole': () =>
    import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole'),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': () =>
    import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding'),
  'rbac.authorization.k8s.io/v1/Role': () => import('kubernetes-models/rbac.authorization.k8s.io/v1/Role'),
  'rbac.authorization.k8s.io/v1/RoleBinding': () =>
    import('kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding'),
  'scheduling.k8s.io/v1/PriorityClass': () => import('kubernetes-models/scheduling.k8s.io/v1/PriorityClass'),
  'argoproj.io/v1alpha1/AppProject': () => import('@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject'),
  'argoproj.io/v1alpha1/Application': () => import('@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application'),
  'argoproj.io/v1alpha1/ApplicationSet': () => import('@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet'),
  'cert-manager.io/v1/Certificate': () => import('@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate'),
  'cert-manager.io/v1/ClusterIssuer': () => import('@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer'),
  'cert-manager.io/v1/Issuer': () => import('@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer'),
};

async function loadValidator(apiVersion: string, kind: string): Promise<Validator | null> {
  const key = `${apiVersion}/${kind}`;
  const schema = CRD_SCHEMAS[key];
  if (schema) {
    // The kind's own precompiled module: a render loads the validators of the kinds it renders only.
    const fn = compile(schema, (await CRD_VALIDATORS[key]?.())?.validators);
    return (o) => (fn(o) ? null : [...(fn.errors ?? [])]);
  }
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
  const pkg = MODEL_PACKAGES[group] ?? (CORE_GROUPS.test(apiVersion) ? 'kubernetes-models' : undefined);
  if (!pkg) return null;
  try {
    const mod = await (MODELS[key]?.() ?? import(`${pkg}/${apiVersion}/${kind}`));
    const Model = mod[kind];
    return (o) => {
      try {
        new Model(o).validate();
        return null;
      } catch (e) {
        const errs = (e as { errors?: ErrorObject[] }).errors;
        if (errs) return errs;
        throw e;
      }
    };
  } catch (e) {
    if (
      (e as NodeJS.ErrnoException).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' ||
      (e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND'
    )
      return null;
    throw e;
  }
}

export interface Located {
  object: K8sObject;
  file: string;
}

export async function validateObjects(items: Located[]): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const { object, file } of items) {
    const id = `${object.kind} ${object.metadata?.namespace ? object.metadata.namespace + '/' : ''}${object.metadata?.name ?? '(no name)'}`;
    const diag = (path: string, message: string): Diagnostic => ({
      severity: 'error',
      file,
      line: 1,
      col: 1,
      path,
      message: `${id}: ${message}`,
    });
    if (!object.metadata?.name) {
      out.push(diag('metadata.name', 'object has no name'));
      continue;
    }
    if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(object.metadata.name))
      out.push(diag('metadata.name', `name ${JSON.stringify(object.metadata.name)} is not a DNS-1123 subdomain`));
    const key = `${object.apiVersion}/${object.kind}`;
    let p = cache.get(key);
    if (!p) {
      p = loadValidator(object.apiVersion, object.kind);
      cache.set(key, p);
    }
    const validate = await p;
    if (!validate) {
      out.push(
        diag(
          '',
          `no schema for ${key}: add one in installer/render/schemas (from the upstream CRD) so this kind is validated`,
        ),
      );
      continue;
    }
    for (const e of validate(object) ?? []) {
      const path = e.instancePath
        .replace(/^\//, '')
        .replace(/\/(\d+)(?=\/|$)/g, '[$1]')
        .replace(/\//g, '.');
      const extra =
        e.keyword === 'additionalProperties'
          ? ` (${(e.params as { additionalProperty: string }).additionalProperty})`
          : e.keyword === 'enum'
            ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`
            : '';
      out.push(diag(path, `${e.message}${extra}`));
    }
  }
  return out;
}
