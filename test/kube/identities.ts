// Users the test kube-apiserver authenticates with bearer tokens (its --token-auth-file). The site's
// API server takes these names from Keycloak OIDC tokens (installer/render/identity.ts: claim
// preferred_username / groups, prefix "oidc:"); no identity provider runs in the tests, so a static token
// file stands OIDC in with the same user and group names.
import { GROUPS, kubeGroup, kubeUser } from '../../installer/render/platform/identity.ts';

export interface TokenUser {
  token: string;
  user: string;
  groups: string[];
}

/** Students and staff of the two fixture courses (test/fixtures/labs/valid), and a platform admin. */
export const TOKEN_USERS: Record<string, TokenUser> = {
  gina: { token: 'test-token-gina', user: kubeUser('gina'), groups: [kubeGroup(GROUPS.students('os101'))] },
  jdoe: { token: 'test-token-jdoe', user: kubeUser('jdoe'), groups: [kubeGroup(GROUPS.courseStaff('os101'))] },
  mmuster: {
    token: 'test-token-mmuster',
    user: kubeUser('mmuster'),
    groups: [kubeGroup(GROUPS.courseStaff('netsec'))],
  },
  root: { token: 'test-token-root', user: kubeUser('root'), groups: [kubeGroup(GROUPS.platformAdmins)] },
};

/** kube-apiserver's static token file: token,user,uid,"group1,group2". */
export function tokenFile(): string {
  return (
    Object.values(TOKEN_USERS)
      .map((u) => `${u.token},${u.user},${u.user},"${u.groups.join(',')}"`)
      .join('\n') + '\n'
  );
}
