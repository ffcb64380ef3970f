// Runs an ajv validator over a YamlSource and turns ajv's errors into located, readable diagnostics.
import type { Ajv2020, ErrorObject, Options, ValidateFunction } from 'ajv/dist/2020.js';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { nearName } from './near-name.ts';
import type { Diagnostic } from './diagnostics.ts';
import { formatPath } from './diagnostics.ts';
import type { PathSeg, YamlSource } from './yaml-source.ts';
import { CIDR4, DNS_LABEL, DNS_NAME, IPV4, SECRET_REF, TIME_HHMM } from './patterns.ts';

export const PATTERN_NAMES: Record<string, string> = {
  [IPV4]: 'an IPv4 address like 10.10.1.21',
  [CIDR4]: 'an IPv4 CIDR like 10.10.1.0/24',
  [DNS_LABEL]: 'an RFC 1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)',
  [DNS_NAME]: 'a DNS name like lab.example.edu (lowercase)',
  [SECRET_REF]: 'a secret-store entry name like bgp/tor-r1 (the name of a secret, never its value)',
  [TIME_HHMM]: 'a time HH:MM like 09:00',
  // Sizes, durations and logins of the inventory and the lab files (their schemas spell the same patterns).
  '^[1-9][0-9]*(Gi|Ti)$': 'a size in Gi or Ti like 30Gi (GB, G and M are not read)',
  '^([0-9]+(h|m|s))+$': 'a duration in hours, minutes and seconds like 720h (30 days) or 1h30m (there is no d unit)',
  '^[a-z0-9][-a-z0-9_.]*$':
    'a login name: lowercase letters, digits, "-", "_" and ".", starting with a letter or digit',
  // Dates, memory, keys and files of lab files and the inventory: said in words, not as the regular expression
  // (new-user trial: schedule.end "2027-15-02" was "not valid (pattern ^[0-9]{4}-(0[1-9]|1[0-2])-...)").
  '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$':
    'a date YYYY-MM-DD like 2027-02-15 (month 01-12, then the day; quoted in a lab file)',
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}$': 'a date YYYY-MM-DD like 2026-09-07',
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$': 'a local date and time YYYY-MM-DDTHH:MM like 2026-12-23T09:00',
  '^[1-9][0-9]*(Mi|Gi|Ti)$': 'a size in Mi, Gi or Ti like 4Gi (GB, G and M are not read)',
  '^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\\.com) [A-Za-z0-9+/=]+( .*)?$':
    'an SSH public key line like "ssh-ed25519 AAAAC3Nz... alice@laptop" (the whole line of the .pub file, never the private key)',
  '^/dev/disk/by-id/[A-Za-z0-9._:+@-]+$':
    'a disk by id like /dev/disk/by-id/nvme-SAMSUNG_MZQL21T9HCJR-00A07_S64GNE0T500001, not /dev/sdb (ls -l /dev/disk/by-id/ on the node lists them)',
  '^/\\S+$': 'an absolute path like /etc/motd, without spaces',
  '^0[0-7]{3}$': 'an octal file mode like 0644 (a leading 0, quoted)',
  '^[a-z_][-a-z0-9_]*:[a-z_][-a-z0-9_]*$': 'owner:group like root:root',
  '^SHA256:[A-Za-z0-9+/]{43}$':
    'a host key fingerprint like SHA256:... (43 characters after it), as ssh-keygen -lf prints it',
  '^v[0-9]+\\.[0-9]+\\.[0-9]+$': 'a version like v1.36.4',
  // The inventory's own names, URLs and addresses (new-user trial: site.name "CS_Lab" was "not valid (pattern ...)").
  '^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$':
    'a site name: at most 40 lowercase letters, digits and "-", starting and ending with a letter or digit, e.g. cs-lab',
  '^(https?://|ssh://|git@)\\S+$':
    'a Git URL like https://git.example.edu/platform/cs-lab-site.git (https://, ssh:// or git@host:path; no spaces)',
  '^https?://\\S+$': 'an http:// or https:// URL without spaces',
  '^https://\\S+$': 'an https:// URL without spaces',
  '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$':
    'the S3 endpoint as scheme and host[:port] only, like https://s3.campus.example.edu (the bucket goes in bucket:)',
  '^[^@\\s]+@[^@\\s]+$': 'an email address like jdoe@example.edu',
  '^[^:\\s]+:[0-9]{1,5}$': 'host:port like smtp.example.edu:587',
  '^([^@\\s]+@)?[^:@\\s]+(:[0-9]{1,5})?$': '[user@]host[:port] like ops@bastion.example.edu:22',
  '^[0-9]+(h|d|w|y)$': 'a retention like 15d (a number, then h, d, w or y)',
  '^[A-Za-z0-9._-]{1,15}$': 'a network interface name like eno1 (at most 15 characters, as ip link shows it)',
  // backup.target.bucket; the rules beyond the pattern (a..b, reserved names) are in inventory/rules/backup.ts.
  '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$':
    'an S3 bucket name: 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit, the name alone (no s3://, no /folder), e.g. labcloud-backups',
  // The rest, so no schema pattern reaches a user as a regular expression (test/core/pattern-names.test.ts
  // fails on a pattern without words).
  '^(https?|file)://\\S+$': 'an https://, http:// or file:// URL without spaces',
  '^[a-z0-9][a-z0-9.+-]+$': 'a Debian package name like containerd.io (lowercase letters, digits, ".", "+" and "-")',
  '^https?://[A-Za-z0-9._~:/%+-]+$':
    'a URL prefix like http://mirror.example.edu/labctl-releases (http:// or https://; letters, digits and ._~:/%+- only)',
  '^[a-z]+://\\S+$': 'a URL like ldaps://ldap.example.edu:636 (scheme://host, no spaces)',
  '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$':
    'a folder of the site repository like labs or courses/labs (relative, "/" between names, no spaces)',
  '^[a-z0-9-]+$': 'a region like us-east-1 (lowercase letters, digits and "-")',
  '^[A-Za-z0-9*,./:~ -]+$': 'a systemd OnCalendar expression like "*-*-* 00/6:00:00" (quoted)',
  '^[A-Za-z0-9 *?,./@+=_#-]+$': 'a cron expression like "0 3 * * *" (five fields, UTC) or @daily (quoted)',
  '^[^\\x00-\\x1f\\x7f]+$': 'one line of text without control characters (tabs and line breaks included)',
  '^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$':
    'an image of the catalog like ubuntu-24.04 (the folder name under images/: lowercase letters, digits, "-" and ".")',
  '^[A-Za-z0-9][A-Za-z0-9+._:=-]*$':
    'a package name like nginx or python3=3.12.3-0ubuntu1 (starting with a letter or digit; then letters, digits, "+", ".", "_", ":", "=" and "-")',
  '^[a-z0-9]+([.-][a-z0-9]+)*$':
    'an image name like ubuntu-24.04 (lowercase letters and digits, separated by single "-" or ".")',
  '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$':
    'a version tag like 2026.09.1 (letters, digits, "_", "." and "-"; at most 128)',
  '^[0-9a-f]{64}$': "a SHA-256 as 64 lowercase hex digits, as in the publisher's SHA256SUMS",
  '^[a-z_][a-z0-9_-]{0,31}$': 'a Linux user name like ubuntu (lowercase, at most 32 characters)',
  '^[A-Za-z0-9][A-Za-z0-9._-]*$': 'a file name next to image.yaml like user-data.yaml (no "/")',
  '^[A-Za-z0-9][A-Za-z0-9+._:-]*$':
    'a package name like nginx (starting with a letter or digit; then letters, digits, "+", ".", "_", ":" and "-")',
  '^/[^:]*$': 'an absolute path like /etc/motd, without ":"',
};

