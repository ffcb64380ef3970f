// Turns components into the ArgoCD app-of-apps: one AppProject per tier (only the namespaces, repos and
// cluster-scoped kinds that tier's components use), one Application per component with its sync wave,
// and the root Application the installer applies once.
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import type { Component, K8sObject, SiteContext, Tier } from './model.ts';
import { SYNC_WAVE, TIER_WAVE, k8s } from './model.ts';
import { ARGOCD_NAMESPACE } from './platform/namespaces.ts';

export { ARGOCD_NAMESPACE };

const IN_CLUSTER = 'https://kubernetes.default.svc';

/** Cluster-scoped kinds any operator-style chart needs; other tiers get only what components declare. */
const OPERATOR_KINDS = [
  ['apiextensions.k8s.io', 'CustomResourceDefinition'],
  ['rbac.authorization.k8s.io', 'ClusterRole'],
  ['rbac.authorization.k8s.io', 'ClusterRoleBinding'],
  ['admissionregistration.k8s.io', 'ValidatingWebhookConfiguration'],
  ['admissionregistration.k8s.io', 'MutatingWebhookConfiguration'],
].map(([group, kind]) => ({ group: group!, kind: kind! }));

export const chartRepoUrl = (c: { repo?: string; oci?: boolean }) => (c.oci ? c.repo! : c.repo!);

export function componentDir(name: string): string {
  return `components/${name}`;
}

function sourcesOf(c: Component, ctx: SiteContext): NonNullable<IApplication['spec']>['sources'] {
  const { gitRepo, gitRevision } = ctx.site.site;
  const sources: NonNullable<NonNullable<IApplication['spec']>['sources']> = [];
  if (c.chart) {
    const pin = ctx.versions.components[c.chart.component];
    if (!pin?.chart || !pin.repo)
      throw new Error(`component ${c.name}: ${c.chart.component} is not a chart in gitops/versions.yaml`);
    sources.push({
      repoURL: pin.repo,
      chart: pin.chart,
      targetRevision: pin.version,
      helm: { releaseName: c.chart.releaseName ?? c.name, valueFiles: [`$values/${componentDir(c.name)}/values.yaml`] },
    });
    sources.push({ repoURL: gitRepo, targetRevision: gitRevision, ref: 'values' });
  }
  if (c.manifests?.length || c.remoteManifests?.length) {
    // With remote manifests the folder holds a kustomization.yaml; otherwise plain manifests.
    const path = c.remoteManifests?.length ? componentDir(c.name) : `${componentDir(c.name)}/manifests`;
    sources.push({ repoURL: gitRepo, targetRevision: gitRevision, path });
  }
  return sources;
}

export function application(c: Component, ctx: SiteContext): K8sObject {
  const syncOptions = ['CreateNamespace=true', ...(c.syncOptions ?? [])];
  const app: IApplication = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: c.name,
      namespace: ARGOCD_NAMESPACE,
      annotations: { [SYNC_WAVE]: String(c.wave ?? TIER_WAVE[c.tier]) },
      labels: { 'labctl.dev/tier': c.tier },
    },
    spec: {
      project: c.tier,
      destination: { server: IN_CLUSTER, namespace: c.namespace },
      sources: sourcesOf(c, ctx),
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: [...new Set(syncOptions)].sort(),
        retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
        ...(c.namespaceLabels ? { managedNamespaceMetadata: { labels: c.namespaceLabels } } : {}),
      },
      ...(c.ignoreDifferences?.length ? { ignoreDifferences: c.ignoreDifferences as never } : {}),
    },
  };
  return k8s(app);
}

export function projects(components: Component[], ctx: SiteContext): K8sObject[] {
  const tiers = [...new Set(components.map((c) => c.tier))].sort((a, b) => TIER_WAVE[a] - TIER_WAVE[b]);
  return tiers.map((tier: Tier) => {
    const cs = components.filter((c) => c.tier === tier);
    const repos = new Set<string>([ctx.site.site.gitRepo]);
    for (const c of cs) {
      if (c.chart) repos.add(ctx.versions.components[c.chart.component]!.repo!);
      for (const u of c.remoteManifests ?? []) repos.add(u.replace(/^(https:\/\/[^/]+\/[^/]+\/[^/]+).*$/, '$1'));
    }
    const kinds = new Map<string, { group: string; kind: string }>();
    const addKind = (k: { group: string; kind: string }) => kinds.set(`${k.group}/${k.kind}`, k);
    addKind({ group: '', kind: 'Namespace' }); // CreateNamespace=true
    if (tier === 'crds' || tier === 'operators') OPERATOR_KINDS.forEach(addKind);
    for (const c of cs) {
      (c.clusterResources ?? []).forEach(addKind);
      for (const m of c.manifests ?? [])
        if (!m.metadata.namespace && !isNamespacedKind(m))
          addKind({ group: m.apiVersion.includes('/') ? m.apiVersion.split('/')[0]! : '', kind: m.kind });
    }
    const namespaces = [
      ...new Set(
        cs.flatMap((c) => [
          c.namespace,
          ...(c.manifests ?? []).map((m) => m.metadata.namespace).filter((n): n is string => !!n),
        ]),
      ),
    ].sort();
    const project: IAppProject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: tier, namespace: ARGOCD_NAMESPACE, annotations: { [SYNC_WAVE]: '-20' } },
      spec: {
        description: `labctl tier ${tier}: ${cs
          .map((c) => c.name)
          .sort()
          .join(', ')}`,
        sourceRepos: [...repos].sort(),
        destinations: namespaces.map((namespace) => ({ server: IN_CLUSTER, namespace })),
        clusterResourceWhitelist: [...kinds.values()].sort((a, b) =>
          `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`),
        ),
      },
    };
    return k8s(project);
  });
}

/** Objects our builders emit without a namespace that are still namespaced would be a bug; list the cluster-scoped ones. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'ClusterIssuer',
  'IngressClass',
  'PriorityClass',
  'VirtualMachineClusterInstancetype',
  'VirtualMachineClusterPreference',
  'KubeVirt',
  'CDI',
  'Installation',
  'APIServer',
  'BGPConfiguration',
  'FelixConfiguration',
  'IPPool',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
]);
export const isNamespacedKind = (o: K8sObject) => !CLUSTER_SCOPED.has(o.kind);

export function rootApplication(ctx: SiteContext): K8sObject[] {
  const { gitRepo, gitRevision } = ctx.site.site;
  const project: IAppProject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'root', namespace: ARGOCD_NAMESPACE },
    spec: {
      description: 'The root app-of-apps: may only create Applications and AppProjects in the argocd namespace.',
      sourceRepos: [gitRepo],
      destinations: [{ server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE }],
      namespaceResourceWhitelist: [
        { group: 'argoproj.io', kind: 'Application' },
        { group: 'argoproj.io', kind: 'AppProject' },
        { group: 'argoproj.io', kind: 'ApplicationSet' },
      ],
    },
  };
  const root: IApplication = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'root', namespace: ARGOCD_NAMESPACE },
    spec: {
      project: 'root',
      destination: { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
      source: { repoURL: gitRepo, targetRevision: gitRevision, path: 'apps' },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
      },
    },
  };
  return [k8s(project), k8s(root)];
}
