// `labctl secrets ...`: the site's secret store (age-encrypted entries in <repo>/secrets/) and its
// delivery to the cluster. Decision record: docs/decisions.md "Secrets"; how-to: docs/secrets.md.
// Every command that writes the store holds the site repository's lock (render takes the same one) from
// its first check to its last write, so two processes cannot both find an entry absent and both write it.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { loadYamlFile } from '../../core/yaml-source.ts';
import { DEFAULT_INVENTORY } from '../options.ts';
import { nearName } from '../../core/near-name.ts';
import * as age from 'age-encryption';
import { ExitError, UsageError } from '../../core/diagnostics.ts';
import type { SecretNeed } from '../../render/model.ts';
import { lockRepo } from '../../render/write.ts';
import { secretNeedsFromInventory } from './render.ts';
import {
  SecretStore,
  newSiteKey,
  writeIdentity,
  checkRef,
  defaultKeyFile,
  keyInsideRepo,
} from '../../secrets/store.ts';
import { verifiedConfirmed } from '../../secrets/recipients.ts';
import { ciphertextHash } from '../../secrets/entries-confirmed.ts';
import { ensureSecrets } from '../../secrets/ensure.ts';
import { entriesNeeded, entriesOf } from '../../secrets/objects.ts';
import { generateValue, isGeneratable } from '../../secrets/generate.ts';
import { checkEntryFormat, siteCaPairs } from '../../secrets/site-ca.ts';
import { isInteractive, readHidden } from '../../ssh/prompt.ts';
import { printJson, type OutputFormat } from '../output.ts';
import { shellWord, siteArgs, type SiteFlags } from '../site-args.ts';
import { showControls } from '../../core/show-controls.ts';

export interface StoreOptions {
  inventory: string;
  repo: string;
  keyFile?: string;
  /** The site flags as typed, repeated in every command this suggests (installer/cli/site-args.ts). */
  flags?: SiteFlags;
}

/** The typed site flags for a suggested command that takes -i (set, list, apply, ...). */
const again = (o: { flags?: SiteFlags }) => siteArgs(o.flags ?? {});
/** For one that takes only -r and -k (confirm, rekey, add-recipient): -r always names the folder. */
const againStore = (o: { repo: string; flags?: SiteFlags }) => siteArgs(o.flags ?? {}, {}, o.repo);

/** -k and $LABCTL_AGE_KEY_FILE mean the same: the key file, or the default place. */
const storeOf = (o: { repo: string; keyFile?: string; flags?: SiteFlags }) =>
  new SecretStore(o.repo, {
    keyFile: o.keyFile ?? defaultKeyFile(),
    suggest: { store: againStore(o), inventory: again(o) },
  });

/** Runs fn holding the site repository's lock. */
async function locked<T>(repo: string, fn: () => Promise<T>): Promise<T> {
  const unlock = lockRepo(repo);
  try {
    return await fn();
  } finally {
    unlock();
  }
}

/**
 * A secret value: typed at a terminal without echo (twice, since the typing cannot be seen), or read
 * from standard input when it is a pipe or file. Never from argv: argv is visible in ps and shell history.
 */
async function readValue(entry: string): Promise<string> {
  if (isInteractive()) {
    const first = await readHidden(`value for ${entry} (typing is not shown): `);
    const again = await readHidden('the same value again: ');
    if (first !== again) throw new ExitError('the two values differ; nothing was stored', 1);
    return first;
  }
  process.stderr.write(`reading the value for ${entry} from standard input\n`);
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * A key file for a second site beside the one that exists, named for the site (its inventory's site.name, else
 * its folder's name) and not there yet: a path the user can paste (a `<site>` placeholder pasted into a shell
 * is two redirections, and `>.agekey` truncates a file).
 */
function secondKeyFile(existing: string, repo: string): string {
  // Read as every inventory is (a regular file, bounded): no inventory there, or not YAML, gives the folder's name.
  const loaded = loadYamlFile(join(repo, DEFAULT_INVENTORY));
  const site = loaded.ok ? (loaded.source.data as { site?: { name?: unknown } } | null)?.site : undefined;
  let name = typeof site?.name === 'string' ? site.name : '';
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name))
    name = basename(resolve(repo))
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-');
  if (!/^[a-z0-9]/.test(name)) name = `site-${name}`.replace(/-+$/, '');
  const at = (n: number) => join(dirname(existing), `${name}${n > 1 ? `-${n}` : ''}.agekey`);
  let n = 1;
  while (existsSync(at(n)) || at(n) === existing) n++;
  return at(n);
}

