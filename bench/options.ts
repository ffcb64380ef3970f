// The command line of a bench tool that takes one whole-number option, --help, and what follows `--`
// (bench/suite-timeline.ts, bench/cpu-by-program.ts): a bad option or bound is a usage error, exit 2.
import { parseArgs } from 'node:util';

/** Ends the tool: the message, and the usage after it for a usage error (exit 2). */
export function stop(message: string, usage: string, code = 2): never {
  process.stderr.write(`${message}\n${code === 2 ? `${usage}\n` : ''}`);
  process.exit(code);
}

/** `--NAME N` (a whole number >= 1, `dflt` when not given) and the positionals; --help prints the usage, exit 0. */
export function benchArgs(usage: string, name: string, dflt: number): { n: number; positionals: string[] } {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      options: { [name]: { type: 'string', default: String(dflt) }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    stop((e as Error).message, usage);
  }
  if (parsed.values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const n = Number(parsed.values[name]);
  if (!Number.isInteger(n) || n < 1) stop(`--${name} must be a whole number >= 1`, usage);
  return { n, positionals: parsed.positionals }; // parseArgs hands on what follows `--` as positionals
}
