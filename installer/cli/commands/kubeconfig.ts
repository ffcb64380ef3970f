// `labctl kubeconfig --user NAME`: a kubeconfig that logs in through Keycloak (docs/kubeconfig.md).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { ExitError, UsageError } from '../../core/diagnostics.ts';
import { requireSite } from '../../inventory/validate.ts';
import { buildKubeconfig } from '../../render/kubeconfig.ts';
import { printDiagnostics } from '../output.ts';

export interface KubeconfigCommandOptions {
  inventory: string;
  user: string;
  out: string;
  replaceFile?: boolean;
  namespace?: string;
  caFile?: string;
}

export async function kubeconfigCommand(o: KubeconfigCommandOptions): Promise<void> {
  if (!/^[a-z0-9][-a-z0-9_.]*$/.test(o.user))
    throw new UsageError(`--user ${o.user}: expected a login name (lowercase letters, digits, - _ .)`);
  const v = requireSite(o.inventory);
  if ('errors' in v) throw new ExitError(`${o.inventory}: ${v.errors.length} error(s)`, 1, v.errors);
  printDiagnostics(v.warnings);
  if (existsSync(o.out) && !o.replaceFile)
    throw new ExitError(`${o.out} exists; pass --replace-file to replace it (or choose another --out)`, 1);
  let caPem: string | undefined;
  if (o.caFile) {
    if (!existsSync(o.caFile)) throw new ExitError(`--ca-file ${o.caFile}: not found`, 1);
    caPem = readFileSync(o.caFile, 'utf8');
    if (!caPem.includes('-----BEGIN CERTIFICATE-----'))
      throw new ExitError(`--ca-file ${o.caFile}: not a PEM certificate`, 1);
  }
  const kc = buildKubeconfig(v.site, { user: o.user, caPem, namespace: o.namespace });
  writeFileSync(o.out, stringify(kc, { lineWidth: 0 }), { mode: 0o600 });
  process.stdout.write(
    `wrote ${o.out}: context ${kc['current-context'] as string}. Use it with: KUBECONFIG=${o.out} kubectl get pods${caPem ? '' : '\n(no --ca-file given: add the cluster CA, or kubectl will not trust the API server certificate)'}\n`,
  );
}
