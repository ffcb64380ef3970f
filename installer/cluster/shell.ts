// How values reach a step script (security boundary 4: inventory values never become shell code).
// Every value a step template writes goes through one of two helpers:
//   {{sq value}}       a single-quoted shell word: bash takes it literally, whatever it contains;
//   {{heredoc text}}   the body of a quoted here-document (<<'LABCTL_EOF'), refused at render time when a
//                      line of it would end the here-document early.
// Run-time values (join secrets, the site CA) arrive as variable assignments built by runtimeAssignment(),
// each checked against a strict pattern first. test/security/shell-injection.test.ts runs the rendered
// scripts under real bash with shell metacharacters in every string field.
import { handlebars } from '../render/text.ts';
import { Problem } from '../core/diagnostics.ts';

export const HEREDOC_END = 'LABCTL_EOF';

/** One shell word that bash reads back as exactly `value` (single quotes; a ' becomes '\''). */
export function shellQuote(value: unknown): string {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

/** Text for a <<'LABCTL_EOF' here-document; a line equal to the terminator would end it early and run the rest. */
export function heredocBody(text: unknown): string {
  const s = String(text);
  if (s.split('\n').some((l) => l === HEREDOC_END)) {
    throw new Error(
      `a value contains a line "${HEREDOC_END}", which would end a here-document of a step script: refused`,
    );
  }
  return s.endsWith('\n') ? s : `${s}\n`;
}

handlebars.registerHelper('sq', (v: unknown) => shellQuote(v));
handlebars.registerHelper('heredoc', (v: unknown) => heredocBody(v));

/** Strict shapes of the run-time values a step receives (from the first control plane or the secret store). */
export const RUNTIME_PATTERNS = {
  joinToken: /^[a-z0-9]{6}\.[a-z0-9]{16}$/,
  certificateKey: /^[a-f0-9]{64}$/,
  caCertHash: /^sha256:[a-f0-9]{64}$/,
  siteCaCert: /^(-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n)+$/,
  // S3 keys and restic's password: printable ASCII without blanks (single-quoted again in the env file).
  backupS3AccessKey: /^[!-~]{1,256}$/,
  backupS3SecretKey: /^[!-~]{1,256}$/,
  backupEtcdPassword: /^[!-~]{16,256}$/,
} as const;

/** `NAME='value'` for the top of a script; refuses a value that does not have the expected shape. */
export function runtimeAssignment(name: keyof typeof RUNTIME_PATTERNS, variable: string, value: string): string {
  if (!RUNTIME_PATTERNS[name].test(value))
    throw new Error(`run-time value ${name} does not have the expected form; refused`);
  return `${variable}=${shellQuote(value)}\n`;
}

/**
 * Values that go into a configuration language with no escaping of its own (apt.conf, sources.list) must
 * match a strict pattern; anything else stops the plan with the field named (apt runs APT::*::Pre-Invoke
 * hooks through sh, so a quote in the proxy URL would be code).
 */
export function strictValue(
  site: { file: string },
  field: string,
  value: string,
  pattern: RegExp,
  expected: string,
): string {
  if (!pattern.test(value))
    throw new Problem(
      `${site.file}: ${field}: ${JSON.stringify(value)} is not ${expected}; refused (it would reach a node's configuration)`,
    );
  return value;
}
export const PROXY_URL = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?\/?$/;
export const REPO_URL = /^(https?|file):\/\/[A-Za-z0-9._~:/%+@-]*$/;