export async function secretsInit(o: { repo: string; keyFile?: string }): Promise<void> {
  const keyFile = o.keyFile ?? defaultKeyFile();
  // Both refusals come before anything is created (not even the repository's lock folder).
  if (keyInsideRepo(keyFile, o.repo)) writeIdentity(keyFile, '', '', o.repo); // throws: the key would be committed
  const already = new SecretStore(o.repo);
  if (already.initialized())
    throw new ExitError(`${already.recipientsFile} exists: this site already has a key; nothing was changed`, 1);
  if (existsSync(keyFile)) {
    throw new ExitError(
      `${keyFile} already exists; nothing was changed. labctl never overwrites a site key (what it encrypted would be lost) and never reuses one for a second store (one key per site). ` +
        `For another site give its key a new place: labctl secrets init -r ${shellWord(o.repo)} -k ${shellWord(secondKeyFile(keyFile, o.repo))}, and the same -k (or LABCTL_AGE_KEY_FILE) to its other secrets commands.`,
      1,
    );
  }
  await locked(o.repo, async () => {
    const store = new SecretStore(o.repo);
    if (store.initialized())
      throw new ExitError(`${store.recipientsFile} exists: this site already has a key; nothing was changed`, 1);
    const { identity, recipient } = await newSiteKey();
    writeIdentity(keyFile, identity, recipient, o.repo);
    await store.initialize(
      identity,
      'age recipients the secret store is encrypted to (public keys; see docs/secrets.md). Add one only with labctl secrets add-recipient',
    );
    // The paths as typed may hold control characters: shown as escapes, they cannot redraw the terminal.
    // Each path on its own: escaping the whole text with `multiline` kept a newline of the folder's name.
    process.stdout.write(
      `site key written to ${showControls(keyFile)} (mode 0600): BACK IT UP offline now; it is the one key that rebuilds every secret.\n` +
        `public key ${recipient} written to ${showControls(store.recipientsFile)} and confirmed in ${showControls(store.confirmedFile)}; commit both.\n`,
    );
  });
}

export async function secretsGenerate(o: StoreOptions): Promise<void> {
  const needs = secretNeedsFromInventory(o.inventory);
  await locked(o.repo, async () => {
    const r = await ensureSecrets(storeOf(o), needs);
    process.stdout.write(
      `${r.generated.length} generated, ${r.present.length} already present${r.generated.length ? `: ${r.generated.join(', ')}` : ''}\n`,
    );
    if (r.missingExternal.length) {
      process.stdout.write(
        `${r.missingExternal.length} entr${r.missingExternal.length === 1 ? 'y' : 'ies'} the site must supply (labctl secrets set NAME${again(o)} < value):\n  ${r.missingExternal.join('\n  ')}\n`,
      );
    }
  });
}

/** An entry name the platform reads, or a refusal naming the one it likely misspells (installer/core/near-name.ts). */
function checkUsed(entry: string, needs: SecretNeed[], o: StoreOptions): void {
  const used = entriesNeeded(needs);
  if (used.includes(entry)) return;
  const near = nearName(entry, used);
  // Each command named repeats the site flags as typed: copied, it runs against the same folder.
  throw new ExitError(
    // No full stop after a command: a suggested `-r .` read as `-r ..` (the parent folder).
    `${entry} is not an entry ${o.inventory} uses, so nothing would read it; nothing was stored.${near ? ` Did you mean ${near}? To store it: labctl secrets set ${near}${again(o)}\n` : ' '}Every entry: labctl secrets list${again(o)}`,
    1,
  );
}

