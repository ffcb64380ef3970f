// The contracts of the render engine. A component builder turns the Site into a Component: what ArgoCD
// deploys (an upstream chart with our values, our own manifests, or both), in which sync wave and
// project, plus any other files of the site repository and the secrets it needs.
import type { Site } from '../inventory/types.ts';
import type { Versions } from '../core/versions.ts';
import type { CatalogImage } from '../images/catalog.ts';
import type { Exposure, IngressLayer } from './platform/exposure.ts';
import type { AlertGroup } from './platform/alert-rules.ts';
import type { Dashboard } from './platform/dashboards.ts';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** Any Kubernetes object. Builders type their objects with kubernetes-models interfaces or local CRD types. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Tiers map to AppProjects (least privilege per tier) and to the default sync wave. */
export type Tier = 'crds' | 'operators' | 'resources' | 'platform' | 'labs';
export const TIER_WAVE: Record<Tier, number> = { crds: -10, operators: -5, resources: 0, platform: 10, labs: 20 };

/** ArgoCD's sync-wave annotation (orders Applications in the root app, and resources inside one). */
export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/**
 * A value that must live in a Kubernetes Secret but never in Git: the secrets module creates
 * Secret `name` in `namespace` with `key` from the site's secret store entry `ref` (generated when absent).
 */
export interface SecretNeed {
  ref: string;
  namespace: string;
  name: string;
  key: string;
  /** How to generate the value if the store has none; 'external' = the site must supply it (e.g. a router password). */
  generate:
    | { kind: 'password' | 'hex' | 'base64' | 'external'; length?: number }
    /** Computed from entry `from` when the Secret is built (never stored): an htpasswd line for `user`. */
    | { kind: 'htpasswd'; from: string; user: string }
    /** Computed from two entries when the Secret is built (never stored): an AWS credentials file ([default] profile). */
    | { kind: 'aws-credentials'; accessKey: string; secretKey: string };
  purpose: string;
  /** Secret type. Default: Opaque (CloudNativePG wants kubernetes.io/basic-auth). */
  type?: string;
  /** Labels the Secret must carry (e.g. app.kubernetes.io/part-of: argocd so ArgoCD reads it). */
  labels?: Record<string, string>;
  /** Non-secret keys stored alongside (e.g. the repository URL of an ArgoCD repository Secret). */
  extraData?: Record<string, string>;
  /** A public value (the site CA certificate) some reader only takes from a ConfigMap (CDI's certConfigMap). */
  configMap?: boolean;
  /** Set on the site CA's tls.crt / tls.key needs: `secrets generate` creates the pair with this common name. */
  caCommonName?: string;
  /**
   * With caCommonName: the DNS names (each with its subdomains) a new site CA may sign for, written as a
   * critical name constraint, so its key cannot vouch for any other name in the trust stores it sits in.
   */
  caPermittedDns?: string[];
  /**
   * Read by `labctl up` for the nodes (where, in words), never sent to the cluster as a Secret;
   * namespace/name/key then only label it in `secrets list`.
   */
  onNodes?: string;
  /** Why `secrets rotate` must not replace this entry, and what to do instead. */
  noRotate?: string;
}

/** A file of the site repository that is not a Kubernetes object (router config, runbook, README, CI). */
export interface RepoFile {
  path: string;
  content: string;
  /** Kubernetes objects the content holds (e.g. an ApplicationSet under apps/): validated like manifests. */
  objects?: K8sObject[];
}

export interface Component {
  /** Application name and folder under components/. DNS label. */
  name: string;
  namespace: string;
  tier: Tier;
  /** Sync wave; defaults to the tier's wave. */
  wave?: number;
  /** Upstream chart from gitops/versions.yaml (by component key) with our values. */
  chart?: { component: string; values: Record<string, unknown>; releaseName?: string };
  /** Our own resources, written to components/<name>/manifests/ and synced by the same Application. */
  manifests?: K8sObject[];
  /** Upstream manifests fetched by URL (KubeVirt, Keycloak operator): ArgoCD syncs them via kustomize. */
  remoteManifests?: string[];
  /**
   * With remoteManifests: the namespace kustomize moves the upstream objects into (upstream files that name
   * kube-system; the tier's AppProject then needs no kube-system destination).
   */
  kustomizeNamespace?: string;
  syncOptions?: string[];
  /** Labels of the managed namespace (e.g. Pod Security Admission levels). */
  namespaceLabels?: Record<string, string>;
  /** Extra ArgoCD ignoreDifferences entries (e.g. fields operators mutate). */
  ignoreDifferences?: Record<string, unknown>[];
  /** Where the AppProject of the tier must allow extra cluster-scoped kinds (group/kind). */
  clusterResources?: { group: string; kind: string }[];
  files?: RepoFile[];
  secrets?: SecretNeed[];
  /** Services this component publishes on the site domain; the ingress layer adds its objects to manifests. */
  exposures?: Exposure[];
}

/** What render reads besides the Site, gathered by its caller (render/inputs.ts): render reads no file. */
export interface RenderInputs {
  /** gitops/versions.yaml with the inventory's overrides. */
  versions: Versions;
  /** The lab image catalog, already checked. */
  images: CatalogImage[];
  /** Every file of charts/vm-lab, copied verbatim into the site repository. */
  labChart: RepoFile[];
}

/** What every part of render starts from: the inventory and the inputs its caller read. */
export interface SiteContext extends RenderInputs {
  site: Site;
}

/** What a component builder gets (render.ts makes it; see renderContext()). */
export interface RenderContext extends SiteContext {
  /** The one ingress layer, chosen by `ingress.controller` among the components that provide one. */
  ingress: IngressLayer;
  /** Alerts and dashboards of every component, gathered by render for the monitoring component. */
  observability: { alertGroups: AlertGroup[]; dashboards: Dashboard[] };
}

/** Accepts a typed model (kubernetes-models interface or local CRD type) as a K8sObject. */
export const k8s = <T extends { apiVersion: string; kind: string }>(o: T): K8sObject => o as unknown as K8sObject;

export type ComponentBuilder = (ctx: RenderContext) => Component | Component[] | null;
