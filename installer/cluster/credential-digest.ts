// Steps that receive secret-store values at run time (the etcd snapshot's credentials) must run again when
// a value changes, though their script does not: their journal hash also covers a SHA-256 digest of the
// values. Only the digest reaches the journal; the values are high-entropy keys and passwords.
import { createHash } from 'node:crypto';
import { inputsHash, type Plan } from './plan.ts';
import type { SecretName } from './steps/types.ts';

const COVERED: readonly SecretName[] = ['backupS3AccessKey', 'backupS3SecretKey', 'backupEtcdPassword'];

export function coverCredentials(plan: Plan, inputs: Partial<Record<SecretName, string>>): void {
  for (const p of plan.phases)
    for (const h of p.hosts)
      for (const s of h.steps) {
        const names = s.needs.filter((n) => COVERED.includes(n));
        if (!names.length) continue;
        const digest = createHash('sha256')
          .update(names.map((n) => `${n}=${inputs[n] ?? ''}`).join('\n'))
          .digest('hex');
        s.inputs = inputsHash(s.id, `${s.script}\n# run-time values ${digest}`);
      }
}
