// The upstream CRDs whose schemas labctl generates instead of writing them by hand. One entry per
// upstream release artifact set; the version comes from gitops/versions.yaml (the only place a version
// is pinned), so an upgrade is: bump the pin, import the new files (README.md), regenerate, review the diff.
export interface CrdSource {
  /** Output module: installer/render/schemas/generated/<name>.ts; inputs: scripts/crds/upstream/<name>/<version>/. */
  name: string;
  /** Key under `components:` in gitops/versions.yaml whose `version` the inputs belong to. */
  pin: string;
  /** Human name of the upstream release, for the generated header. */
  upstream: string;
  /** Where the maintainer downloads one input file of a version (there is no network in CI). */
  url: (version: string, file: string) => string;
  /** Input files: YAML streams holding CustomResourceDefinitions. */
  files: string[];
  /** Which versions of each CRD get a schema: the storage version (what builders write) or every served one. */
  versions: 'storage' | 'served';
}

export const SOURCES: CrdSource[] = [
  {
    name: 'gateway-api',
    pin: 'gateway-api',
    upstream: 'kubernetes-sigs/gateway-api, standard channel (Apache-2.0)',
    url: (v, f) => `https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/${v}/config/crd/standard/${f}`,
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
];
