// Course labs in the site repository: the ApplicationSet that turns every lab file
// (<labs.path>/<course>/<lab>.yaml) into an Application of charts/vm-lab (copied into the site
// repository, so ArgoCD reads chart and values from one repo), one AppProject per course that those
// Applications live in, the lab file schemas and README for course staff, and the CI pipelines that
// check a merge request. Course files are untrusted: the Application's project, namespace, course and
// value files come from the file's PATH (generator parameters), never from its content.
import type { IApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet';
import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { IMAGES_NAMESPACE } from '../../../images/catalog.ts';
import { effectiveOvercommit } from '../../../labs/capacity.ts';
import { ciImage } from '../../../labs/ci-image.ts';
import { labSchemaText, rosterSchemaText } from '../../../labs/emit-schema.ts';
import { labApplication } from '../../../labs/load.ts';
import { protectedRanges } from '../../../labs/protected.ts';
import { DEFAULT_DISK, SIZE_CLASSES, VM_MEMORY_OVERHEAD_MIB } from '../../../labs/sizes.ts';
import { ARGOCD_NAMESPACE } from '../../platform/namespaces.ts';
import { GROUPS, KUBE_OIDC_PREFIX } from '../../platform/identity.ts';
import type { Component, ComponentBuilder, K8sObject, RepoFile, SiteContext } from '../../model.ts';
import { SYNC_WAVE, TIER_WAVE, k8s } from '../../model.ts';
import { defineComponent } from '../../platform/component.ts';
import { alerts } from './alerts.ts';
import { dashboards } from './dashboards.ts';
import { renderTemplate } from '../../text.ts';
import { toYamlDocs } from '../../yaml.ts';
import { CLONER_ROLE, courseStaffPolicy, labsNamespaces, labsProject } from '../../platform/labs.ts';

// The labs contract (shared with argocd, kubevirt and velero) lives in platform/labs.ts; re-exported for callers of this module.
export { courseStaffPolicy, labsNamespaces, labsProject };
import { STORAGE_CLASSES } from '../../platform/storage.ts';
import { PRIORITY, VM_HOST_LABEL } from '../../platform/scheduling.ts';

export const CHART_DIR = 'charts/vm-lab';
const IN_CLUSTER = 'https://kubernetes.default.svc';
/**
 * The labs ApplicationSet and its project come last in the root app: the lab Applications it generates
 * clone from the golden-image DataSources (vm-images, wave 15) with the clone permission (vm-labs, the
 * labs tier's wave 20), and a malformed lab file (ApplicationSet Degraded) must hold nothing of the platform.
 */
export const LABS_APPSET_WAVE = TIER_WAVE.labs + 5;
/** Kinds charts/vm-lab renders: the only namespaced kinds lab Applications may create. */
export const CHART_KINDS: [string, string][] = [
  ['', 'Secret'],
  ['', 'ServiceAccount'],
  ['', 'ConfigMap'],
  ['', 'ResourceQuota'],
  ['', 'LimitRange'],
  ['networking.k8s.io', 'NetworkPolicy'],
  ['rbac.authorization.k8s.io', 'Role'],
  ['rbac.authorization.k8s.io', 'RoleBinding'],
  ['batch', 'CronJob'],
  ['kubevirt.io', 'VirtualMachine'],
  ['cdi.kubevirt.io', 'DataVolume'],
];

/** The chart's `site` and `sizes` values for this site (the lab file and roster give the rest). */
export function chartSiteValues(ctx: SiteContext): Record<string, unknown> {
  const { site } = ctx;
  const oc = effectiveOvercommit(site);
  const cp = site.nodes.filter((n) => n.roles.includes('control-plane')).map((n) => `${n.address}/32`);
  return {
    site: {
      timezone: site.site.timezone,
      usernamePrefix: KUBE_OIDC_PREFIX,
      groupPrefix: KUBE_OIDC_PREFIX,
      staffGroupPattern: GROUPS.courseStaff('%s'),
      storageClass: STORAGE_CLASSES.block,
      imagesNamespace: IMAGES_NAMESPACE,
      kubectlImage: `registry.k8s.io/kubectl:${site.kubernetes.version}`,
      vmHostLabel: VM_HOST_LABEL,
      vmPriorityClass: PRIORITY.labVm.name,
      cpuAllocationRatio: oc.cpuAllocationRatio,
      memoryOvercommitPercent: oc.memoryOvercommitPercent,
      vmMemoryOverheadMi: VM_MEMORY_OVERHEAD_MIB,
      defaultDisk: DEFAULT_DISK,
      protectedCidrs: protectedRanges(site).map((r) => r.cidr),
      apiServer: { cidrs: [...new Set([...cp, `${site.kubernetes.apiVip}/32`])].sort(), port: 6443 },
    },
    sizes: Object.fromEntries(
      Object.entries(SIZE_CLASSES).map(([n, c]) => [n, { cpu: c.cpu, memory: c.memory, disk: c.disk }]),
    ),
  };
}

/**
 * Pod Security of lab namespaces: baseline is the strictest level KubeVirt's virt-launcher passes
 * (non-root launcher: NET_BIND_SERVICE added, no drop ALL, no seccomp profile by default), so enforce
 * baseline and report restricted violations (docs/decisions.md "Pod Security of lab namespaces").
 */
export function labNamespaceLabels(ctx: SiteContext): Record<string, string> {
  const version = `v${ctx.site.kubernetes.minor}`;
  return {
    'pod-security.kubernetes.io/enforce': 'baseline',
    'pod-security.kubernetes.io/enforce-version': version,
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/warn-version': version,
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/audit-version': version,
  };
}

/**
 * One AppProject per course: only that course's namespaces, only the kinds the chart renders. ArgoCD
 * matches `course-a-*` against course a-b's namespaces too (course-a-b-lab), so a course whose name
 * extends another's with "-" is denied explicitly (ArgoCD deny destinations, "!" prefix).
 */
export function courseProjects(ctx: SiteContext): IAppProject[] {
  const names = ctx.site.labs.courses.map((c) => c.name);
  return names.map((course) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: {
      name: labsProject(course),
      namespace: ARGOCD_NAMESPACE,
      annotations: { [SYNC_WAVE]: String(LABS_APPSET_WAVE) },
    },
    spec: {
      description: `Labs of course ${course} (one Application per file ${ctx.site.labs.path}/${course}/<lab>.yaml): only the kinds charts/vm-lab renders, only in ${labsNamespaces(course)}.`,
      sourceRepos: [ctx.site.site.gitRepo],
      destinations: [
        { server: IN_CLUSTER, namespace: labsNamespaces(course) },
        ...names
          .filter((o) => o !== course && o.startsWith(`${course}-`))
          .sort()
          .map((o) => ({ server: IN_CLUSTER, namespace: `!${labsNamespaces(o)}` })),
      ],
      // CreateNamespace=true needs Namespace; the chart itself renders none.
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
      namespaceResourceWhitelist: CHART_KINDS.map(([group, kind]) => ({ group, kind })),
    },
  }));
}

