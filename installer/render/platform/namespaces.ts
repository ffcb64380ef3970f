// Namespaces more than one part of render must agree on. A component's own namespace stays in its folder.

/** ArgoCD's: its Applications, AppProjects and repository Secrets live here (app-of-apps, argocd, vm-labs). */
export const ARGOCD_NAMESPACE = 'argocd';
