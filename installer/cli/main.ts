// labctl's command line: parses arguments, calls one command function, and is the only place that
// catches errors and sets the exit code (0 ok, 1 a problem found, 2 usage error, 3 internal error, 130 interrupted).
import { Command, CommanderError } from 'commander';
import { ExitError, Interrupted, UsageError } from '../core/diagnostics.ts';
import { printDiagnostics } from './output.ts';
import { showControls } from '../core/show-controls.ts';
import { registerCommands } from './commands/index.ts';
import { fileSystemMessage } from './fs-errors.ts';
import { labctlVersion } from '../core/build-info.ts';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_INVENTORY, takesSiteOut } from './options.ts';
import { shellWord } from '../core/shell-words.ts';

export function buildProgram(): Command {
  const program = new Command('labctl')
    .description(
      'Campus Lab Platform installer: inventory -> validate -> plan/apply over SSH, and render -> GitOps repo -> ArgoCD',
    )
    .version(labctlVersion())
    .showHelpAfterError('(run labctl --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCommands(program);
  // -r DIR or -o DIR without -i, run from outside the site repository: the inventory is the one in DIR
  // (the site repository is the folder that holds it), not ./inventory.yaml, which does not exist there.
  program.hook('preAction', (_top, cmd) => {
    const o = cmd.opts() as { inventory?: unknown; repo?: unknown; out?: unknown };
    checkFolderFlag(cmd, 'repo', '-r', 'names the site repository, the folder that holds');
    // -o FILE with -i is the file system's refusal (render-fs-errors); without -i, the inventory was sought there.
    // Only the site folder's -o: kubeconfig -o names the file it writes (an existing one with --replace-file).
    if (cmd.getOptionValueSource('inventory') !== 'cli' && takesSiteOut(cmd))
      checkFolderFlag(cmd, 'out', '-o', 'names the folder to write the site repository into, the one that holds');
    const dir = [o.repo, o.out].find((d): d is string => typeof d === 'string');
    if (cmd.getOptionValueSource('inventory') !== 'default' || typeof o.inventory !== 'string' || !dir) return;
    const inDir = join(dir, DEFAULT_INVENTORY);
    if (!existsSync(o.inventory) && existsSync(inDir)) cmd.setOptionValueWithSource('inventory', inDir, 'implied');
  });
  // A usage error points to the help of the command that was run, not to the top-level list.
  const walk = (cmd: Command, path: string) => {
    // Set before the subcommand parses its options: an option's parser may throw the UsageError.
    if (cmd.commands.length)
      cmd.hook('preSubcommand', (_c, sub) => {
        running = commandPath(sub);
      });
    for (const sub of cmd.commands) {
      const p = `${path} ${sub.name()}`;
      sub.showHelpAfterError(`(run ${p} --help for usage)`);
      walk(sub, p);
    }
  };
  walk(program, 'labctl');
  return program;
}

/**
 * -r DIR (and render's -o DIR) name a folder. A typo (-r cs-lab for cs-lab-site) or the inventory itself
 * (-r site/inventory.yaml) was reported as "inventory.yaml: no such file", or as a site without a store
 * whose fix was "secrets init" (a second store in the wrong place). Said as what it is, with the flag.
 */
function checkFolderFlag(cmd: Command, key: 'repo' | 'out', flag: string, what: string): void {
  const dir = (cmd.opts() as Record<string, unknown>)[key];
  if (cmd.getOptionValueSource(key) !== 'cli' || typeof dir !== 'string') return;
  if (!existsSync(dir)) {
    // render -o makes its folder; secrets init -r makes the store's.
    if (key === 'out' || (cmd.name() === 'init' && cmd.parent?.name() === 'secrets')) return;
    const here = existsSync(DEFAULT_INVENTORY) ? ` (this folder holds ${DEFAULT_INVENTORY}: ${flag} .)` : '';
    throw new UsageError(`${flag} ${dir}: no such folder; ${flag} ${what} ${DEFAULT_INVENTORY}${here}`);
  }
  if (!statSync(dir).isDirectory())
    throw new UsageError(
      `${flag} ${dir} is a file, not a folder; ${flag} ${what} ${DEFAULT_INVENTORY} (for this file's folder: ${flag} ${shellWord(dirname(dir))})`,
    );
}

/**
 * The exit code of an error the user can act on: decided here only. Library code throws a kind
 * (Problem, UsageError, Interrupted: installer/core/diagnostics.ts); an ExitError with its own code is
 * installer/cli's choice.
 */
export function exitCodeOf(e: ExitError): number {
  if (e instanceof UsageError) return 2;
  if (e instanceof Interrupted) return 130;
  return e.code; // Problem: 1
}

/** The command whose action runs (for the usage hint of a UsageError it throws). */
let running = 'labctl';
const commandPath = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd, i = 0; c && i < 8; c = c.parent, i++) names.unshift(c.name());
  return names.join(' ');
};

/** A reader that stopped reading (`labctl diff | head`) is not an error: stop quietly, like other tools. */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      else throw e;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and --version exit through here with code 0; everything else is a usage error.
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    }
    if (e instanceof ExitError) {
      if (e.diagnostics.length) printDiagnostics(e.diagnostics);
      if (e.message) process.stderr.write(`labctl: ${showControls(e.message, { multiline: true })}\n`);
      if (e instanceof UsageError) process.stderr.write(`(run ${running} --help for usage)\n`);
      return exitCodeOf(e);
    }
    // Ctrl+C or Ctrl+D at a prompt (labctl init, a passphrase): the user's choice, not a labctl bug.
    if ((e as Error)?.name === 'AbortError' || (e as NodeJS.ErrnoException)?.code === 'ABORT_ERR') {
      process.stderr.write('labctl: aborted; nothing was written\n');
      return 130;
    }
    // A file system refusal (a file where a folder should be, no permission, read-only, disk full) is the
    // machine's state, not a labctl bug: say which path and why, exit 1.
    const fsMessage = fileSystemMessage(e);
    if (fsMessage) {
      process.stderr.write(`labctl: ${showControls(fsMessage)}\n`); // the path may be a lab file's name
      return 1;
    }
    process.stderr.write(
      `labctl: internal error: ${showControls((e as Error)?.stack ?? String(e), { multiline: true })}\n` +
        'This is a bug in labctl, not in your input. Please report it with the command you ran.\n',
    );
    return 3;
  }
}

// Run when executed as the CLI (bin/labctl.js imports this module).
if (process.argv[1] && /labctl(\.js)?$/.test(process.argv[1])) {
  process.exitCode = await main(process.argv.slice(2));
}
