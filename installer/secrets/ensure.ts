// Adds a generated value for every generatable entry the components need and the store lacks. Existing
// entries are never touched (their ciphertext stays byte-identical); external entries are reported.
import type { SecretNeed } from '../render/model.ts';
import { generateValue, isGeneratable } from './generate.ts';
import type { SecretStore } from './store.ts';

export interface EnsureResult { generated: string[]; present: string[]; missingExternal: string[] }

export async function ensureSecrets(store: SecretStore, needs: SecretNeed[]): Promise<EnsureResult> {
  const byRef = new Map<string, SecretNeed>();
  for (const n of needs) {
    if (n.generate.kind === 'htpasswd') continue; // derived when the Secret is built
    const prev = byRef.get(n.ref);
    // One entry can feed several Secrets (a client secret for Keycloak and for the client): an external
    // declaration wins, so a site-supplied value is never replaced by a generated one.
    if (!prev || n.generate.kind === 'external') byRef.set(n.ref, n);
  }
  const result: EnsureResult = { generated: [], present: [], missingExternal: [] };
  for (const [ref, n] of [...byRef.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (store.has(ref)) result.present.push(ref);
    else if (isGeneratable(n.generate)) { await store.put(ref, generateValue(n.generate)); result.generated.push(ref); }
    else result.missingExternal.push(ref);
  }
  return result;
}