export async function secretsSet(o: StoreOptions & { entry: string; replace?: string }): Promise<void> {
  checkRef(o.entry);
  const needs = secretNeedsFromInventory(o.inventory);
  checkUsed(o.entry, needs, o);
  await locked(o.repo, async () => {
    const store = storeOf(o);
    const exists = store.has(o.entry);
    if (exists && o.replace !== o.entry) {
      throw new ExitError(
        `${o.entry} already has a value; to replace it pass --replace ${o.entry} (the old value is lost unless it is in Git history)`,
        1,
      );
    }
    if (!exists && o.replace !== undefined && o.replace !== o.entry)
      throw new UsageError(`--replace ${o.replace} does not name the entry ${o.entry}`);
    await store.trustedRecipients(); // before asking for the value: a refused recipient list stops here
    const value = await readValue(o.entry);
    if (!value) throw new ExitError('no value on standard input; nothing was stored', 1);
    // A CA key must match the CA certificate the store already holds (a confirmed one: a planted file proves nothing).
    const pair = siteCaPairs(needs).find((p) => p.keyRef === o.entry);
    const caCertificate =
      pair && store.has(pair.crtRef) && !store.unconfirmedReason(pair.crtRef)
        ? await store.decrypt(pair.crtRef, store.identity('to compare the key with the stored CA certificate'))
        : undefined;
    try {
      checkEntryFormat(needs, o.entry, value, { caCertificate });
    } catch (e) {
      throw new ExitError(`${(e as Error).message}; nothing was stored`, 1);
    }
    // An unchanged, confirmed value leaves the file (and Git) untouched. An unconfirmed one (a planted or
    // pre-manifest entry) is written anew, which confirms it: the key holder just typed the value.
    if (exists && !store.unconfirmedReason(o.entry)) {
      if ((await store.decrypt(o.entry, store.identity('to compare the value'))) === value) {
        process.stdout.write(`${o.entry} unchanged\n`);
        return;
      }
    }
    await store.put(o.entry, value, { replace: exists });
    process.stdout.write(
      `${o.entry} ${exists ? 'replaced' : 'stored'}; commit secrets/ and run labctl secrets apply${again(o)}\n`,
    );
  });
}

export async function secretsRotate(o: StoreOptions & { entry: string; confirm?: string }): Promise<void> {
  checkRef(o.entry);
  if (o.confirm !== o.entry)
    throw new UsageError(`rotating replaces the value of ${o.entry}; confirm with --confirm ${o.entry}`);
  const needs = secretNeedsFromInventory(o.inventory).filter((n) => n.ref === o.entry);
  if (!needs.length) throw new ExitError(`no component uses ${o.entry}`, 1);
  const fixed = needs.find((n) => n.noRotate)?.noRotate;
  if (fixed) throw new ExitError(`${o.entry} is not rotated by labctl: ${fixed}`, 1);
  const gen = needs.map((n) => n.generate).find((g) => g.kind === 'external') ?? needs[0]!.generate;
  if (!isGeneratable(gen))
    throw new ExitError(
      `${o.entry} is supplied by the site (${needs[0]!.purpose}); rotate it at its source, then: labctl secrets set ${o.entry} --replace ${o.entry}${again(o)}`,
      1,
    );
  await locked(o.repo, () => storeOf(o).put(o.entry, generateValue(gen), { replace: true }));
  const targets = needs.map((n) => `${n.namespace}/${n.name}`);
  process.stdout.write(
    `${o.entry} rotated. Next: commit secrets/, run labctl secrets apply${again(o)}, then restart what reads ${[...new Set(targets)].join(', ')} (see docs/secrets.md, Rotation)\n`,
  );
}

const AGE_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

/** The recipient list after adding or removing some, checked the same way encryption checks it. */
async function changeRecipients(
  o: { repo: string; keyFile?: string; flags?: SiteFlags },
  add: string[],
  remove: string[],
): Promise<{ store: SecretStore; list: string[] }> {
  for (const r of [...add, ...remove])
    if (!AGE_RECIPIENT.test(r))
      throw new UsageError(`${r} is not an age recipient (age1 followed by 58 characters, as age-keygen -y prints it)`);
  const store = storeOf(o);
  const identity = store.identity('to confirm recipients (only the site key holder can)');
  const site = await age.identityToRecipient(identity);
  if (remove.includes(site))
    throw new ExitError(
      `${site} is the site key's own recipient; it cannot be removed (the site could no longer read its secrets)`,
      1,
    );
  const listed = store.recipients();
  const base = verifiedConfirmed({ confirmedFile: store.confirmedFile, identity, siteRecipient: site }) ?? [site];
  const others = listed.filter((r) => !base.includes(r) && !add.includes(r) && !remove.includes(r));
  if (others.length) {
    throw new ExitError(
      `${store.recipientsFile} also lists ${others.join(', ')}, which the site key holder has not confirmed; nothing was changed. ` +
        `Confirm them in the same command if you trust them (labctl secrets add-recipient ${[...add, ...others].join(' ')}${againStore(o)}), or remove the lines first.`,
      1,
    );
  }
  const list = [...new Set([...base, ...add])].filter((r) => !remove.includes(r));
  return { store, list };
}

