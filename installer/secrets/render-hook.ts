// What `labctl render` does with the secret store after writing the repository: add generated values for
// new generatable entries (existing ones are never touched) and say which external entries are missing.
// Without an initialized store, or without the site key on this machine, it says what to run instead.
import type { SecretNeed } from '../render/model.ts';
import { ensureSecrets } from './ensure.ts';
import { isDerived } from './objects.ts';
import { existsSync } from 'node:fs';
import { SecretStore, defaultKeyFile } from './store.ts';
import { siteArgs } from '../core/shell-words.ts';
import { showControls } from '../core/show-controls.ts';

export interface NoteOptions {
  /** render -k: the same key file secrets commands take with -k (default: $LABCTL_AGE_KEY_FILE, else ~/.config/labctl/site.agekey). */
  keyFile?: string;
  /** The inventory as the user named it, so the command a note suggests can be run as shown. */
  inventory?: string;
  /** The render command as the user would type it again (a note that says "render again" names it). */
  renderAgain?: string;
}

export async function renderSecretsNote(repoDir: string, needs: SecretNeed[], o: NoteOptions = {}): Promise<string> {
  const keyFile = o.keyFile ?? defaultKeyFile();
  // -i and -r as render was given them, -k only when typed (a default key needs no flag): quoted for the shell.
  const site = (keyFile?: string) => siteArgs({ inventory: o.inventory, repo: repoDir, keyFile });
  const store = new SecretStore(repoDir, { keyFile });
  if (!store.initialized()) {
    const again = o.renderAgain
      ? `, then ${o.renderAgain} again adds the generated secrets`
      : '; generated secrets are added on the next render';
    return `secret store not initialized: run labctl secrets init${siteArgs({ repo: repoDir, keyFile: o.keyFile }, {})} to create the site key${again}\n`;
  }
  // Encrypting needs the site key (to check the recipients). Without it here, say what is left to do.
  const missing = needs.filter((n) => !isDerived(n) && n.generate.kind !== 'external' && !store.has(n.ref));
  if (!existsSync(keyFile)) {
    // Without the key the entries cannot be checked either (entries.confirmed); render uses no value.
    if (!missing.length) return '';
    const refs = [...new Set(missing.map((n) => n.ref))].sort();
    return `secrets: ${refs.length} new entr${refs.length === 1 ? 'y' : 'ies'} not generated: the site key (${showControls(keyFile)}) is not on this machine, and writing to the store needs it to check the recipients. Where the key is: labctl secrets generate${site()} -k KEYFILE\n`;
  }
  const r = await ensureSecrets(store, needs);
  let out = r.generated.length
    ? `secrets: generated ${r.generated.length} new entr${r.generated.length === 1 ? 'y' : 'ies'} (${r.generated.join(', ')})\n`
    : '';
  if (r.missingExternal.length)
    out += `secrets: ${r.missingExternal.length} entr${r.missingExternal.length === 1 ? 'y' : 'ies'} to supply, each with labctl secrets set ENTRY${site(o.keyFile)}: ${r.missingExternal.join(', ')}\n`;
  return out;
}
