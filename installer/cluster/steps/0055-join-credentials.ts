import type { StepDef } from './types.ts';
import { isFirstControlPlane } from './types.ts';

/** Runs on the first control plane before the join phases; its output is secrets kept in memory only. */
export const joinCredentials: StepDef = {
  id: '0055-join-credentials',
  title: 'join credentials (token, certificate key)',
  phase: 'join-control-plane',
  timeoutSec: 120,
  template: '0055-join-credentials.sh.hbs',
  appliesTo: (site, node) => isFirstControlPlane(site, node),
  data: () => ({}),
  produces: true,
};