export async function secretsAddRecipient(o: {
  repo: string;
  keyFile?: string;
  recipients: string[];
  note?: string;
  flags?: SiteFlags;
}): Promise<void> {
  await locked(o.repo, async () => {
    const { store, list } = await changeRecipients(o, o.recipients, []);
    store.confirm(list, o.note ? Object.fromEntries(o.recipients.map((r) => [r, o.note!])) : {});
    const n = store.list().length;
    process.stdout.write(
      `confirmed ${o.recipients.join(', ')} in ${store.recipientsFile} and ${store.confirmedFile}; new entries are encrypted to ${list.length} recipient(s). ` +
        `${n ? `The ${n} existing entries are not readable with the new key yet: run labctl secrets rekey${againStore(o)}, then ` : ''}commit secrets/.\n`,
    );
  });
}

export async function secretsRemoveRecipient(o: {
  repo: string;
  keyFile?: string;
  recipients: string[];
  flags?: SiteFlags;
}): Promise<void> {
  await locked(o.repo, async () => {
    const { store, list } = await changeRecipients(o, [], o.recipients);
    store.confirm(list);
    process.stdout.write(
      `removed ${o.recipients.join(', ')}; new entries are encrypted to ${list.length} recipient(s). Run labctl secrets rekey${againStore(o)} and commit secrets/; ` +
        'values the removed key could read stay readable in Git history: rotate those that matter.\n',
    );
  });
}

export async function secretsRekey(o: { repo: string; keyFile?: string; flags?: SiteFlags }): Promise<void> {
  await locked(o.repo, async () => {
    const store = storeOf(o);
    const recipients = await store.trustedRecipients();
    const done = await store.rekey();
    process.stdout.write(
      `re-encrypted ${done.length} entries to ${recipients.length} recipient(s): ${recipients.join(', ')}; commit secrets/\n`,
    );
  });
}

