// The upstream CRDs whose schemas labctl generates instead of writing them by hand. One entry per
// upstream release artifact set; the version comes from gitops/versions.yaml (the only place a version
// is pinned), so an upgrade is: bump the pin, import the new files (README.md), regenerate, review the diff.
import type { Importer } from './go-import.ts';

/** The parts of a CustomResourceDefinition around its schema (for inputs holding only the schema). */
export interface CrdShell {
  group: string;
  kind: string;
  plural: string;
  singular: string;
  scope: 'Namespaced' | 'Cluster';
  shortNames?: string[];
  categories?: string[];
  versions: { name: string; served: boolean; storage: boolean; deprecated?: true; status?: true }[];
}

export interface CrdSource {
  /** Output module: installer/render/schemas/generated/<name>.ts; inputs: scripts/crds/upstream/<name>/<version>/. */
  name: string;
  /** Key under `components:` in gitops/versions.yaml whose `version` the inputs belong to. */
  pin: string;
  /** Human name of the upstream release, for the generated header. */
  upstream: string;
  /**
   * The upstream tag the files come from, when it is not the pinned version itself (a component whose CRDs
   * live in another repository, e.g. Calico's operator CRDs in tigera/operator). Default: the pin.
   */
  ref?: (pinned: string) => string;
  /**
   * Where one input file of a version comes from, for the generated header: the URL the maintainer
   * downloads it from (there is no network in CI), or for an `importer` source the upstream file it is made of.
   */
  origin: (version: string, file: string) => string;
  /** Input files: YAML streams holding CustomResourceDefinitions (or, with `shells`, one bare openAPIV3Schema). */
  files: string[];
  /**
   * Inputs `generate.ts --import` makes itself from the pinned Go module (upstream keeps these CRDs in Go,
   * not as release YAML); without it the maintainer downloads `files` by hand (README.md).
   */
  importer?: Importer;
  /**
   * Inputs that hold only a CRD's `openAPIV3Schema` (KubeVirt builds the rest of each CRD in Go): the CRD
   * around it, as that Go code writes it. Input file -> shell.
   */
  shells?: Record<string, CrdShell>;
  /** Only these `<group>/<version>/<Kind>` (an input file holding many CRDs); default every CRD of the files. */
  kinds?: string[];
  /** Which versions of each CRD get a schema: the storage version (what builders write) or every served one. */
  versions: 'storage' | 'served';
  /**
   * Subtrees left out of a kind's schema (`<group>/<version>/<Kind>` -> dotted paths, `[]` for list items):
   * large parts the platform never writes. A closed parent then refuses them: writing one later fails the
   * render until it is taken off this list, never passes unchecked.
   */
  omit?: Record<string, string[]>;
}

/** The controller-gen release CDI's build image installs (hack/build/docker/builder/Dockerfile at v1.66.0). */
const CDI_CONTROLLER_GEN = 'v0.17.2';

/** The members of CDI's DataVolumeSource at v1.66 (one of them is set). */
const CDI_SOURCES = ['blank', 'gcs', 'http', 'imageio', 'pvc', 'registry', 's3', 'snapshot', 'upload', 'vddk'];

/** Scrape-endpoint fields of PodMonitor and ServiceMonitor for credentials and TLS. */
const SCRAPE_AUTH = ['oauth2', 'tlsConfig', 'basicAuth', 'authorization', 'bearerTokenSecret', 'proxyConnectHeader'];

