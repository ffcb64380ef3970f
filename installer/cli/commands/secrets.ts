// `labctl secrets ...`: the site's secret store (age-encrypted entries in <repo>/secrets/) and its
// delivery to the cluster. Decision record: docs/decisions.md "Secrets"; how-to: docs/secrets.md.
import { ExitError, UsageError } from '../../core/diagnostics.ts';
import type { SecretNeed } from '../../render/model.ts';
import { renderFromInventory } from './render.ts';
import { SecretStore, defaultKeyFile, newSiteKey, readIdentity, writeIdentity, checkRef } from '../../secrets/store.ts';
import { ensureSecrets } from '../../secrets/ensure.ts';
import { buildConfigMaps, buildSecrets, entriesNeeded } from '../../secrets/objects.ts';
import { generateValue, isGeneratable } from '../../secrets/generate.ts';
import { printJson, type OutputFormat } from '../output.ts';

export interface StoreOptions { inventory: string; repo: string; keyFile?: string }

async function needsOf(inventory: string): Promise<SecretNeed[]> {
  return (await renderFromInventory(inventory)).secrets;
}

/** Reads a secret value from stdin (never argv: argv is visible in ps and shell history). */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('value (end with Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function secretsInit(o: { repo: string; keyFile?: string }): Promise<void> {
  const store = new SecretStore(o.repo);
  const keyFile = o.keyFile ?? defaultKeyFile();
  if (store.initialized()) throw new ExitError(`${store.recipientsFile} exists: this site already has a key; nothing was changed`, 1);
  const { identity, recipient } = await newSiteKey();
  writeIdentity(keyFile, identity, recipient, o.repo);
  store.writeRecipients([recipient], 'age recipients the secret store is encrypted to (public keys; see docs/secrets.md)');
  process.stdout.write(`site key written to ${keyFile} (mode 0600): BACK IT UP offline now; it is the one key that rebuilds every secret.\n` +
    `public key ${recipient} written to ${store.recipientsFile}; commit it.\n`);
}

export async function secretsGenerate(o: StoreOptions): Promise<void> {
  const store = new SecretStore(o.repo);
  const r = await ensureSecrets(store, await needsOf(o.inventory));
  process.stdout.write(`${r.generated.length} generated, ${r.present.length} already present${r.generated.length ? `: ${r.generated.join(', ')}` : ''}\n`);
  if (r.missingExternal.length) {
    process.stdout.write(`${r.missingExternal.length} entr${r.missingExternal.length === 1 ? 'y' : 'ies'} the site must supply (labctl secrets set NAME < value):\n  ${r.missingExternal.join('\n  ')}\n`);
  }
}

export async function secretsSet(o: StoreOptions & { entry: string; replace?: string }): Promise<void> {
  checkRef(o.entry);
  const store = new SecretStore(o.repo);
  const exists = store.has(o.entry);
  if (exists && o.replace !== o.entry) {
    throw new ExitError(`${o.entry} already has a value; to replace it pass --replace ${o.entry} (the old value is lost unless it is in Git history)`, 1);
  }
  if (!exists && o.replace !== undefined && o.replace !== o.entry) throw new UsageError(`--replace ${o.replace} does not name the entry ${o.entry}`);
  const value = await readStdin();
  if (!value) throw new ExitError('no value on standard input; nothing was stored', 1);
  if (exists && o.keyFile) {
    // With the key at hand, an unchanged value leaves the file (and Git) untouched.
    if ((await store.get(o.entry, readIdentity(o.keyFile))) === value) { process.stdout.write(`${o.entry} unchanged\n`); return; }
  }
  await store.put(o.entry, value, { replace: exists });
  process.stdout.write(`${o.entry} ${exists ? 'replaced' : 'stored'}; commit secrets/ and run labctl secrets apply\n`);
}

export async function secretsRotate(o: StoreOptions & { entry: string; confirm?: string }): Promise<void> {
  checkRef(o.entry);
  if (o.confirm !== o.entry) throw new UsageError(`rotating replaces the value of ${o.entry}; confirm with --confirm ${o.entry}`);
  const store = new SecretStore(o.repo);
  const needs = (await needsOf(o.inventory)).filter((n) => n.ref === o.entry);
  if (!needs.length) throw new ExitError(`no component uses ${o.entry}`, 1);
  const gen = needs.map((n) => n.generate).find((g) => g.kind === 'external') ?? needs[0]!.generate;
  if (!isGeneratable(gen)) throw new ExitError(`${o.entry} is supplied by the site (${needs[0]!.purpose}); rotate it at its source, then: labctl secrets set ${o.entry} --replace ${o.entry}`, 1);
  await store.put(o.entry, generateValue(gen), { replace: true });
  const targets = needs.map((n) => `${n.namespace}/${n.name}`);
  process.stdout.write(`${o.entry} rotated. Next: commit secrets/, run labctl secrets apply, then restart what reads ${[...new Set(targets)].join(', ')} (see docs/secrets.md, Rotation)\n`);
}

export async function secretsList(o: StoreOptions & { output: OutputFormat }): Promise<void> {
  const store = new SecretStore(o.repo);
  const needs = await needsOf(o.inventory);
  const rows = entriesNeeded(needs).map((ref) => {
    const ns = needs.filter((n) => n.ref === ref || (n.generate.kind === 'htpasswd' && n.generate.from === ref));
    return { entry: ref, present: store.has(ref), external: ns.some((n) => n.generate.kind === 'external'), secrets: [...new Set(ns.map((n) => `${n.namespace}/${n.name}:${n.key}`))] };
  });
  const unused = store.list().filter((r) => !rows.some((x) => x.entry === r));
  if (o.output === 'json') { printJson({ entries: rows, unused }); return; }
  for (const r of rows) process.stdout.write(`${r.present ? 'ok     ' : r.external ? 'MISSING' : 'absent '} ${r.entry}  -> ${r.secrets.join(', ')}\n`);
  for (const u of unused) process.stdout.write(`unused  ${u}  (no component reads it; kept)\n`);
  const missing = rows.filter((r) => !r.present);
  if (missing.length) throw new ExitError(`${missing.length} entr${missing.length === 1 ? 'y is' : 'ies are'} missing (generate: labctl secrets generate; external: labctl secrets set NAME)`, 1);
}

export async function secretsApply(o: StoreOptions & { dryRun?: boolean; kubeconfig?: string; context?: string }): Promise<void> {
  const store = new SecretStore(o.repo);
  const needs = await needsOf(o.inventory);
  const identity = readIdentity(o.keyFile ?? defaultKeyFile());
  const values = new Map<string, string>();
  for (const ref of entriesNeeded(needs)) if (store.has(ref)) values.set(ref, await store.get(ref, identity));
  const secrets = [...buildSecrets(needs, values), ...buildConfigMaps(needs, values)];
  if (o.dryRun) {
    // Names and keys only: a dry run must not print the values.
    for (const s of secrets) process.stdout.write(`${s.metadata!.namespace}/${s.metadata!.name} (${s.kind === 'ConfigMap' ? 'ConfigMap' : (s as { type?: string }).type}): ${Object.keys(s.data ?? {}).join(', ')}\n`);
    process.stdout.write(`${secrets.length} Secrets would be applied (dry run; nothing sent)\n`);
    return;
  }
  const { applySecrets } = await import('../../secrets/apply.ts');
  const done = await applySecrets(secrets, { kubeconfig: o.kubeconfig, context: o.context });
  process.stdout.write(`applied ${done.length} Secrets (server-side apply, field manager labctl-secrets)\n`);
}