export async function secretsList(o: StoreOptions & { output: OutputFormat }): Promise<void> {
  const store = storeOf(o);
  const needs = secretNeedsFromInventory(o.inventory);
  // With the site key here, every stored entry is checked against entries.confirmed; without it, the
  // status says "unchecked" (nothing is decrypted or used by list).
  const keyFile = o.keyFile ?? defaultKeyFile();
  const canCheck = existsSync(keyFile) && store.list().length > 0;
  const confirmed = canCheck ? store.confirmedEntries() : undefined;
  const why = (ref: string) => (canCheck && store.has(ref) ? store.unconfirmedReason(ref, confirmed) : undefined);
  // generate and set need the key: without it here, the suggested commands ask for it (as render's do) rather
  // than repeat a -k path that is not there.
  const fixArgs = existsSync(keyFile) ? again(o) : `${siteArgs({ ...o.flags, keyFile: undefined })} -k KEYFILE`;
  const rows = entriesNeeded(needs).map((ref) => {
    const ns = needs.filter((n) => n.ref === ref || entriesOf(n).includes(ref));
    const present = store.has(ref);
    return {
      entry: ref,
      present,
      confirmed: present ? (canCheck ? !why(ref) : null) : false,
      external: ns.some((n) => n.generate.kind === 'external'),
      secrets: [...new Set(ns.map((n) => n.onNodes ?? `${n.namespace}/${n.name}:${n.key}`))],
    };
  });
  const unused = store.list().filter((r) => !rows.some((x) => x.entry === r));
  const refused = [
    ...rows.filter((r) => r.present && r.confirmed === false).map((r) => r.entry),
    ...unused.filter((u) => why(u)),
  ];
  if (o.output === 'json') printJson({ entries: rows, unused, unconfirmed: refused });
  else {
    const status = (r: (typeof rows)[number]) =>
      !r.present
        ? r.external
          ? 'MISSING'
          : 'absent '
        : r.confirmed === null
          ? 'stored '
          : r.confirmed
            ? 'ok     '
            : 'REFUSED';
    for (const r of rows) process.stdout.write(`${status(r)} ${r.entry}  -> ${r.secrets.join(', ')}\n`);
    for (const u of unused) process.stdout.write(`unused  ${u}\n`);
    // What each status shown means and the command that fixes it, once, after the table (indented: a line
    // starting with a status is an entry).
    const shown = new Set([...rows.map((r) => status(r).trim()), ...(unused.length ? ['unused'] : [])]);
    const legend: [string, string][] = [
      ['ok', 'stored and confirmed as written by the site key holder'],
      [
        'stored',
        `stored, not checked against ${store.entriesConfirmedFile}: ${
          o.keyFile === undefined
            ? `the site key is not on this machine (not at ${keyFile}; give it with -k KEYFILE)`
            : `site key file not found at ${keyFile} (-k): give -k the key file labctl secrets init wrote for this site`
        }`,
      ],
      ['absent', `labctl makes it: labctl secrets generate${fixArgs} (labctl render does too)`],
      ['MISSING', `only the site can give it: labctl secrets set NAME${fixArgs}`],
      ['REFUSED', 'not written by the site key holder, so never used (why and the fix: below)'],
      ['unused', 'no component reads it; kept (delete its file under secrets/entries/ if nothing will)'],
    ];
    process.stdout.write('what each status means:\n');
    for (const [k, text] of legend) if (shown.has(k)) process.stdout.write(`  ${k.padEnd(7)}  ${text}\n`);
  }
  if (refused.length) {
    // Without entries.confirmed every entry is refused for the same reason: said once, not once per entry.
    const noManifest = canCheck && !confirmed;
    throw new ExitError(
      `${refused.length} entr${refused.length === 1 ? 'y was' : 'ies were'} not written by the site key holder and will not be used:\n  ${noManifest ? `${refused.join(', ')}: ${store.noManifestReason()}` : refused.map((r) => why(r)).join('\n  ')}`,
      1,
    );
  }
  const missing = rows.filter((r) => !r.present);
  if (missing.length) {
    const fixes = [
      ...(missing.some((r) => !r.external) ? [`absent: labctl secrets generate${fixArgs}`] : []),
      ...(missing.some((r) => r.external) ? [`MISSING: labctl secrets set NAME${fixArgs}`] : []),
    ];
    // A folder without a store: generate and set refuse until secrets init made one, so the fixes start there.
    const first = store.initialized()
      ? ''
      : `; ${showControls(o.repo)} has no secret store yet (no secrets/recipients.txt), so first: labctl secrets init${againStore(o)}`;
    throw new ExitError(
      `${missing.length} entr${missing.length === 1 ? 'y is' : 'ies are'} missing (${fixes.join('; ')})${first}`,
      1,
    );
  }
}

/**
 * Confirms entries the site key holder vouches for (a store from before entries.confirmed, or an entry
 * written outside labctl): each must decrypt with the site key; it shows what it confirms (name, hash,
 * length of the value, never the value) and records the ciphertext's hash under the site key's MAC.
 */
export async function secretsConfirm(o: {
  repo: string;
  keyFile?: string;
  entries: string[];
  all?: boolean;
  flags?: SiteFlags;
}): Promise<void> {
  if (o.all && o.entries.length) throw new UsageError('give entry names or --all, not both');
  if (!o.all && !o.entries.length)
    throw new UsageError(
      'name the entries to confirm (labctl secrets list shows the refused ones), or --all for every entry of the store',
    );
  await locked(o.repo, async () => {
    const store = storeOf(o);
    const identity = store.identity('to confirm entries (only the site key holder can)');
    const refs = o.all ? store.list() : o.entries;
    for (const ref of refs) checkRef(ref);
    // Each entry read once: the bytes decrypted are the ones whose hash is shown and recorded (three reads
    // could see three files, one swapped in after the check).
    const hashes = new Map<string, string>();
    for (const ref of refs) {
      const bytes = store.ciphertext(ref);
      const value = await store.decrypt(ref, identity, bytes); // refuses an entry the site key cannot open
      hashes.set(ref, ciphertextHash(bytes));
      process.stdout.write(
        `confirm ${ref}: ciphertext sha256 ${hashes.get(ref)}, value of ${value.length} characters (check who wrote it: git log -p -- secrets/entries/${ref}.age)\n`,
      );
    }
    store.recordConfirmed(refs, { fresh: o.all, hashes });
    process.stdout.write(
      `${refs.length} entr${refs.length === 1 ? 'y' : 'ies'} confirmed in ${store.entriesConfirmedFile}; commit secrets/\n`,
    );
  });
}

