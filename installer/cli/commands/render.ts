// `labctl render`, `render --check` and `labctl diff`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { ExitError } from '../../core/diagnostics.ts';
import { requireInventoryFile, requireSite } from '../../inventory/validate.ts';
import { isPlaceholderDisk } from '../../inventory/starter.ts';
import { readRenderInputs } from '../../render/inputs.ts';
import { renderSite, secretNeeds, type RenderResult } from '../../render/render.ts';
import {
  GITIGNORE,
  MAX_READ_BACK,
  STATE_FILE,
  assertNoSymlink,
  lockRepo,
  planWrite,
  renderedBy,
  writeRepo,
  type RepoChange,
} from '../../render/write.ts';
import { labctlVersion } from '../../core/build-info.ts';
import { readCommittedText } from '../../core/regular-file.ts';
import { pinnedVersions } from '../../core/versions.ts';
import { formatVersionChanges, versionChanges } from '../../render/version-changes.ts';
import { SCHEMA_NAME, schemaText } from '../../inventory/schema/emit.ts';
import { printDiagnostics } from '../output.ts';
import { shellWord } from '../../core/shell-words.ts';
import { showControls } from '../../core/show-controls.ts';
import type { SecretNeed } from '../../render/model.ts';

export interface RenderOptions {
  inventory: string;
  out: string;
  check?: boolean;
  overwrite?: boolean;
  quiet?: boolean;
  /** -k: the site key, to add generated secrets (default: $LABCTL_AGE_KEY_FILE, else ~/.config/labctl/site.agekey). */
  keyFile?: string;
  /** -o was given (not the inventory's folder): only changes how messages name it. */
  outGiven?: boolean;
}

/** What a site repository holds before its first render: none of it makes a folder "someone else's". */
const BEFORE_FIRST_RENDER = new Set(['secrets', 'labs', '.git', '.gitignore', '.labctl', SCHEMA_NAME]);

/**
 * Render writes into a folder only when it is a site repository: one labctl rendered before
 * (.labctl/rendered.json), or one holding nothing but what a site repository starts with. Anything else
 * (the labctl checkout, a home folder) would get ~100 files scattered into it. Returns the reason, or null.
 */
export function notASiteRepo(out: string, inventory: string): string | null {
  if (!existsSync(out)) return null;
  assertNoSymlink(out, STATE_FILE, 'reads'); // a linked .labctl is refused as such, not read through
  if (existsSync(join(out, STATE_FILE))) return null;
  if (!statSync(out).isDirectory()) return null; // the writer names the file in the way
  const own = resolve(inventory) === resolve(out, basename(inventory)) ? basename(inventory) : 'inventory.yaml';
  const foreign = readdirSync(out)
    .filter((e) => e !== own && e !== 'inventory.yaml' && !BEFORE_FIRST_RENDER.has(e))
    .sort();
  if (!foreign.length) return null;
  const shown =
    showControls(foreign.slice(0, 5).join(', ')) + (foreign.length > 5 ? `, ... (${foreign.length} in all)` : '');
  return `${showControls(out)} is not a site repository: labctl never rendered there (no ${STATE_FILE}) and it is not empty (${shown})`;
}

/** The render command as the user would type it again (each path quoted for the shell it is pasted into). */
const renderAgain = (o: RenderOptions) =>
  `labctl render -i ${shellWord(o.inventory)}${o.outGiven === false ? '' : ` -o ${shellWord(o.out)}`}${o.keyFile === undefined ? '' : ` -k ${shellWord(o.keyFile)}`}`;

/**
 * The site repository is the folder that holds the inventory (docs/decisions.md): secrets, plan, preflight
 * and up look for secrets/ there unless given -r. Rendering elsewhere makes a tree whose store those
 * commands do not find by themselves, so say how to name it, and how to make it a site repository.
 */
export function outsideNote(o: RenderOptions): string {
  if (resolve(o.out) === resolve(dirname(o.inventory))) return '';
  const copy = join(o.out, 'inventory.yaml');
  const [out, inventory, copied] = [o.out, o.inventory, copy].map(shellWord);
  const [outShown, invShown] = [o.out, o.inventory].map((p) => showControls(p));
  const where = `note: ${outShown} does not hold ${invShown}, so labctl secrets, plan, preflight and up look for the secret store beside ${invShown} (in ${showControls(dirname(o.inventory))}) unless -r ${out} is given.`;
  // An inventory of its own there (the site's, edited): a cp pasted from this note would overwrite it.
  if (existsSync(copy))
    return `${where} ${showControls(copy)} is there already (a cp of ${invShown} would overwrite it): to render the site it describes, use -i ${copied} (README, "The journey")\n`;
  return `${where} A site repository holds its inventory: cp ${inventory} ${copied}, then use -i ${copied} (README, "The journey")\n`;
}

