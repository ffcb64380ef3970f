// Makes the input files of a CRD source whose upstream keeps its CRDs in Go rather than as release YAML
// (KubeVirt's VirtualMachine and instance types, CDI's kinds), from the pinned Go module fetched through the
// Go module proxy (checksum-verified by the go command). Maintainer step, run by `generate.ts --import`;
// CI never runs it (it reads the stored result). Two ways, as upstream itself makes them:
//  - go-strings: copy the YAML raw strings of a Go map (kubevirt's validations_generated.go) byte for byte;
//  - controller-gen: run the controller-gen release upstream pins on the upstream API module (CDI's
//    hack/update-codegen.sh does this, then embeds the output in pkg/operator/resources/crds_generated.go).
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

/** Take the YAML raw strings `"<key>": \`...\`` of a Go `map[string]string` literal; files are `<key>.yaml`. */
export interface GoStringsImporter {
  kind: 'go-strings';
  /** Go module path (its version: the source's upstream tag). */
  module: string;
  /** The Go file inside the module. */
  path: string;
  /** The map variable, e.g. CRDsValidation. */
  variable: string;
}

/** Run controller-gen (a pinned release) over packages of a Go module; files are controller-gen's output names. */
export interface ControllerGenImporter {
  kind: 'controller-gen';
  module: string;
  /** controller-gen release, e.g. v0.17.2 (the one upstream's build image installs). */
  tool: string;
  /** controller-gen arguments, without output:dir. */
  args: string[];
}

export type Importer = GoStringsImporter | ControllerGenImporter;

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Runs `go` in an empty folder (no go.mod around it to pick up), modules from the proxy, no workspace. */
function go(args: string[], cwd: string): string {
  return execFileSync('go', args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, GOFLAGS: '-mod=mod', GOWORK: 'off' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** The module's extracted folder and go.sum hash, after `go mod download` (which verifies it against sum.golang.org). */
export function goModule(module: string, version: string): { dir: string; sum: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'crd-gomod-'));
  try {
    const info = JSON.parse(go(['mod', 'download', '-json', `${module}@${version}`], cwd)) as {
      Dir?: string;
      Sum?: string;
      Error?: string;
    };
    if (info.Error || !info.Dir || !info.Sum) throw new Error(`go mod download ${module}@${version}: ${info.Error}`);
    return { dir: info.Dir, sum: info.Sum };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/**
 * The entries of a Go `var <variable> map[string]string = map[string]string{ "k": \`...\`, }` literal, each
 * value exactly as the raw string holds it (a backquote inside is written \` + "\`" + \` in Go).
 */
export function goStrings(text: string, variable: string): Map<string, string> {
  const start = text.indexOf(`var ${variable} map[string]string = map[string]string{\n`);
  if (start < 0) throw new Error(`no map literal var ${variable} map[string]string`);
  const body = text.slice(start);
  const end = body.indexOf('\n}\n');
  const out = new Map<string, string>();
  for (const m of body.slice(0, end).matchAll(/^\t"([^"\n]+)": `((?:[^`]|` \+ "`" \+ `)*)`,$/gm))
    out.set(m[1]!, m[2]!.replaceAll('` + "`" + `', '`'));
  if (!out.size) throw new Error(`var ${variable}: no "<key>": \`...\` entries`);
  return out;
}

/**
 * Writes the source's files into a new folder and returns it with the lines of its ORIGIN note (module,
 * version, go.sum hash, and what was taken from it).
 */
export function importFromGo(imp: Importer, version: string, files: string[]): { dir: string; origin: string[] } {
  const mod = goModule(imp.module, version);
  const out = mkdtempSync(join(tmpdir(), 'crd-import-'));
  const origin = [`module ${imp.module} ${version} ${mod.sum} (go.sum hash, checked by the go command)`];
  if (imp.kind === 'go-strings') {
    const text = readFileSync(join(mod.dir, imp.path), 'utf8');
    const strings = goStrings(text, imp.variable);
    origin.push(`file ${imp.path} sha256 ${sha256(text)}: the raw strings of ${imp.variable}[<file without .yaml>]`);
    for (const f of files) {
      const key = f.replace(/\.yaml$/, '');
      const v = strings.get(key);
      if (v === undefined) throw new Error(`${imp.path}: ${imp.variable} has no entry "${key}" (for ${f})`);
      writeFileSync(join(out, f), v);
    }
    return { dir: out, origin };
  }
  // controller-gen loads the packages from a writable copy of the module (the module cache is read-only).
  const work = mkdtempSync(join(tmpdir(), 'crd-cgen-'));
  try {
    cpSync(mod.dir, work, { recursive: true });
    const writable = (p: string): void => {
      chmodSync(p, statSync(p).isDirectory() ? 0o755 : 0o644);
      if (statSync(p).isDirectory()) for (const e of readdirSync(p)) writable(join(p, e));
    };
    writable(work);
    const gen = join(work, '.controller-gen-out');
    go(['run', `sigs.k8s.io/controller-tools/cmd/controller-gen@${imp.tool}`, ...imp.args, `output:dir=${gen}`], work);
    origin.push(
      `made by sigs.k8s.io/controller-tools/cmd/controller-gen@${imp.tool} ${imp.args.join(' ')} in the module's folder`,
    );
    for (const f of files) cpSync(join(gen, f), join(out, f));
    return { dir: out, origin };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
