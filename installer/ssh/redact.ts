// Secrets learned at run time (join tokens, certificate keys) are registered here; every line labctl
// prints, every error and every journal entry goes through redact() so they never leave the process.
const secrets = new Set<string>();

/** Patterns that look like kubeadm secrets even before they are registered (e.g. in a remote error message). */
const PATTERNS: RegExp[] = [
  /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g, // bootstrap token id.secret
  /(--certificate-key[ =])[0-9a-f]{64}\b/g, // kubeadm certificate key
];

export function registerSecret(value: string): void {
  if (value.length >= 6) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  out = out.replace(PATTERNS[0]!, '***');
  out = out.replace(PATTERNS[1]!, '$1***');
  return out;
}
