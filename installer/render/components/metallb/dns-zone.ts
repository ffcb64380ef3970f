// The DNS records the campus DNS must hold, as a zone-file snippet: the API name to the VIP, every
// platform service and the labs (with a wildcard for per-lab names) to the ingress address.
import type { RepoFile } from '../../model.ts';
import type { Site } from '../../../inventory/types.ts';
import { renderTemplate } from '../../text.ts';

/** Owner name relative to the zone's $ORIGIN, or absolute (trailing dot) for names outside it. */
const owner = (name: string, domain: string) =>
  name === domain ? '@' : name.endsWith(`.${domain}`) ? name.slice(0, -domain.length - 1) : `${name}.`;

export function dnsZoneFile(site: Site): RepoFile {
  const { domain } = site.site;
  const ingress = site.ingress.address;
  const wanted: { host: string; address: string; what: string }[] = [
    { host: site.hosts.api, address: site.kubernetes.apiVip, what: 'Kubernetes API (kube-vip)' },
    { host: site.hosts.argocd, address: ingress, what: 'ArgoCD' },
    { host: site.hosts.harbor, address: ingress, what: 'Harbor registry' },
    { host: site.hosts.sso, address: ingress, what: 'Keycloak (single sign-on)' },
    { host: site.hosts.grafana, address: ingress, what: 'Grafana' },
    { host: site.hosts.labs, address: ingress, what: 'lab portal' },
    { host: `*.${site.hosts.labs}`, address: ingress, what: 'per-lab names (consoles, lab web services)' },
  ];
  const seen = new Set<string>();
  const records = wanted
    .filter((r) => !seen.has(r.host) && !!seen.add(r.host))
    .map((r) => ({ name: owner(r.host, domain), address: r.address, what: r.what }));
  return {
    path: `dns/${domain}.zone`,
    content: renderTemplate('render/components/metallb/templates/dns-zone.hbs', {
      site: site.site.name,
      domain,
      ingress: site.ingress,
      apiVip: site.kubernetes.apiVip,
      records,
    }),
  };
}