/** The options every validator is compiled with, at run time and in the precompiled modules alike. */
export const AJV_OPTIONS: Options = { allErrors: true, strict: true, allowUnionTypes: true, verbose: true };

let shared: Ajv2020 | undefined;
/** One ajv instance for the process, loaded only when a schema has no fresh precompiled validator. */
export function ajv(): Ajv2020 {
  // require, not import: compile() is synchronous, and most runs never need ajv's compiler at all.
  const { Ajv2020: Ajv } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  shared ??= new Ajv(AJV_OPTIONS);
  return shared;
}

/** Names a schema by its content: a precompiled validator is used only for the very schema it was made from. */
export function schemaKey(schema: object): string {
  return 'v' + createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 20);
}

/** Validators generated by `npm run schema` (installer/validators/), keyed by schemaKey. */
export type Precompiled = Readonly<Record<string, ValidateFunction>>;

const compiled = new Map<object, ValidateFunction>();
/**
 * The validator of a schema: the precompiled one when `precompiled` holds one made from this exact
 * schema (compiling is the expensive part of a start), otherwise compiled here, once per process.
 * A schema edited without `npm run schema` is therefore still checked correctly, only slower (and a
 * test fails until the generated modules are regenerated).
 */
export function compile(schema: object, precompiled?: Precompiled): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = precompiled?.[schemaKey(schema)] || ajv().compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

