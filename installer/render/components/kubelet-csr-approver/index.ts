// Kubelet serving certificates: every kubelet asks for one through a CSR (KubeletConfiguration
// serverTLSBootstrap, installer/cluster/artifacts.ts) and kube-controller-manager signs it with the cluster
// CA once approved. Nothing in Kubernetes approves those CSRs; postfinance's kubelet-csr-approver does, and
// checks them first: the requesting node, its name and its addresses must be ones the inventory lists.
// With those certificates the API server (kubectl logs/exec/port-forward) and Prometheus verify the kubelets.
import type { Site } from '../../../inventory/types.ts';
import type { Component, ComponentBuilder } from '../../model.ts';
import { defineComponent } from '../../platform/component.ts';

export const CSR_APPROVER_NAMESPACE = 'kubelet-csr-approver';

/** The chart values we set (charts/kubelet-csr-approver/values.yaml of the pinned release). */
export interface KubeletCsrApproverValues {
  /** RE2 regex every DNS name of a CSR must match: exactly the inventory's node names. */
  providerRegex: string;
  /** Every IP address of a CSR must fall in one of these: each node's own address, as a /32. */
  providerIpPrefixes: string[];
  /** Node names need not be in DNS: the regex and the address list come from the inventory itself. */
  bypassDnsResolution: boolean;
  /** The kubelet asks for one DNS name (its node name); more is refused. */
  allowedDnsNames: number;
  /** Kept false: a CSR for the kubelet-serving signer from anyone but a node is denied, not skipped. */
  ignoreNonSystemNode: boolean;
  /** Kept false: a CSR that fails a check is denied (visible in `kubectl get csr`), not left pending. */
  skipDenyStep: boolean;
  /** Kept false: the DNS name must start with the name the node authenticated as. */
  bypassHostnameCheck: boolean;
  replicas: number;
  leaderElection: boolean;
  metrics: { enable: boolean; serviceMonitor: { enabled: boolean } };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function csrApproverValues(site: Site): KubeletCsrApproverValues {
  const names = [...new Set(site.nodes.map((n) => n.name))].sort();
  const addresses = [...new Set(site.nodes.map((n) => n.address))].sort();
  return {
    providerRegex: `^(?:${names.map(escapeRegex).join('|')})$`,
    providerIpPrefixes: addresses.map((a) => `${a}/32`),
    bypassDnsResolution: true,
    allowedDnsNames: 1,
    ignoreNonSystemNode: false,
    skipDenyStep: false,
    bypassHostnameCheck: false,
    replicas: 2,
    leaderElection: true,
    metrics: { enable: true, serviceMonitor: { enabled: true } },
  };
}

export const kubeletCsrApprover: ComponentBuilder = ({ site }): Component => ({
  name: 'kubelet-csr-approver',
  namespace: CSR_APPROVER_NAMESPACE,
  tier: 'operators',
  // Right after ArgoCD adopts itself (-9): until it runs no kubelet has a serving certificate, so
  // `kubectl logs` fails and Prometheus (platform tier) could not scrape the kubelets. Its ServiceMonitor
  // needs the CRDs of the crds tier (-10).
  wave: -8,
  // The chart's pod runs as non-root with every capability dropped and RuntimeDefault seccomp.
  namespaceLabels: {
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/warn': 'restricted',
  },
  chart: { component: 'kubelet-csr-approver', values: csrApproverValues(site) as unknown as Record<string, unknown> },
});

export const component = defineComponent({ name: 'kubelet-csr-approver', build: kubeletCsrApprover });