export function labsAppObjects(ctx: SiteContext): K8sObject[] {
  const { gitRepo, gitRevision } = ctx.site.site;
  const labs = ctx.site.labs.path;
  const lab = '{{ trimSuffix ".yaml" .path.filename }}';
  const course = '{{ .path.basename }}';
  const projects = courseProjects(ctx);
  const appset: IApplicationSet = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: 'labs', namespace: ARGOCD_NAMESPACE, annotations: { [SYNC_WAVE]: String(LABS_APPSET_WAVE) } },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      // Deleting a lab file deletes its Application but keeps the VMs and disks: staff remove them on purpose.
      syncPolicy: { preserveResourcesOnDeletion: true },
      generators: [
        {
          git: {
            repoURL: gitRepo,
            revision: gitRevision,
            // `exclude` is an ArgoCD files-generator field the @kubernetes-models typings (2.7) predate.
            files: [{ path: `${labs}/*/*.yaml` }, { path: `${labs}/*/roster.yaml`, exclude: true } as { path: string }],
          },
        },
      ],
      template: {
        // "." cannot occur in a course or lab name, so two files never generate the same name (a duplicate
        // would stop the whole ApplicationSet: courses "a" + lab "b-c" vs "a-b" + "c").
        metadata: {
          name: labApplication('{{ .path.basename }}', lab),
          labels: { 'labctl.dev/tier': 'labs', 'labctl.dev/course': course },
        },
        spec: {
          project: labsProject(course),
          destination: { server: IN_CLUSTER, namespace: `course-${course}-${lab}` },
          source: {
            repoURL: gitRepo,
            targetRevision: gitRevision,
            path: CHART_DIR,
            helm: {
              releaseName: lab,
              // Roster first, lab file second: a lab's own students win over the course roster.
              valueFiles: ['../../{{ .path.path }}/roster.yaml', '../../{{ .path.path }}/{{ .path.filename }}'],
              ignoreMissingValueFiles: true,
              // Wins over both files: the platform's values, and the course named by the folder, not the file.
              valuesObject: { ...chartSiteValues(ctx), course },
            },
          },
          syncPolicy: {
            automated: { prune: true, selfHeal: true },
            syncOptions: ['CreateNamespace=true', 'RespectIgnoreDifferences=true', 'SkipDryRunOnMissingResource=true'],
            managedNamespaceMetadata: {
              labels: { 'labctl.dev/course': course, 'labctl.dev/lab': lab, ...labNamespaceLabels(ctx) },
            },
            retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
          },
          // Students and the lab-hours jobs start and stop VMs; ArgoCD must not undo that.
          ignoreDifferences: [{ group: 'kubevirt.io', kind: 'VirtualMachine', jsonPointers: ['/spec/runStrategy'] }],
        },
      },
    },
  };
  return [...projects.map((p) => k8s(p)), k8s(appset)];
}

