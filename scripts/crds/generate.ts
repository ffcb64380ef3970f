// Generates installer/render/schemas/generated/<source>.ts from the pinned upstream CRDs stored under
// scripts/crds/upstream/<source>/<version>/ (gzip, byte-exact upstream files, checked against SHA256SUMS).
//   npx tsx scripts/crds/generate.ts                     regenerate every source
//   npx tsx scripts/crds/generate.ts --check             exit 1 when a generated file is stale
//   npx tsx scripts/crds/generate.ts --import <source> <dir>   store downloaded upstream files (maintainer)
//   npx tsx scripts/crds/generate.ts --import <source>         make them from the Go module (sources with an importer)
//   npx tsx scripts/crds/generate.ts --check-import <source>   make them again and compare with the stored bytes
// No network: the maintainer imports the files once (scripts/crds/README.md); CI only reads them.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { repoPath } from '../../installer/core/paths.ts';
import { pinnedVersions } from '../../installer/core/versions.ts';
import { crdSchemas, type CrdVersionSchema } from './convert.ts';
import { importFromGo } from './go-import.ts';
import { SOURCES, type CrdShell, type CrdSource } from './sources.ts';

export const outputPath = (s: CrdSource) => repoPath('installer/render/schemas/generated', `${s.name}.ts`);
export const inputDir = (s: CrdSource, version: string) => repoPath('scripts/crds/upstream', s.name, version);

/** The upstream tag of a source's files: the version pinned in gitops/versions.yaml (or the tag it maps to). */
export function pinOf(s: CrdSource): string {
  const pin = pinnedVersions().components[s.pin];
  if (!pin) throw new Error(`gitops/versions.yaml: components.${s.pin} is missing (CRD source ${s.name})`);
  return s.ref ? s.ref(pin.version) : pin.version;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** SHA256SUMS lines `<hex>  <file>` (sha256sum's format, of the uncompressed upstream file). */
function readSums(dir: string): Map<string, string> {
  const path = join(dir, 'SHA256SUMS');
  if (!existsSync(path))
    throw new Error(`${relative(repoPath(), path)}: missing; import the upstream files first (scripts/crds/README.md)`);
  const sums = new Map<string, string>();
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      const m = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
      if (!m) throw new Error(`${relative(repoPath(), path)}:${i + 1}: expected "<sha256>  <file>"`);
      sums.set(m[2]!, m[1]!);
    });
  return sums;
}

/** The upstream files of a source at a version, each checked against its recorded sha256. */
export function readInputs(
  s: CrdSource,
  version: string,
  dir = inputDir(s, version),
): { file: string; sha256: string; text: string }[] {
  const sums = readSums(dir);
  return s.files.map((file) => {
    const gz = join(dir, `${file}.gz`);
    if (!existsSync(gz))
      throw new Error(`${relative(repoPath(), gz)}: missing input of CRD source ${s.name} ${version}`);
    const text = gunzipSync(readFileSync(gz));
    const want = sums.get(file);
    if (!want) throw new Error(`${relative(repoPath(), join(dir, 'SHA256SUMS'))}: no line for ${file}`);
    const got = sha256(text);
    if (got !== want)
      throw new Error(
        `${relative(repoPath(), gz)}: sha256 ${got} does not match SHA256SUMS (${want}); the stored upstream file was changed`,
      );
    return { file, sha256: got, text: text.toString('utf8') };
  });
}