export const SOURCES: CrdSource[] = [
  {
    name: 'gateway-api',
    pin: 'gateway-api',
    upstream: 'kubernetes-sigs/gateway-api, standard channel (Apache-2.0)',
    origin: (v, f) => `https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/${v}/config/crd/standard/${f}`,
    // The kinds the platform writes (Gateway, HTTPRoute, TLSRoute, ReferenceGrant) and GatewayClass.
    files: [
      'gateway.networking.k8s.io_gatewayclasses.yaml',
      'gateway.networking.k8s.io_gateways.yaml',
      'gateway.networking.k8s.io_httproutes.yaml',
      'gateway.networking.k8s.io_referencegrants.yaml',
      'gateway.networking.k8s.io_tlsroutes.yaml',
    ],
    versions: 'storage',
  },
  {
    // operator.tigera.io/v1 GatewayAPI (Calico Ingress Gateway). Calico ships its operator's CRDs in the
    // crd.projectcalico.org.v1 chart (calico-crds); they are generated in tigera/operator. Calico v3.32.x
    // runs operator v1.42.x; v1.42.4 (Calico v3.32.1) is the newest v1.42 tag read here: the GatewayAPI
    // fields we use (gatewayClasses[].gatewayKind, gatewayService, crdManagement) are in it.
    name: 'calico-gateway',
    pin: 'tigera-operator',
    upstream: 'tigera/operator (Apache-2.0; Calico ships its operator CRDs)',
    ref: (calico) =>
      (({ 'v3.32.4': 'v1.42.4' }) as Record<string, string>)[calico] ??
      `no operator tag known for Calico ${calico}: add it in scripts/crds/sources.ts`,
    origin: (v, f) => `https://raw.githubusercontent.com/tigera/operator/${v}/pkg/imports/crds/operator/${f}`,
    files: ['operator.tigera.io_gatewayapis.yaml'],
    versions: 'storage',
    // Pod-spec overrides (affinity, tolerations, resources...): 1.5 MB of validator code for fields we do not set.
    omit: {
      'operator.tigera.io/v1/GatewayAPI': [
        'spec.gatewayCertgenJob',
        'spec.gatewayControllerDeployment',
        'spec.gatewayClasses[].gatewayDaemonSet',
        'spec.gatewayClasses[].gatewayDeployment',
      ],
    },
  },
  {
    // gateway.envoyproxy.io/v1alpha1 ClientTrafficPolicy of the Envoy Gateway inside Calico Ingress Gateway:
    // tigera/operator v1.42.4 bundles Envoy Gateway v1.8.0 and installs its CRDs (pkg/render/gatewayapi/
    // gateway_api_resources.yaml, 486 KB gzipped for all of them); the ClientTrafficPolicy CRD there is the
    // same text as envoyproxy/gateway v1.8.0's own file, which is what is stored.
    name: 'envoy-gateway',
    pin: 'tigera-operator',
    upstream: 'envoyproxy/gateway, the release Calico bundles (Apache-2.0)',
    ref: (calico) =>
      (({ 'v3.32.4': 'v1.8.0' }) as Record<string, string>)[calico] ??
      `no Envoy Gateway tag known for Calico ${calico}: add it in scripts/crds/sources.ts`,
    origin: (v, f) =>
      `https://raw.githubusercontent.com/envoyproxy/gateway/${v}/charts/gateway-helm/charts/crds/crds/generated/${f}`,
    files: ['gateway.envoyproxy.io_clienttrafficpolicies.yaml'],
    versions: 'storage',
    // The platform sets targetRefs and headers only; the rest is 350 KB of validator code.
    omit: {
      'gateway.envoyproxy.io/v1alpha1/ClientTrafficPolicy': [
        'spec.clientIPDetection',
        'spec.connection',
        'spec.grpc',
        'spec.healthCheck',
        'spec.http1',
        'spec.http2',
        'spec.http3',
        'spec.path',
        'spec.proxyProtocol',
        'spec.tcpKeepalive',
        'spec.timeout',
        'spec.tls',
      ],
    },
  },
  {
    // PrometheusRule (every component's alerts), PodMonitor (the gateway's Envoy proxies) and ServiceMonitor
    // (components' metrics endpoints). The pin is
    // the prometheus-operator-crds chart 31.0.1, which carries the CRDs of operator v0.93.1; the newest tag
    // stored here is v0.93.0 (the CRD files of a patch release are normally unchanged; not verified).
    name: 'prometheus-operator',
    pin: 'prometheus-operator-crds',
    upstream: 'prometheus-operator/prometheus-operator (Apache-2.0)',
    ref: (chart) =>
      (({ '31.0.1': 'v0.93.0' }) as Record<string, string>)[chart] ??
      `no operator tag known for prometheus-operator-crds ${chart}: add it in scripts/crds/sources.ts`,
    origin: (v, f) =>
      `https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/${v}/example/prometheus-operator-crd/${f}`,
    files: [
      'monitoring.coreos.com_podmonitors.yaml',
      'monitoring.coreos.com_prometheusrules.yaml',
      'monitoring.coreos.com_servicemonitors.yaml',
    ],
    versions: 'storage',
    // Scrape credentials and TLS: our monitors scrape plain HTTP inside the cluster (half the validator code).
    omit: {
      'monitoring.coreos.com/v1/PodMonitor': SCRAPE_AUTH.map((f) => `spec.podMetricsEndpoints[].${f}`),
      'monitoring.coreos.com/v1/ServiceMonitor': SCRAPE_AUTH.map((f) => `spec.endpoints[].${f}`),
    },
  },
  {
    // MetalLB's address pools, BGP sessions, BFD profiles and advertisements (the kinds the builder writes).
    // The chart's crds subchart carries the same CRDs as config/crd/bases at the chart's tag.
    name: 'metallb',
    pin: 'metallb',
    upstream: 'metallb/metallb (Apache-2.0)',
    ref: (chart) => `v${chart}`,
    origin: (v, f) => `https://raw.githubusercontent.com/metallb/metallb/${v}/config/crd/bases/${f}`,
    files: [
      'metallb.io_ipaddresspools.yaml',
      'metallb.io_bgppeers.yaml',
      'metallb.io_bfdprofiles.yaml',
      'metallb.io_bgpadvertisements.yaml',
    ],
    versions: 'storage',
  },
  {
    // CloudNativePG Cluster (the databases of Keycloak and Harbor). The pin is the cloudnative-pg chart; its
    // appVersion is the operator release whose config/crd/bases the chart's CRD template is made from.
    name: 'cloudnative-pg',
    pin: 'cloudnative-pg',
    upstream: 'cloudnative-pg/cloudnative-pg (Apache-2.0)',
    ref: (chart) =>
      (({ '0.29.0': 'v1.30.0' }) as Record<string, string>)[chart] ??
      `no operator tag known for the cloudnative-pg chart ${chart}: add it in scripts/crds/sources.ts`,
    origin: (v, f) => `https://raw.githubusercontent.com/cloudnative-pg/cloudnative-pg/${v}/config/crd/bases/${f}`,
    files: ['postgresql.cnpg.io_clusters.yaml'],
    versions: 'storage',
  },
  {
    // Calico's BGPConfiguration, BGPPeer and FelixConfiguration as the platform writes them: projectcalico.org/v3
    // (the Calico API server's kinds; api/config/crd holds their CRD form, made from the same Go types). The
    // pin is Calico v3.32.4; the newest v3.32 tag stored here is v3.32.1 (patch releases normally leave these
    // CRDs unchanged; not verified).
    name: 'calico',
    pin: 'calico-crds',
    upstream: 'projectcalico/calico (Apache-2.0)',
    ref: (calico) =>
      (({ 'v3.32.4': 'v3.32.1' }) as Record<string, string>)[calico] ??
      `no stored Calico tag known for ${calico}: add it in scripts/crds/sources.ts`,
    origin: (v, f) => `https://raw.githubusercontent.com/projectcalico/calico/${v}/api/config/crd/${f}`,
    files: [
      'projectcalico.org_bgpconfigurations.yaml',
      'projectcalico.org_bgppeers.yaml',
      'projectcalico.org_felixconfigurations.yaml',
    ],
    versions: 'storage',
  },
  {
    // The Keycloak operator's Keycloak CR (k8s.keycloak.org/v2alpha1). The pin is the operator's manifests
    // 26.6.0 from keycloak/keycloak-k8s-resources; the newest tag stored here is 26.0.0 (October 2024), so
    // fields added since then are refused until the 26.6.0 file is imported (README.md): a gap, not verified.
    name: 'keycloak',
    pin: 'keycloak-operator',
    upstream: 'keycloak/keycloak-k8s-resources (Apache-2.0)',
    ref: (operator) =>
      (({ '26.6.0': '26.0.0' }) as Record<string, string>)[operator] ??
      `no stored tag known for keycloak-operator ${operator}: add it in scripts/crds/sources.ts`,
    origin: (v, f) => `https://raw.githubusercontent.com/keycloak/keycloak-k8s-resources/${v}/kubernetes/${f}`,
    files: ['keycloaks.k8s.keycloak.org-v1.yml'],
    versions: 'storage',
    // Raw pod-template overrides (half the CRD): the platform configures Keycloak through its typed fields.
    omit: { 'k8s.keycloak.org/v2alpha1/Keycloak': ['spec.unsupported'] },
  },
  {
    // The Rook kinds the platform writes itself (the CephCluster and pools come from the rook-ceph-cluster
    // chart): CephObjectStoreUser and ObjectBucketClaim. Rook publishes all its CRDs in one file.
    name: 'rook-ceph',
    pin: 'rook-ceph',
    upstream: 'rook/rook (Apache-2.0)',
    origin: (v, f) => `https://raw.githubusercontent.com/rook/rook/${v}/deploy/examples/${f}`,
    files: ['crds.yaml'],
    kinds: ['ceph.rook.io/v1/CephObjectStoreUser', 'objectbucket.io/v1alpha1/ObjectBucketClaim'],
    versions: 'storage',
  },
  {
    // The KubeVirt CR (kubevirt.io/v1), from the CRD form kubevirt keeps in manifests/generated at the pinned
    // tag. VirtualMachine and the instance types have no CRD file there (virt-operator builds them): source
    // kubevirt-vm below.
    name: 'kubevirt',
    pin: 'kubevirt',
    upstream: 'kubevirt/kubevirt (Apache-2.0)',
    origin: (v, f) => `https://raw.githubusercontent.com/kubevirt/kubevirt/${v}/manifests/generated/${f}`,
    files: ['kv-resource.yaml'],
    versions: 'storage',
    // Pod affinity of the KubeVirt components (the platform places them with nodeSelector only), and
    // configuration for hardware and features the platform does not use (host and mediated devices, KSM,
    // changed-block tracking, CPU-limit namespaces, per-architecture defaults, sidecar resources,
    // confidential computing, SMBIOS, client rate limits).
    omit: {
      'kubevirt.io/v1/KubeVirt': [
        'spec.infra.nodePlacement.affinity',
        'spec.workloads.nodePlacement.affinity',
        'spec.customizeComponents',
        'spec.certificateRotateStrategy',
        ...[
          'permittedHostDevices',
          'mediatedDevicesConfiguration',
          'ksmConfiguration',
          'changedBlockTrackingLabelSelectors',
          'autoCPULimitNamespaceLabelSelector',
          'architectureConfiguration',
          'supportContainerResources',
          'confidentialCompute',
          'smbios',
          // Client rate limits of the KubeVirt components (defaults kept).
          'apiConfiguration',
          'controllerConfiguration',
          'handlerConfiguration',
          'webhookConfiguration',
        ].map((f) => `spec.configuration.${f}`),
      ],
    },
  },
  {
    // VirtualMachine (charts/vm-lab) and VirtualMachineClusterInstancetype (the size classes). virt-operator
    // creates these CRDs from Go (pkg/virt-operator/resource/generate/components/crds.go) around schemas it
    // keeps as YAML strings in validations_generated.go (made by kubevirt's resource-generator from the API
    // types); the inputs are those strings, byte for byte, from the pinned Go module; `shells` is the rest of
    // each CRD as crds.go writes it (NewVirtualMachineCrd: the versions of virtv1.ApiSupportedVersions, the
    // same as the KubeVirt CRD's; NewVirtualMachineClusterInstancetypeCrd: v1beta1 only).
    name: 'kubevirt-vm',
    pin: 'kubevirt',
    upstream: 'kubevirt/kubevirt, Go module kubevirt.io/kubevirt (Apache-2.0)',
    origin: (v, f) =>
      `kubevirt.io/kubevirt@${v} pkg/virt-operator/resource/generate/components/validations_generated.go CRDsValidation["${f.replace(/\.yaml$/, '')}"]`,
    importer: {
      kind: 'go-strings',
      module: 'kubevirt.io/kubevirt',
      path: 'pkg/virt-operator/resource/generate/components/validations_generated.go',
      variable: 'CRDsValidation',
    },
    files: ['virtualmachine.yaml', 'virtualmachineclusterinstancetype.yaml'],
    shells: {
      'virtualmachine.yaml': {
        group: 'kubevirt.io',
        kind: 'VirtualMachine',
        plural: 'virtualmachines',
        singular: 'virtualmachine',
        scope: 'Namespaced',
        shortNames: ['vm', 'vms'],
        categories: ['all'],
        versions: [
          { name: 'v1', served: true, storage: true, status: true },
          { name: 'v1alpha3', served: true, storage: false, deprecated: true, status: true },
        ],
      },
      'virtualmachineclusterinstancetype.yaml': {
        group: 'instancetype.kubevirt.io',
        kind: 'VirtualMachineClusterInstancetype',
        plural: 'virtualmachineclusterinstancetypes',
        singular: 'virtualmachineclusterinstancetype',
        scope: 'Cluster',
        shortNames: ['vmclusterinstancetype', 'vmclusterinstancetypes', 'vmcf', 'vmcfs'],
        versions: [{ name: 'v1beta1', served: true, storage: true }],
      },
    },
    versions: 'storage',
    // What a lab VM never sets (charts/vm-lab writes CPU, memory, disks, one masqueraded interface, the
    // volumes, node selector and priority): pod-level scheduling and probes, and rare virtual hardware.
    // Left in: the other volume sources (container disks, config drive, sysprep for Windows labs...), firmware,
    // tolerations, the instance type and preference, the cloned disk's storage.
    omit: {
      'kubevirt.io/v1/VirtualMachine': [
        ...['affinity', 'topologySpreadConstraints', 'livenessProbe', 'readinessProbe', 'accessCredentials'].map(
          (f) => `spec.template.spec.${f}`,
        ),
        'spec.template.spec.dnsConfig',
        ...['features', 'clock', 'launchSecurity', 'chassis'].map((f) => `spec.template.spec.domain.${f}`),
        ...['gpus', 'hostDevices', 'watchdog'].map((f) => `spec.template.spec.domain.devices.${f}`),
        'spec.template.spec.volumes[].downwardAPI',
        // A lab VM never reaches a disk of its host; no dynamic resource claims or utility volumes.
        'spec.template.spec.volumes[].hostDisk',
        'spec.template.spec.resourceClaims',
        'spec.template.spec.utilityVolumes',
        // Lab disks are cloned from the image catalog's DataSources (sourceRef), never imported per VM.
        'spec.dataVolumeTemplates[].spec.pvc',
        'spec.dataVolumeTemplates[].spec.source',
      ],
      'instancetype.kubevirt.io/v1beta1/VirtualMachineClusterInstancetype': [
        'spec.gpus',
        'spec.hostDevices',
        'spec.launchSecurity',
      ],
    },
  },
  {
    // CDI (the operator's CR), DataVolume (charts/vm-lab), DataSource and DataImportCron (the image catalog).
    // containerized-data-importer ships these CRDs only inside its operator (Go strings in
    // pkg/operator/resources/crds_generated.go, which its hack/update-codegen.sh makes by running
    // controller-gen v0.17.2 over its API module); the Go module kubevirt.io/containerized-data-importer is
    // not served by the module proxy here, its API module is: the inputs are controller-gen v0.17.2's output
    // on kubevirt.io/containerized-data-importer-api at the pinned tag. Checked once against v1.66.0's
    // crds_generated.go: the same CRDs (compared parsed, as crds_generated.go re-serialises them).
    name: 'cdi',
    pin: 'cdi',
    upstream:
      'kubevirt/containerized-data-importer, Go module kubevirt.io/containerized-data-importer-api (Apache-2.0)',
    origin: (v, f) =>
      `kubevirt.io/containerized-data-importer-api@${v} pkg/apis/core/v1beta1, controller-gen ${CDI_CONTROLLER_GEN} crd:crdVersions=v1: ${f}`,
    importer: {
      kind: 'controller-gen',
      module: 'kubevirt.io/containerized-data-importer-api',
      tool: CDI_CONTROLLER_GEN,
      args: ['crd:crdVersions=v1', 'paths=./pkg/apis/core/...'],
    },
    files: [
      'cdi.kubevirt.io_cdis.yaml',
      'cdi.kubevirt.io_datavolumes.yaml',
      'cdi.kubevirt.io_datasources.yaml',
      'cdi.kubevirt.io_dataimportcrons.yaml',
    ],
    versions: 'storage',
    // Pod affinity of CDI's own pods and worker pods (placement is by node selector); the raw PVC spec of
    // the older DataVolume API (the platform writes `storage`, which CDI completes from the StorageProfile);
    // DataVolume sources other than a DataSource (labs clone the catalog's images by sourceRef); and
    // DataImportCron sources other than registry and pvc (the only ones CDI's DataImportCron webhook accepts).
    omit: {
      'cdi.kubevirt.io/v1beta1/CDI': ['spec.infra.affinity', 'spec.workload.affinity', 'spec.customizeComponents'],
      'cdi.kubevirt.io/v1beta1/DataVolume': ['spec.pvc', 'spec.source'],
      'cdi.kubevirt.io/v1beta1/DataImportCron': [
        'spec.template.spec.pvc',
        ...CDI_SOURCES.filter((x) => x !== 'registry' && x !== 'pvc').map((x) => `spec.template.spec.source.${x}`),
      ],
    },
  },
  {
    // Velero's Schedule (what the platform writes), BackupStorageLocation (ours too: the chart's is off), and
    // Backup and Restore (what `labctl backup now` and `labctl restore` create). The pin is the velero chart;
    // its appVersion is the Velero release whose config/crd/v1/bases the chart's crds/ folder carries.
    name: 'velero',
    pin: 'velero',
    upstream: 'vmware-tanzu/velero (Apache-2.0)',
    ref: (chart) =>
      (({ '12.1.0': 'v1.18.1' }) as Record<string, string>)[chart] ??
      `no Velero tag known for the velero chart ${chart}: add it in scripts/crds/sources.ts`,
    origin: (v, f) => `https://raw.githubusercontent.com/vmware-tanzu/velero/${v}/config/crd/v1/bases/${f}`,
    files: [
      'velero.io_backups.yaml',
      'velero.io_backupstoragelocations.yaml',
      'velero.io_restores.yaml',
      'velero.io_schedules.yaml',
    ],
    versions: 'storage',
  },
  {
    // CSI volume snapshots: the VolumeSnapshotClass the snapshot-controller component writes for Rook's RBD
    // driver (Velero's snapshot data movement and KubeVirt's VM snapshots pick it). The CRDs of the pinned
    // external-snapshotter tag, the files its client/config/crd kustomization installs.
    name: 'external-snapshotter',
    pin: 'external-snapshotter',
    upstream: 'kubernetes-csi/external-snapshotter (Apache-2.0)',
    origin: (v, f) =>
      `https://raw.githubusercontent.com/kubernetes-csi/external-snapshotter/${v}/client/config/crd/${f}`,
    files: ['snapshot.storage.k8s.io_volumesnapshotclasses.yaml'],
    versions: 'storage',
  },
];