export function ciFiles(ctx: SiteContext): RepoFile[] {
  const data = { labsPath: ctx.site.labs.path, site: ctx.site.site.name, image: ciImage(ctx.site.registry) };
  return [
    { path: '.gitlab-ci.yml', content: renderTemplate('labs/templates/gitlab-ci.yml.hbs', data) },
    { path: '.github/workflows/labs.yaml', content: renderTemplate('labs/templates/github-labs.yaml.hbs', data) },
  ];
}

export const vmLabs: ComponentBuilder = (ctx): Component => {
  const labs = ctx.site.labs.path;
  const binding: IRoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'labs-clone-golden-images', namespace: IMAGES_NAMESPACE },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: CLONER_ROLE },
    // ArgoCD creates the lab VMs (whose dataVolumeTemplates clone from here) and the golden DataVolumes.
    subjects: [{ kind: 'ServiceAccount', name: 'argocd-application-controller', namespace: ARGOCD_NAMESPACE }],
  };
  const appObjects = labsAppObjects(ctx);
  const courses = ctx.site.labs.courses.map((c) => ({
    ...c,
    staffGroup: GROUPS.courseStaff(c.name),
    studentsGroup: GROUPS.students(c.name),
  }));
  return {
    name: 'vm-labs',
    namespace: IMAGES_NAMESPACE,
    tier: 'labs',
    manifests: [k8s(binding)],
    files: [
      { path: 'apps/labs-applicationset.yaml', content: toYamlDocs(appObjects), objects: appObjects },
      ...ctx.labChart,
      { path: `${labs}/lab.schema.json`, content: labSchemaText() },
      { path: `${labs}/roster.schema.json`, content: rosterSchemaText() },
      {
        path: `${labs}/README.md`,
        content: renderTemplate('labs/templates/labs-readme.md.hbs', {
          labsPath: labs,
          courses,
          site: ctx.site.site,
          sizes: Object.entries(SIZE_CLASSES).map(([name, c]) => ({ name, ...c })),
        }),
      },
      ...ciFiles(ctx),
    ],
  };
};

export const component = defineComponent({ name: 'vm-labs', build: vmLabs, alerts, dashboards });