/**
 * labs.path changed: the lab schema render wrote in the old folder is left (kept), and the lab files beside it
 * are read by nothing any more. ArgoCD's ApplicationSet follows the new folder, so at its next sync it removes
 * those labs and their VMs; say so before the commit, with the moves that keep them.
 */
export function movedLabsNote(out: string, kept: string[], files: Map<string, string>): string {
  const now = [...files.keys()].find((p) => basename(p) === 'lab.schema.json');
  if (!now) return '';
  const labsPath = dirname(now);
  let note = '';
  for (const old of kept.filter((p) => basename(p) === 'lab.schema.json').map((p) => dirname(p))) {
    if (old === labsPath) continue;
    const dir = join(out, old);
    // Only a note: a folder removed or unreadable meanwhile is no lab folder left behind.
    const ls = (d: string) => {
      try {
        return readdirSync(d, { withFileTypes: true });
      } catch {
        return [];
      }
    };
    const courses = ls(dir)
      .filter((e) => e.isDirectory() && ls(join(dir, e.name)).some((f) => f.isFile() && f.name.endsWith('.yaml')))
      .map((e) => e.name)
      .sort();
    if (!courses.length) continue;
    const moves = courses.map((c) => `git mv ${shellWord(join(old, c))} ${shellWord(`${labsPath}/`)}`).join(' && ');
    note +=
      `labctl: ${showControls(old)}/ still holds the lab files of ${showControls(courses.join(', '))}, but the labs folder is now ${showControls(labsPath)} (labs.path): ` +
      `nothing reads them, and ArgoCD removes their labs and VMs at its next sync. Before you commit, move them (from ${showControls(out)}): ${moves}\n`;
  }
  return note;
}

/** The validated site, or the inventory's errors as an ExitError. */
function siteOf(inventory: string) {
  const v = requireSite(inventory);
  if ('errors' in v)
    throw new ExitError(`${showControls(inventory)}: ${v.errors.length} error(s); nothing was rendered`, 1, v.errors);
  return v;
}

/**
 * The secrets the inventory's site needs (renderSite's `secrets`), for the secret-store commands: they write
 * no CephCluster, so placeholder disk ids are no error here, and they need no rendered file.
 */
export function secretNeedsFromInventory(inventory: string): SecretNeed[] {
  const v = siteOf(inventory);
  printDiagnostics(v.warnings);
  return secretNeeds(v.site, readRenderInputs(v.site));
}

/** `allowPlaceholderDisks`: for readers of the result that write no CephCluster. */
export async function renderFromInventory(
  inventory: string,
  opts: { allowPlaceholderDisks?: boolean } = {},
): Promise<RenderResult> {
  const v = siteOf(inventory);
  // Placeholder disk ids are only a warning for validate (init writes them on purpose), but a rendered
  // CephCluster naming them would be committed and synced: render (and render --check in CI) refuses.
  const placeholders = v.site.nodes.flatMap((n) =>
    n.disks.flatMap((d, j) => (isPlaceholderDisk(d) ? [`nodes[${n.index}].disks[${j}]`] : [])),
  );
  if (placeholders.length && !opts.allowPlaceholderDisks) {
    const shown = v.warnings
      .filter((d) => placeholders.includes(d.path))
      .map((d) => ({ ...d, severity: 'error' as const }));
    throw new ExitError(
      `${showControls(inventory)}: ${placeholders.length} placeholder disk id(s) (REPLACE-ME); nothing was rendered`,
      1,
      shown,
    );
  }
  printDiagnostics(v.warnings);
  const t0 = performance.now();
  const r = await renderSite(v.site, readRenderInputs(v.site));
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    throw new ExitError(
      `render produced ${errors.length} invalid object(s); nothing was written. This is a labctl bug unless an inventory override caused it.`,
      1,
      errors,
    );
  }
  (r.stats as RenderResult['stats'] & { ms?: number }).ms = performance.now() - t0;
  // Local files (a lock, a mistaken --state-dir, a key) must never be committed to the site repository.
  r.files.set('.gitignore', GITIGNORE);
  // The schema the inventory's first line points editors to, beside it (docs/decisions.md, inventory schema).
  r.files.set(SCHEMA_NAME, schemaText());
  r.stats.files = r.files.size;
  return r;
}

