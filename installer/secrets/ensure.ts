// Adds a generated value for every generatable entry the components need and the store lacks, and the site
// CA (key and certificate together) when the store has neither half. Existing entries are never touched
// (their ciphertext stays byte-identical); external entries are reported.
import type { SecretNeed } from '../render/model.ts';
import { generateValue, isGeneratable } from './generate.ts';
import { newSiteCa, siteCaPairs } from './site-ca.ts';
import type { SecretStore } from './store.ts';
import { entriesOf, isDerived } from './objects.ts';

export interface EnsureResult {
  generated: string[];
  present: string[];
  missingExternal: string[];
}

export async function ensureSecrets(store: SecretStore, needs: SecretNeed[]): Promise<EnsureResult> {
  const byRef = new Map<string, SecretNeed>();
  for (const n of needs) {
    if (isDerived(n)) continue; // derived when the Secret is built
    const prev = byRef.get(n.ref);
    // One entry can feed several Secrets (a client secret for Keycloak and for the client): an external
    // declaration wins, so a site-supplied value is never replaced by a generated one.
    if (!prev || n.generate.kind === 'external') byRef.set(n.ref, n);
  }
  const result: EnsureResult = { generated: [], present: [], missingExternal: [] };
  const sorted = [...byRef.entries()].sort(([a], [b]) => a.localeCompare(b));
  // An entry present but not written by the site key holder (planted by a commit) stops render before
  // anything is generated: its value would reach the cluster on the next secrets apply.
  const present = sorted.filter(([ref]) => store.has(ref));
  if (present.length) {
    const confirmed = store.confirmedEntries();
    for (const [ref] of present) store.verify(ref, confirmed);
  }
  // A CA pair is made whole or not at all: with one half present, the other must come from the same CA.
  const caRefs = new Map<string, string>();
  for (const p of siteCaPairs(needs)) {
    if (store.has(p.crtRef) || store.has(p.keyRef)) continue;
    const ca = newSiteCa(p.commonName, new Date(), { permittedDns: p.permittedDns });
    caRefs.set(p.keyRef, ca.key).set(p.crtRef, ca.crt);
  }
  for (const [ref, n] of sorted) {
    if (store.has(ref)) result.present.push(ref);
    else if (caRefs.has(ref)) {
      await store.put(ref, caRefs.get(ref)!);
      result.generated.push(ref);
    } else if (isGeneratable(n.generate)) {
      await store.put(ref, generateValue(n.generate));
      result.generated.push(ref);
    } else result.missingExternal.push(ref);
  }
  return result;
}

/** A Secret (or ConfigMap) that cannot be delivered yet, and why. */
export interface Waiting {
  target: string;
  entries: string[];
  why: string;
  next: string;
}

/**
 * Splits what the platform needs into what the store can deliver now and what waits: a Secret is sent
 * whole or not at all, and waits while any of its entries is missing (e.g. a Harbor robot token, which
 * exists only once Harbor runs). Each waiting one says why and the command that ends the wait.
 */
export function deliverable(
  needs: SecretNeed[],
  has: (ref: string) => boolean,
): { ready: SecretNeed[]; waiting: Waiting[] } {
  const byTarget = new Map<string, SecretNeed[]>();
  // Entries for the nodes go there with `labctl up`, never into the cluster.
  for (const n of needs.filter((x) => !x.onNodes)) {
    const id = `${n.configMap ? 'ConfigMap' : 'Secret'} ${n.namespace}/${n.name}`;
    byTarget.set(id, [...(byTarget.get(id) ?? []), n]);
  }
  const ready: SecretNeed[] = [];
  const waiting: Waiting[] = [];
  for (const [target, group] of [...byTarget].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const missing = [...new Set(group.flatMap(entriesOf).filter((r) => !has(r)))].sort();
    if (!missing.length) {
      ready.push(...group);
      continue;
    }
    const external = missing.filter((r) => group.some((n) => n.ref === r && n.generate.kind === 'external'));
    const generated = missing.filter((r) => !external.includes(r));
    const purposes = [...new Set(group.filter((n) => missing.includes(n.ref)).map((n) => n.purpose))];
    waiting.push({
      target,
      entries: missing,
      why: `the store lacks ${missing.join(', ')} (${purposes.join('; ')})`,
      next: [
        ...external.map((r) => `labctl secrets set ${r}`),
        ...(generated.length ? ['labctl secrets generate'] : []),
      ].join(' && '),
    });
  }
  return { ready, waiting };
}
