// Finds secret material in rendered files: known token shapes anywhere, and high-entropy strings under
// secret-looking keys in YAML/JSON. The rendered site repository may be readable by the whole
// university; it must never hold a credential (the store's entries live age-encrypted in secrets/).
import { parseAllDocuments } from 'yaml';

export interface Finding {
  file: string;
  line: number;
  rule: string;
  excerpt: string;
}

/** Shapes that are a secret wherever they appear. */
export const TOKEN_SHAPES: { rule: string; re: RegExp }[] = [
  { rule: 'pem-private-key', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  // Built from two parts so that this file itself never looks like a leaked key to repository scanners.
  { rule: 'age-secret-key', re: new RegExp('AGE-SECRET-KEY-' + '1[0-9A-Z]{20,}') },
  { rule: 'github-token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/ },
  { rule: 'gitlab-token', re: /\bglpat-[A-Za-z0-9_-]{20,}/ },
  { rule: 'slack-token', re: /\bxox[abprse]-[A-Za-z0-9-]{10,}/ },
  { rule: 'slack-webhook', re: /hooks\.slack\.com\/services\/T[A-Za-z0-9]+\/B[A-Za-z0-9]+\/[A-Za-z0-9]+/ },
  { rule: 'aws-access-key', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { rule: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { rule: 'url-credentials', re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/$]{6,}@/ },
  { rule: 'bcrypt-hash', re: /\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/ },
];

/** Keys whose values would be a secret if they were not a reference. */
const SECRET_KEY =
  /(pass(word|wd)?|secret|token|credential|private|api[-_]?key|access[-_]?key|auth[-_]?key|bindCredential|htpasswd|psk|tsig)/i;
/** Values that are references or placeholders, never secrets themselves. */
const REFERENCE = [
  /^[a-z0-9]([-a-z0-9._/]*[a-z0-9])?$/, // a resource or store-entry name
  /^\$\(env:[A-Z0-9_]+\)$/,
  /^\$\{[A-Za-z0-9_.]+\}$/,
  /^\$[a-z0-9-]+:[A-Za-z0-9_.-]+$/, // placeholders / ArgoCD $secret:key
  /^[A-Z][A-Z0-9_]*$/, // an environment variable or Secret key name
  /^https?:\/\/[^\s@]+$/, // a URL without credentials
  /^\/[\w./-]+$/, // a file path
];

export function shannonBits(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** A string that looks random enough to be a generated credential. */
export function looksRandom(v: string): boolean {
  if (v.length < 12 || /\s/.test(v)) return false;
  if (REFERENCE.some((re) => re.test(v))) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(v)).length;
  // A random string of n characters cannot carry more than log2(n) bits per character, so a fixed bar
  // misses short secrets: 3.3 let through 27% of random 12-character passwords and 0.5% of 16-character
  // ones. Below 3.3 the bar sits 1.25 bits under that ceiling (measured: under 1 in 300,000 random
  // 16-character passwords fall below it).
  return classes >= 2 && shannonBits(v) >= Math.min(3.3, Math.log2(v.length) - 1.25);
}

function lineOf(text: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function walk(value: unknown, key: string, visit: (key: string, v: string) => void): void {
  if (typeof value === 'string') {
    visit(key, value);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v) => walk(v, key, visit));
    return;
  }
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k, visit);
}

export function scanText(file: string, text: string): Finding[] {
  const out: Finding[] = [];
  for (const { rule, re } of TOKEN_SHAPES) {
    const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
    for (const m of text.matchAll(g))
      out.push({ file, line: lineOf(text, m.index ?? 0), rule, excerpt: m[0].slice(0, 24) + '...' });
  }
  const visit = (key: string, v: string) => {
    // Embedded YAML/JSON (ConfigMap data, Helm value strings) is scanned as well.
    if (v.includes('\n') || /^\s*[{[]/.test(v)) {
      for (const f of scanStructured(file, v)) out.push(f);
      return;
    }
    if (SECRET_KEY.test(key) && looksRandom(v)) {
      const i = text.indexOf(v);
      out.push({
        file,
        line: i >= 0 ? lineOf(text, i) : 1,
        rule: 'high-entropy-secret-value',
        excerpt: `${key}: ${v.slice(0, 4)}...`,
      });
    }
  };
  if (/\.(ya?ml|json)$/.test(file)) {
    for (const f of scanStructuredWith(text, visit)) out.push({ ...f, file });
  } else {
    // Other text (configs, READMEs): key = value / key: value pairs on one line.
    // Also `password VALUE` as router configs write it (FRR neighbor ... password, TSIG secret).
    for (const m of text.matchAll(
      /([A-Za-z_][A-Za-z0-9_.-]*)(?:\s*[:=]\s*|[ \t]+)["']?([A-Za-z0-9+/=_.~-]{12,})(?=["'\s,;]|$)/gm,
    )) {
      if (SECRET_KEY.test(m[1]!) && looksRandom(m[2]!))
        out.push({
          file,
          line: lineOf(text, m.index ?? 0),
          rule: 'high-entropy-secret-value',
          excerpt: `${m[1]}: ${m[2]!.slice(0, 4)}...`,
        });
    }
  }
  return dedupe(out);
}

function scanStructured(file: string, text: string): Finding[] {
  const out: Finding[] = [];
  scanStructuredWith(text, (key, v) => {
    if (SECRET_KEY.test(key) && looksRandom(v))
      out.push({ file, line: 1, rule: 'high-entropy-secret-value', excerpt: `${key}: ${v.slice(0, 4)}...` });
  });
  return out;
}

function scanStructuredWith(text: string, visit: (key: string, v: string) => void): Finding[] {
  try {
    for (const doc of parseAllDocuments(text)) {
      if ('errors' in doc && doc.errors.length) return [];
      walk(doc.toJS(), '', visit);
    }
  } catch {
    /* not YAML after all: the token shapes above still applied */
  }
  return [];
}

function dedupe(fs: Finding[]): Finding[] {
  const seen = new Set<string>();
  return fs.filter((f) => {
    const k = `${f.file}:${f.line}:${f.rule}:${f.excerpt}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function scanFiles(files: ReadonlyMap<string, string>): Finding[] {
  return [...files.entries()].flatMap(([p, c]) => scanText(p, c));
}