/** Names both versions when `dir` was rendered by another labctl than this one. */
function versionNote(dir: string): string | null {
  const was = renderedBy(dir);
  const now = labctlVersion();
  // `was` is read from the folder's .labctl/rendered.json: its control characters shown, never sent.
  return was && was !== now ? `it was rendered by labctl ${showControls(was)}, this is labctl ${now}` : null;
}

const summary = (c: RepoChange) => `${c.added.length} added, ${c.changed.length} changed, ${c.removed.length} removed`;

export async function renderCommand(o: RenderOptions): Promise<void> {
  // The folder and inventory as typed, in sentences: their control characters shown, never sent (docs/security.md).
  const [out, inventory] = [o.out, o.inventory].map((p) => showControls(p));
  if (o.check && !existsSync(o.out)) {
    // No inventory either: said first, as every command says it; the render suggested below would fail on it.
    requireInventoryFile(o.inventory);
    throw new ExitError(
      `${out}: no such folder, so there is nothing to check against ${inventory}; ${renderAgain(o)} writes it (or name the site repository checkout with -o DIR)`,
      1,
    );
  }
  const r = await renderFromInventory(o.inventory);
  if (o.check) {
    const change = planWrite(o.out, r.files);
    const stale = [
      ...change.added.map((p) => `missing  ${showControls(p)}`),
      ...change.changed.map((p) => `differs  ${showControls(p)}`),
      ...change.conflicts.map((p) => `differs  ${showControls(p)}`),
      ...change.removed.map((p) => `extra    ${showControls(p)}`),
    ];
    const other = versionNote(o.out);
    if (stale.length) {
      process.stdout.write(stale.join('\n') + '\n');
      // Files labctl did not write where it would: the render suggested alone refuses them (new-user trial).
      const n = change.conflicts.length;
      const them = n === 1 ? 'it' : 'them';
      const theirs = n
        ? `; ${n} of them labctl did not write (${showControls(change.conflicts.slice(0, 5).join(', '))}${n > 5 ? ', ...' : ''}): move ${them} away first, or add --overwrite to replace ${them}`
        : '';
      throw new ExitError(
        `${out} is not what ${inventory} renders (${stale.length} file(s))${other ? `; ${other}` : ''}; run ${renderAgain(o)} and commit the result${theirs}`,
        1,
      );
    }
    process.stdout.write(
      `${out} is up to date with ${inventory} (${r.stats.files} files)${other ? `; ${other}` : ''}\n`,
    );
    return;
  }
  const foreign = o.overwrite ? null : notASiteRepo(o.out, o.inventory);
  if (foreign && resolve(o.out) === resolve(dirname(o.inventory))) {
    // The folder that holds the inventory is the site repository by definition: "name the folder that holds
    // inventory.yaml with -o" sent the user in a circle. Say which of its files render would replace.
    const top = new Set([...r.files.keys()].map((p) => p.split('/')[0]!));
    const entries = readdirSync(o.out).filter(
      (e) => e !== basename(o.inventory) && e !== 'inventory.yaml' && !BEFORE_FIRST_RENDER.has(e),
    );
    const replaced = entries.filter((e) => top.has(e)).sort();
    const kept = entries.filter((e) => !top.has(e)).sort();
    const list = (l: string[]) =>
      showControls(l.slice(0, 5).join(', ') + (l.length > 5 ? `, ... (${l.length} in all)` : ''));
    const them = replaced.length > 1 ? 'them' : 'it';
    const replacedSaid = !replaced.length
      ? `run ${renderAgain(o)} --overwrite (render writes none of them: ${list(kept)} kept)`
      : kept.length
        ? `render writes ${list(replaced)} too: move ${them} away, then run ${renderAgain(o)} --overwrite (${list(kept)} kept); --overwrite alone replaces ${list(replaced)}`
        : `render writes ${list(replaced)} too: move ${them} away and run ${renderAgain(o)} again, or pass --overwrite (${list(replaced)} replaced)`;
    throw new ExitError(
      `refusing to render: labctl never rendered into ${out} (no ${STATE_FILE}), and besides ${inventory} it holds files labctl did not write (${list(entries.sort())}). ` +
        `If ${out} is to be the site repository, ${replacedSaid}. If not (the labctl checkout, a home folder), render into a new or empty folder with -o DIR. Nothing was written.`,
      1,
    );
  }
  if (foreign) {
    throw new ExitError(
      `refusing to render: ${foreign}. Name the site repository with -o DIR (the folder that holds inventory.yaml, or a new or empty folder)` +
        `${o.outGiven ? '' : `; -o defaults to the folder that holds ${inventory}`}, or pass --overwrite to render into ${out} anyway. Nothing was written.`,
      1,
    );
  }
  // Checked and written under one lock: another render or secrets command cannot slip in between.
  const unlock = lockRepo(o.out);
  try {
    const change = planWrite(o.out, r.files);
    const other = versionNote(o.out);
    if (change.conflicts.length && !o.overwrite) {
      throw new ExitError(
        `${change.conflicts.length} file(s) in ${out} were not written by labctl and would be overwritten:\n  ${change.conflicts.map((p) => showControls(p)).join('\n  ')}\nMove them away, or pass --overwrite to replace them.`,
        1,
      );
    }
    writeRepo(o.out, r.files, change);
    const ms = (r.stats as { ms?: number }).ms ?? 0;
    if (!o.quiet) {
      if (change.kept.length) {
        process.stderr.write(
          `labctl: left ${change.kept.length} file(s) that .labctl/rendered.json lists but render never writes there (never removed: top-level files, lab files, .git/, secrets/): ${showControls(change.kept.join(', '))}\n`,
        );
        process.stderr.write(movedLabsNote(o.out, change.kept, r.files));
      }
      process.stdout.write(
        `rendered ${out}: ${r.stats.files} files, ${r.stats.objects} objects, ${r.components.length} applications (${summary(change)}) in ${ms.toFixed(0)} ms${other ? `; ${other.replace('it was', 'it was last')}` : ''}\n`,
      );
    }
    // Generated secrets: new entries only, encrypted to the site's confirmed recipients (docs/secrets.md).
    const { renderSecretsNote } = await import('../../secrets/render-hook.ts');
    const note = await renderSecretsNote(o.out, r.secrets, {
      keyFile: o.keyFile,
      inventory: o.inventory,
      renderAgain: renderAgain(o),
    });
    if (!o.quiet) process.stdout.write(outsideNote(o) + note);
  } finally {
    unlock();
  }
}