/** A CRD around a bare `openAPIV3Schema` document, as the upstream Go code builds it (sources.ts `shells`). */
export function wrapSchema(shell: CrdShell, schema: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${shell.plural}.${shell.group}` },
    spec: {
      group: shell.group,
      names: {
        kind: shell.kind,
        plural: shell.plural,
        singular: shell.singular,
        ...(shell.shortNames ? { shortNames: shell.shortNames } : {}),
        ...(shell.categories ? { categories: shell.categories } : {}),
      },
      scope: shell.scope,
      versions: shell.versions.map(({ status, ...v }) => ({
        ...v,
        schema,
        ...(status ? { subresources: { status: {} } } : {}),
      })),
    },
  };
}

/** The CustomResourceDefinitions of one input file (a YAML stream of CRDs, or a bare schema in its shell). */
function crdsOfFile(s: CrdSource, file: string, text: string): Record<string, unknown>[] {
  const docs = parseAllDocuments(text).map((d, i) => {
    if (d.errors.length) throw new Error(`${file} (document ${i + 1}): ${d.errors[0]!.message}`);
    return d.toJS() as Record<string, unknown> | null;
  });
  const shell = s.shells?.[file];
  if (shell) {
    if (docs.length !== 1 || !docs[0]?.openAPIV3Schema)
      throw new Error(`${file}: expected one document with openAPIV3Schema (a shell in sources.ts wraps it)`);
    return [wrapSchema(shell, docs[0])];
  }
  return docs.filter((d): d is Record<string, unknown> => !!d && d.kind === 'CustomResourceDefinition');
}

/** Every CRD schema of a source, in input order. */
export function schemasOf(
  s: CrdSource,
  version: string,
): { file: string; sha256: string; schemas: CrdVersionSchema[] }[] {
  return readInputs(s, version).map(({ file, sha256: sum, text }) => {
    const docs = crdsOfFile(s, file, text);
    if (!docs.length) throw new Error(`${file}: no CustomResourceDefinition in it`);
    const schemas = docs.flatMap((d) => crdSchemas(d, s.versions));
    return { file, sha256: sum, schemas: s.kinds ? schemas.filter((x) => s.kinds!.includes(x.key)) : schemas };
  });
}

/** Removes the subtree at a dotted path (`a.b[].c`) of a converted schema; throws when the path is not there. */
function omitPath(schema: Record<string, unknown>, path: string, key: string): void {
  const parts = path.split('.');
  let node = schema;
  for (const [i, part] of parts.entries()) {
    const name = part.replace(/\[\]$/, '');
    const props = node.properties as Record<string, Record<string, unknown>> | undefined;
    if (!props?.[name]) throw new Error(`omit ${key} ${path}: no property ${parts.slice(0, i + 1).join('.')}`);
    if (i === parts.length - 1) {
      delete props[name];
      if (Array.isArray(node.required)) node.required = (node.required as string[]).filter((r) => r !== name);
      return;
    }
    node = part.endsWith('[]') ? (props[name]!.items as Record<string, unknown>) : props[name]!;
  }
}

/** The upstream CustomResourceDefinitions themselves (for a real API server: CEL rules, formats, defaults). */
export function upstreamCrds(s: CrdSource): Record<string, unknown>[] {
  return readInputs(s, pinOf(s)).flatMap(({ file, text }) => crdsOfFile(s, file, text));
}

const constName = (name: string) => `${name.replace(/[^a-z0-9]+/gi, '_').toUpperCase()}_SCHEMAS`;

/** The generated module's text: deterministic (no dates), so `--check` and the test compare bytes. */
export function generatedText(s: CrdSource): string {
  const version = pinOf(s);
  const inputs = schemasOf(s, version);
  const all = inputs.flatMap((i) => i.schemas);
  const missing = (s.kinds ?? []).filter((k) => !all.some((x) => x.key === k));
  if (missing.length) throw new Error(`CRD source ${s.name}: kinds ${missing.join(', ')} are not in the inputs`);
  for (const [key, paths] of Object.entries(s.omit ?? {})) {
    const x = all.find((a) => a.key === key);
    if (!x) throw new Error(`CRD source ${s.name}: omit names ${key}, which the inputs do not define`);
    for (const p of paths) omitPath(x.schema, p, key);
  }
  const keys = all.map((x) => x.key);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) throw new Error(`CRD source ${s.name}: ${dup} defined twice`);
  const cel = all.reduce((n, x) => n + x.dropped.celRules, 0);
  const formats = [...new Set(all.flatMap((x) => x.dropped.formats))].sort();
  const patterns = all.reduce((n, x) => n + x.dropped.patterns, 0);
  const body = Object.fromEntries(all.map((x) => [x.key, x.schema]));
  return [
    '// GENERATED by scripts/crds/generate.ts: do not edit. Regenerate with `npx tsx scripts/crds/generate.ts`.',
    `// Source: ${s.upstream}, tag ${version} (pin: gitops/versions.yaml components.${s.pin} ${pinnedVersions().components[s.pin]!.version}), ${s.versions} versions:`,
    ...inputs.map(
      (i) => `//   ${s.origin(version, i.file)}\n//     sha256 ${i.sha256}: ${i.schemas.map((x) => x.key).join(', ')}`,
    ),
    '// Carried over: types, enums, patterns, lengths, ranges, required fields, int-or-string, nullable;',
    '// objects closed unless upstream preserves unknown fields; metadata from platform/crd-schema.ts; status left out.',
    `// Left to the API server (ajv cannot check them): ${cel} CEL rules${formats.length ? `, formats ${formats.join(', ')}` : ''}${patterns ? `, ${patterns} RE2 patterns with no JavaScript form` : ''}.`,
    '// RE2 (?i) patterns are carried over with letters spelled [xX].',
    ...Object.entries(s.omit ?? {}).map(
      ([k, p]) => `// Left out of ${k} (refused if written; scripts/crds/sources.ts): ${p.join(', ')}.`,
    ),
    "import type { Schema } from '../../../inventory/schema/dsl.ts';",
    '',
    `export const ${constName(s.name)}: Record<string, Schema> = ${JSON.stringify(body, null, 2)};`,
    '',
  ].join('\n');
}

