// ArgoCD's side of the Keycloak login: everything comes from the realm contract in identity.ts.
import type { Site } from '../../../inventory/types.ts';
import { GROUPS, issuerUrl, oidcClients } from '../../platform/identity.ts';

export interface ArgocdOidc {
  issuer: string;
  clientId: string;
  secretName: string;
  secretKey: string;
  adminGroups: string[];
  staffGroups: string[];
}

export function argocdOidc(site: Site): ArgocdOidc {
  const client = oidcClients(site).argocd;
  return {
    issuer: issuerUrl(site),
    clientId: client.clientId,
    secretName: client.secretRef!.name,
    secretKey: client.secretRef!.key,
    adminGroups: [GROUPS.platformAdmins],
    staffGroups: site.labs.courses.map((c) => GROUPS.courseStaff(c.name)),
  };
}
