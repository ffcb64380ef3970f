// What a node's roles mean for the cluster, in one place: the bootstrap (taints, kubeadm's load-balancer
// exclusion label), the BGP topology (who peers with the routers) and the validate rules all ask here.
import type { Site, SiteNode } from './types.ts';

const cpOnly = (n: SiteNode) => n.roles.length === 1 && n.roles[0] === 'control-plane';

/**
 * Whether ordinary workloads run on the node: every node without the control-plane role, a control-plane
 * node that also has another role (its NoSchedule taint is not set), and every node of a cluster made of
 * control planes only (cluster/artifacts.ts nodeRegistration).
 */
export const runsWorkloads = (site: Site, n: SiteNode): boolean => !cpOnly(n) || site.nodes.every(cpOnly);

/**
 * Whether the node announces LoadBalancer addresses (MetalLB speaker with a BGP session). kubeadm labels
 * every control-plane node node.kubernetes.io/exclude-from-external-load-balancers and MetalLB announces
 * nothing from such a node; the bootstrap removes the label from control planes that run workloads.
 */
export const announcesLoadBalancers = runsWorkloads;
