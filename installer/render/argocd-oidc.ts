// ArgoCD's side of the Keycloak login, derived from the realm definition in identity.ts.
import type { Site } from '../inventory/types.ts';

export interface ArgocdOidc { issuer: string; clientId: string; secretName: string; secretKey: string; adminGroups: string[] }

export function argocdOidc(site: Site): ArgocdOidc {
  return {
    issuer: `https://${site.hosts.sso}/realms/${site.identity.realm}`,
    clientId: 'argocd',
    secretName: 'argocd-oidc',
    secretKey: 'clientSecret',
    adminGroups: ['platform-admins'],
  };
}