/**
 * The kubeconfig `secrets apply` uses: --kubeconfig, else the admin kubeconfig `labctl up` wrote
 * (<state dir>/admin.conf), else $KUBECONFIG or ~/.kube/config. None of them: a clear stop, not a stack.
 */
async function kubeconfigFor(o: {
  inventory: string;
  kubeconfig?: string;
  stateDir?: string;
}): Promise<string | undefined> {
  if (o.kubeconfig) {
    if (!existsSync(o.kubeconfig))
      throw new ExitError(`--kubeconfig ${o.kubeconfig}: no such file; nothing was sent`, 1);
    return o.kubeconfig;
  }
  const { loadSite } = await import('./cluster-common.ts');
  const { defaultStateDir } = await import('../../cluster/journal.ts');
  const admin = join(o.stateDir ?? defaultStateDir(loadSite(o.inventory)), 'admin.conf');
  if (existsSync(admin)) return admin;
  const env = (process.env.KUBECONFIG ?? '').split(':').filter(Boolean);
  if (env.some((f) => existsSync(f)) || (!env.length && existsSync(join(homedir(), '.kube', 'config'))))
    return undefined; // the client's own default
  throw new ExitError(
    `no kubeconfig to send the Secrets with: labctl up writes ${admin} once the cluster is up; before that, or from another machine, pass --kubeconfig FILE. Nothing was sent.`,
    1,
  );
}

export async function secretsApply(
  o: StoreOptions & { dryRun?: boolean; kubeconfig?: string; context?: string; stateDir?: string },
): Promise<void> {
  const store = storeOf(o);
  const needs = secretNeedsFromInventory(o.inventory);
  // What the store can deliver is sent; a Secret whose entry cannot exist yet (a Harbor robot token before
  // Harbor runs) waits, listed with its reason and the command that ends the wait.
  const { prepareDelivery, waitingText } = await import('../../cluster/deliver-secrets.ts');
  const { objects: secrets, waiting } = await prepareDelivery(needs, store);
  const waits = () => {
    for (const l of waitingText(waiting, again(o))) process.stdout.write(`${l}\n`);
  };
  if (o.dryRun) {
    // Names and keys only: a dry run must not print the values.
    for (const s of secrets)
      process.stdout.write(
        `${s.metadata!.namespace}/${s.metadata!.name} (${s.kind === 'ConfigMap' ? 'ConfigMap' : (s as { type?: string }).type}): ${Object.keys(s.data ?? {}).join(', ')}\n`,
      );
    waits();
    process.stdout.write(
      `${secrets.length} Secrets would be applied, ${waiting.length} wait (dry run; nothing sent)\n`,
    );
    return;
  }
  const kubeconfig = await kubeconfigFor(o);
  const { applySecrets } = await import('../../secrets/apply.ts');
  let done: string[];
  try {
    done = await applySecrets(secrets, { kubeconfig, context: o.context });
  } catch (e) {
    if (e instanceof ExitError) throw e;
    const err = e as { message?: string; code?: string; body?: unknown };
    // Not reached at all: the server and kubeconfig named, and what to do (the wording of backup/restore).
    const { unreachableWith, loadKubeconfigFile } = await import('../../cluster/kube-access.ts');
    const unreached = unreachableWith(e, loadKubeconfigFile(kubeconfig));
    throw new ExitError(
      `cannot apply the Secrets with ${kubeconfig ?? 'the default kubeconfig'}: ${unreached ? `${unreached}. Nothing was sent` : `${err.code ? `${err.code} ` : ''}${err.message ?? String(e)}`}`,
      1,
    );
  }
  process.stdout.write(
    `applied ${done.length} Secrets (server-side apply, field manager labctl-secrets) with ${kubeconfig ?? 'the default kubeconfig'}\n`,
  );
  waits();
  if (waiting.length)
    process.stdout.write(`${waiting.length} wait; run labctl secrets apply${again(o)} again once they are set\n`);
}
