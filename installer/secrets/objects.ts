// From the components' SecretNeeds and the store's values to the Kubernetes Secrets `secrets apply`
// sends. Pure: testable without an API server, and the same input gives the same objects.
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Problem } from '../core/diagnostics.ts';
import type { SecretNeed } from '../render/model.ts';
import { awsCredentialsFile, htpasswdLine } from './generate.ts';

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'labctl-secrets' };

/** A key computed from other entries when the Secret is built (never stored, never generated). */
export const isDerived = (n: SecretNeed): boolean =>
  n.generate.kind === 'htpasswd' || n.generate.kind === 'aws-credentials';

/** The store entries one need reads: its own, or the sources of a derived key. */
export function entriesOf(n: SecretNeed): string[] {
  const g = n.generate;
  return g.kind === 'htpasswd' ? [g.from] : g.kind === 'aws-credentials' ? [g.accessKey, g.secretKey] : [n.ref];
}

/** Store entries the needs read (derived keys read their sources). */
export function entriesNeeded(needs: SecretNeed[]): string[] {
  return [...new Set(needs.flatMap(entriesOf))].sort();
}

function plainValue(n: SecretNeed, values: ReadonlyMap<string, string>): string {
  const g = n.generate;
  if (g.kind === 'htpasswd') return htpasswdLine(g.user, values.get(g.from)!);
  if (g.kind === 'aws-credentials') {
    try {
      return awsCredentialsFile(values.get(g.accessKey)!, values.get(g.secretKey)!);
    } catch (e) {
      throw new Problem(
        `Secret ${n.namespace}/${n.name} key ${n.key} (${g.accessKey}, ${g.secretKey}): ${(e as Error).message}`,
      );
    }
  }
  return values.get(n.ref)!;
}

/** Groups needs by target Secret; the same key fed from two different entries is a component bug. */
export function groupNeeds(needs: SecretNeed[]): Map<string, SecretNeed[]> {
  const groups = new Map<string, SecretNeed[]>();
  for (const n of needs) {
    const id = `${n.namespace}/${n.name}`;
    const g = groups.get(id) ?? [];
    const clash = g.find((o) => o.key === n.key && (o.ref !== n.ref || o.generate.kind !== n.generate.kind));
    if (clash) throw new Problem(`Secret ${id} key ${n.key} is fed from both ${clash.ref} and ${n.ref}`);
    const typeClash = g.find((o) => (o.type ?? 'Opaque') !== (n.type ?? 'Opaque'));
    if (typeClash)
      throw new Problem(
        `Secret ${id} is declared with two types: ${typeClash.type ?? 'Opaque'} (${typeClash.ref}) and ${n.type ?? 'Opaque'} (${n.ref})`,
      );
    if (!g.some((o) => o.key === n.key)) g.push(n);
    groups.set(id, g);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The Secrets for `needs`, with values from `values` (entry -> plaintext). Throws listing every entry the
 * store lacks, so an admin sees all the `secrets set` calls still to do at once.
 */
export function buildSecrets(needs: SecretNeed[], values: ReadonlyMap<string, string>): ISecret[] {
  const missing = entriesNeeded(needs).filter((r) => !values.has(r));
  if (missing.length) {
    const external = new Set(needs.filter((n) => n.generate.kind === 'external').map((n) => n.ref));
    throw new Problem(
      `the secret store lacks ${missing.length} entr${missing.length === 1 ? 'y' : 'ies'}: ${missing.map((m) => `${m}${external.has(m) ? ' (set it: labctl secrets set ' + m + ')' : ' (generate it: labctl render or labctl secrets generate)'}`).join(', ')}`,
    );
  }
  const out: ISecret[] = [];
  for (const [, group] of groupNeeds(needs.filter((n) => !n.configMap))) {
    const first = group[0]!;
    const data: Record<string, string> = {};
    const labels: Record<string, string> = { ...MANAGED_BY };
    for (const n of group) {
      for (const [k, v] of Object.entries(n.extraData ?? {})) data[k] = Buffer.from(v).toString('base64');
      Object.assign(labels, n.labels);
    }
    for (const n of group) {
      data[n.key] = Buffer.from(plainValue(n, values)).toString('base64');
    }
    out.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: first.name,
        namespace: first.namespace,
        labels: Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))),
        annotations: {
          'labctl.dev/entries': entriesNeeded(group).join(','),
        },
      },
      type: first.type ?? 'Opaque',
      data: Object.fromEntries(Object.entries(data).sort(([a], [b]) => a.localeCompare(b))),
    });
  }
  return out;
}

/** ConfigMaps for the needs with configMap: true: public values (the site CA certificate) a reader takes only from a ConfigMap. */
export function buildConfigMaps(needs: SecretNeed[], values: ReadonlyMap<string, string>): IConfigMap[] {
  const pub = needs.filter((n) => n.configMap);
  const missing = entriesNeeded(pub).filter((r) => !values.has(r));
  if (missing.length)
    throw new Problem(`the secret store lacks ${missing.join(', ')} (set it: labctl secrets set ${missing[0]})`);
  return [...groupNeeds(pub)].map(([, group]) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: group[0]!.name,
      namespace: group[0]!.namespace,
      labels: { ...MANAGED_BY },
      annotations: { 'labctl.dev/entries': [...new Set(group.map((n) => n.ref))].sort().join(',') },
    },
    data: Object.fromEntries(
      group
        .map((n) => [n.key, values.get(n.ref)!] as [string, string])
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ),
  }));
}