export function pointerToPath(pointer: string): PathSeg[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function getAt(data: unknown, path: readonly PathSeg[]): unknown {
  let cur: unknown = data;
  for (const seg of path) cur = cur == null ? undefined : (cur as Record<PathSeg, unknown>)[seg];
  return cur;
}

const SHOWN_CHARS = 80;

export const show = (v: unknown): string => {
  // A long value is cut: the message names its place, and one line stays readable (a 30,000-character
  // schedule made a 30,000-character error line).
  if (typeof v === 'string')
    return v.length > SHOWN_CHARS
      ? `${JSON.stringify(v.slice(0, SHOWN_CHARS))}... (${v.length} characters)`
      : JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
};

const typeName = (t: string) =>
  (
    ({
      object: 'a mapping',
      array: 'a list',
      string: 'a string',
      integer: 'an integer',
      number: 'a number',
      boolean: 'true or false',
    }) as Record<string, string>
  )[t] ?? t;

const UNKNOWN_KEY = 'unknown key ';
/** A finding of schemaDiagnostics for a key the schema does not have (its path is the key's). */
export const isUnknownKey = (d: Diagnostic): boolean => d.message.startsWith(UNKNOWN_KEY);

export function schemaDiagnostics(source: YamlSource, validate: ValidateFunction): Diagnostic[] {
  if (validate(source.data)) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const err of validate.errors ?? []) {
    const d = describe(source, err);
    const k = `${d.line}:${d.col}:${d.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(d);
    }
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

function describe(source: YamlSource, err: ErrorObject): Diagnostic {
  const path = pointerToPath(err.instancePath);
  const value = getAt(source.data, path);
  const base = { severity: 'error' as const, file: source.file };
  const at = (p: PathSeg[], key = false) => ({ ...base, ...source.locate(p, { key }), path: formatPath(p) });
  // biome-ignore lint/suspicious/noExplicitAny: ajv's params differ per keyword; each case below reads its own
  const params = err.params as Record<string, any>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = nearName(key, allowed);
      return {
        ...at([...path, key], true),
        message: `${UNKNOWN_KEY}${JSON.stringify(key)}; expected one of: ${allowed.join(', ')}`,
        hint: guess ? `did you mean "${guess}"?` : undefined,
      };
    }
    case 'required':
      return { ...at(path, true), message: `missing required key "${params.missingProperty}"` };
    case 'type':
      return {
        ...at(path),
        message: `expected ${typeName(String(params.type))}, got ${show(value)}`,
        // `title: 12345`, `version: 1.10`, `name: null`: YAML typed what the user meant as text.
        hint:
          params.type === 'string' && (value === null || ['number', 'boolean'].includes(typeof value))
            ? `unquoted, YAML reads it as ${value === null ? 'null' : typeof value === 'number' ? 'a number' : 'true or false'}; write it in quotes to make it a string`
            : undefined,
      };
    case 'pattern': {
      const name = PATTERN_NAMES[String(params.pattern)];
      return { ...at(path), message: `${show(value)} is not ${name ?? `valid (pattern ${params.pattern})`}` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const guess = typeof value === 'string' ? nearName(value, allowed) : undefined;
      return {
        ...at(path),
        message: `${show(value)} is not one of: ${allowed.join(', ')}`,
        hint: guess ? `did you mean "${guess}"?` : undefined,
      };
    }
    case 'const':
      return { ...at(path), message: `${show(value)} is not supported; expected ${show(params.allowedValue)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        ...at(path),
        message: `${show(value)} is out of range; expected a number ${params.comparison} ${params.limit}`,
      };
    case 'minItems':
      return {
        ...at(path),
        message: `expected at least ${params.limit} item(s), got ${Array.isArray(value) ? value.length : 0}`,
      };
    case 'maxLength':
    case 'minLength':
      return { ...at(path), message: `${show(value)} ${err.message}` };
    case 'uniqueItems':
      return {
        // Ajv's i is the first listing, j the later one: shown at the later (the one likely added), counting up.
        ...at([...path, params.j]),
        message: `${show(getAt(value, [params.j]))} is listed twice (items ${params.i} and ${params.j})`,
      };
    default:
      return { ...at(path), message: `${show(value)}: ${err.message ?? err.keyword}` };
  }
}