/**
 * Stores upstream files (plain YAML in `from`) as the inputs of the pinned version; `origin` lines (what
 * an importer made them from) go to ORIGIN beside them.
 */
export function importInputs(s: CrdSource, from: string, origin: string[] = []): string {
  const version = pinOf(s);
  const dir = inputDir(s, version);
  mkdirSync(dir, { recursive: true });
  const lines = s.files.map((file) => {
    const text = readFileSync(join(from, file));
    writeFileSync(join(dir, `${file}.gz`), gzipSync(text, { level: 9 }));
    return `${sha256(text)}  ${file}`;
  });
  writeFileSync(join(dir, 'SHA256SUMS'), lines.join('\n') + '\n');
  if (origin.length) writeFileSync(join(dir, 'ORIGIN'), origin.join('\n') + '\n');
  return dir;
}

if (process.argv[1]?.endsWith('crds/generate.ts')) {
  const args = process.argv.slice(2);
  try {
    if (args[0] === '--check-import') {
      const s = SOURCES.find((x) => x.name === args[1] && x.importer);
      if (!s)
        throw new Error(
          `usage: --check-import <${SOURCES.filter((x) => x.importer)
            .map((x) => x.name)
            .join('|')}>`,
        );
      const made = importFromGo(s.importer!, pinOf(s), s.files);
      const stored = new Map(readInputs(s, pinOf(s)).map((i) => [i.file, i.sha256]));
      const differ = s.files.filter((f) => sha256(readFileSync(join(made.dir, f))) !== stored.get(f));
      for (const f of s.files) process.stdout.write(`${differ.includes(f) ? 'DIFFERS' : 'same   '} ${f}\n`);
      process.exitCode = differ.length ? 1 : 0;
    } else if (args[0] === '--import') {
      const s = SOURCES.find((x) => x.name === args[1]);
      if (!s || (!args[2] && !s.importer))
        throw new Error(`usage: --import <${SOURCES.map((x) => x.name).join('|')}> <folder with the downloaded files>`);
      const made = args[2] ? { dir: args[2], origin: [] } : importFromGo(s.importer!, pinOf(s), s.files);
      process.stdout.write(
        `stored ${s.files.length} files in ${relative(repoPath(), importInputs(s, made.dir, made.origin))}\n`,
      );
    } else {
      let stale = 0;
      for (const s of SOURCES) {
        const text = generatedText(s);
        const path = outputPath(s);
        const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
        if (current === text) continue;
        if (args.includes('--check')) {
          stale++;
          process.stderr.write(`${relative(repoPath(), path)} is stale: run npx tsx scripts/crds/generate.ts\n`);
          continue;
        }
        mkdirSync(repoPath('installer/render/schemas/generated'), { recursive: true });
        writeFileSync(path, text);
        process.stdout.write(`wrote ${relative(repoPath(), path)}\n`);
      }
      process.exitCode = stale ? 1 : 0;
    }
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
