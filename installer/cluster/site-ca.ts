// The site CA certificate for the nodes (tls.mode internal-ca): read from the site's secret store, the same
// entry cert-manager's site-ca issuer gets as tls.crt. Only the certificate blocks go to the nodes, never a key.
import type { Site } from '../inventory/types.ts';
import { SecretStore, defaultKeyFile, readIdentity } from '../secrets/store.ts';
import { siteCaEntry } from './steps/0015-site-ca.ts';
import type { SecretName } from './steps/index.ts';

/** The PEM CERTIFICATE blocks of a text (a key or anything else in it is dropped). */
export function certificateBlocks(pem: string): string {
  const blocks =
    pem.replace(/\r\n/g, '\n').match(/-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => `${b}\n`).join('');
}

/**
 * Run-time inputs of `up` for the site CA step; empty when the site has no internal CA. A store that cannot
 * be read is reported through `note` and leaves the input out: the site-CA step then fails naming what is missing.
 */
export async function siteCaCertificate(
  site: Site,
  repo: string,
  keyFile: string | undefined,
  note: (m: string) => void,
): Promise<Partial<Record<SecretName, string>>> {
  if (site.tls.mode !== 'internal-ca') return {};
  const entry = siteCaEntry(site);
  try {
    const pem = certificateBlocks(await new SecretStore(repo).get(entry, readIdentity(keyFile ?? defaultKeyFile())));
    if (!pem) {
      note(`site CA: secret-store entry ${entry} holds no PEM certificate`);
      return {};
    }
    return { siteCaCert: pem };
  } catch (e) {
    note(`site CA: cannot read secret-store entry ${entry} from ${repo}: ${(e as Error).message}`);
    return {};
  }
}
