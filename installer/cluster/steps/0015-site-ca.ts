import type { StepDef } from './types.ts';
import { SITE_CA_FILE } from '../artifacts.ts';

/** Sites with tls.mode internal-ca: the site CA certificate on every node, before containerd and kubeadm read it. */
export const siteCa: StepDef = {
  id: '0015-site-ca',
  title: 'site CA certificate (trust store, API server OIDC CA)',
  phase: 'prepare',
  timeoutSec: 300,
  template: '0015-site-ca.sh.hbs',
  appliesTo: (site) => site.tls.mode === 'internal-ca',
  data: () => ({ caFile: SITE_CA_FILE, caDir: SITE_CA_FILE.replace(/\/[^/]+$/, '') }),
  needs: ['siteCaCert'],
};

/** Secret-store entry holding the site CA certificate (cert-manager's site-ca Secret takes it as tls.crt). */
export const siteCaEntry = (site: Parameters<StepDef['data']>[0]) => `${site.tls.internalCa?.keyPairRef ?? ''}-crt`;
