// What `labctl render` does with the secret store after writing the repository: add generated values for
// new generatable entries (existing ones are never touched) and say which external entries are missing.
// Without an initialized store it only tells the admin how to create one.
import type { SecretNeed } from '../render/model.ts';
import { ensureSecrets } from './ensure.ts';
import { SecretStore } from './store.ts';

export async function renderSecretsNote(repoDir: string, needs: SecretNeed[]): Promise<string> {
  const store = new SecretStore(repoDir);
  if (!store.initialized()) {
    return `secret store not initialized: run labctl secrets init -r ${repoDir} to create the site key; generated secrets are added on the next render\n`;
  }
  const r = await ensureSecrets(store, needs);
  let out = r.generated.length ? `secrets: generated ${r.generated.length} new entr${r.generated.length === 1 ? 'y' : 'ies'} (${r.generated.join(', ')})\n` : '';
  if (r.missingExternal.length) out += `secrets: ${r.missingExternal.length} entr${r.missingExternal.length === 1 ? 'y' : 'ies'} to supply with labctl secrets set: ${r.missingExternal.join(', ')}\n`;
  return out;
}
