// Shared by the init and join steps: the shell functions that judge membership by evidence and reset a
// half-done attempt, and the removal of kubeadm's load-balancer exclude label.
import type { Site, SiteNode } from '../../inventory/types.ts';
import { renderTemplate } from '../../render/text.ts';
import { CRI_SOCKET, EXCLUDE_LB_LABEL, takesWorkloads } from '../artifacts.ts';

/** How often (every 5 s) a step asks for the evidence after kubeadm returned: 3 minutes. */
export const MEMBERSHIP_TRIES = 36;

export function membershipData(site: Site, node: SiteNode): Record<string, unknown> {
  return {
    node: node.name,
    vip: site.kubernetes.apiVip,
    membershipTries: MEMBERSHIP_TRIES,
    membership: renderTemplate('cluster/templates/_membership.sh.hbs', { criSocket: CRI_SOCKET }),
    takesWorkloads: takesWorkloads(site, node),
    unlabel: renderTemplate('cluster/templates/_unlabel.sh.hbs', { excludeLabel: EXCLUDE_LB_LABEL }),
  };
}