export async function diffCommand(o: { inventory: string; out: string }): Promise<void> {
  const r = await renderFromInventory(o.inventory);
  const change = planWrite(o.out, r.files);
  // planWrite refused every path through a symlink: diff never shows a file from outside the folder.
  const read = (p: string) => {
    assertNoSymlink(o.out, p, 'reads');
    return existsSync(join(o.out, p)) ? readCommittedText(join(o.out, p), MAX_READ_BACK) : '';
  };
  // The folder's files are Git content (a branch under review): their lines are shown with control characters
  // escaped, so an ESC sequence in a committed file cannot erase or rewrite the diff lines around it.
  const shown = (text: string) => showControls(text, { multiline: true });
  for (const p of [...change.added, ...change.changed, ...change.conflicts].sort()) {
    const n = showControls(p); // a name from the folder's own .labctl/rendered.json
    process.stdout.write(
      createTwoFilesPatch(`a/${n}`, `b/${n}`, shown(read(p)), shown(r.files.get(p)!), '', '', { context: 3 }),
    );
  }
  for (const p of change.removed) {
    const n = showControls(p);
    process.stdout.write(createTwoFilesPatch(`a/${n}`, `b/${n}`, shown(read(p)), '', '', '', { context: 3 }));
  }
  // The upstream versions the change moves, each with the notes to read before ArgoCD applies it.
  const before = [...[...r.files.keys()].filter((p) => existsSync(join(o.out, p))), ...change.removed];
  process.stdout.write(
    formatVersionChanges(
      versionChanges(
        { paths: before, read },
        { paths: [...r.files.keys()], read: (p) => r.files.get(p) },
        pinnedVersions(),
      ),
    ),
  );
  process.stdout.write(
    `# ${summary(change)}${change.conflicts.length ? `, ${change.conflicts.length} not written by labctl (render needs --overwrite)` : ''}\n`,
  );
}
