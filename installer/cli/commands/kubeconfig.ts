// `labctl kubeconfig --user NAME`: a kubeconfig that logs in through Keycloak (docs/kubeconfig.md).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ExitError, UsageError } from '../../core/diagnostics.ts';
import { certificateBlocks, siteCaCertificate } from '../../cluster/site-ca.ts';
import { defaultStateDir } from '../../cluster/journal.ts';
import type { Site } from '../../inventory/types.ts';
import { requireSite } from '../../inventory/validate.ts';
import { buildKubeconfig } from '../../render/kubeconfig.ts';
import { siteRepoOf } from '../options.ts';
import { printDiagnostics } from '../output.ts';
import { shellWord } from '../../core/shell-words.ts';
import { showControls } from '../../core/show-controls.ts';

export interface KubeconfigCommandOptions {
  inventory: string;
  user: string;
  out: string;
  replaceFile?: boolean;
  namespace?: string;
  caFile?: string;
  siteCaFile?: string;
  keyFile?: string;
  /** Where `labctl up` wrote admin.conf (default: the site's state directory). */
  stateDir?: string;
}

/**
 * The site CA certificate of an internal-ca site (Keycloak's certificate chains to it, and no browser or
 * kubelogin trusts it by default): --site-ca-file, else the secret-store entry read with the site key.
 * Without it the kubeconfig could not log in, so the command stops instead of writing one.
 */
async function siteCaFor(o: KubeconfigCommandOptions, site: Site): Promise<string | undefined> {
  if (site.tls.mode !== 'internal-ca') return undefined;
  if (o.siteCaFile) return readPemCertificate('--site-ca-file', o.siteCaFile);
  const notes: string[] = [];
  const got = await siteCaCertificate(site, siteRepoOf(o.inventory), o.keyFile, (m) => notes.push(m));
  if (got.siteCaCert) return got.siteCaCert;
  throw new ExitError(
    `${site.site.name} uses tls.mode internal-ca: kubelogin must be given the site CA certificate to reach Keycloak, and it could not be read (${notes.join('; ')}). Pass --site-ca-file FILE (the public site CA certificate), or run this where the site key is (-k FILE).`,
    1,
  );
}

function readPemCertificate(flag: string, file: string): string {
  if (!existsSync(file)) throw new ExitError(`${flag} ${file}: not found`, 1);
  const pem = certificateBlocks(readFileSync(file, 'utf8'));
  if (!pem) throw new ExitError(`${flag} ${file}: not a PEM certificate`, 1);
  return pem;
}

/**
 * The cluster CA from the admin kubeconfig `labctl up` wrote (<state dir>/admin.conf): the
 * certificate-authority-data of its current context's cluster (else its first). Undefined when the file is
 * not there or holds no CA; a file that is there but unreadable stops with its name.
 */
export function clusterCaFromAdminConf(file: string): { pem: string; cluster: string } | undefined {
  if (!existsSync(file)) return undefined;
  let kc: {
    'current-context'?: string;
    contexts?: { name?: string; context?: { cluster?: string } }[];
    clusters?: { name?: string; cluster?: { 'certificate-authority-data'?: string } }[];
  };
  try {
    kc = parse(readFileSync(file, 'utf8')) ?? {};
  } catch (e) {
    throw new ExitError(`${file}: not a kubeconfig (${(e as Error).message}); pass --ca-file FILE instead`, 1);
  }
  const current = kc.contexts?.find((c) => c.name === kc['current-context'])?.context?.cluster;
  const entry = kc.clusters?.find((c) => c.name === current) ?? kc.clusters?.[0];
  const data = entry?.cluster?.['certificate-authority-data'];
  if (!data) return undefined;
  const pem = certificateBlocks(Buffer.from(data, 'base64').toString('utf8'));
  if (!pem)
    throw new ExitError(`${file}: certificate-authority-data of cluster ${entry?.name} is not a PEM certificate`, 1);
  return { pem, cluster: entry?.name ?? '(unnamed)' };
}

/** Where a teacher without the admin kubeconfig gets the cluster CA (public). */
const caHint = (admin: string) =>
  [
    `(no --ca-file given and no admin kubeconfig at ${admin}: add the cluster CA, or kubectl will not trust the API server certificate.`,
    ' It is public: the admin who ran labctl up gets it embedded by running this command there (it reads admin.conf from the state directory),',
    " or extracts it with kubectl config view --raw --kubeconfig admin.conf -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > ca.crt,",
    ' or copies /etc/kubernetes/pki/ca.crt from a control-plane node; then run this command again with --ca-file ca.crt --replace-file',
    ' (the kubeconfig written now is there: without --replace-file it is refused))',
  ].join('');

export async function kubeconfigCommand(o: KubeconfigCommandOptions): Promise<void> {
  if (!/^[a-z0-9][-a-z0-9_.]*$/.test(o.user))
    throw new UsageError(`--user ${o.user}: expected a login name (lowercase letters, digits, - _ .)`);
  // Written into the context as given: kubectl then fails on every command with a name that is no namespace.
  if (o.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(o.namespace))
    throw new UsageError(
      `--namespace ${showControls(o.namespace)}: expected a namespace name (lowercase letters, digits and '-', at most 63), e.g. course-netsec-firewalls`,
    );
  const v = requireSite(o.inventory);
  if ('errors' in v) throw new ExitError(`${o.inventory}: ${v.errors.length} error(s)`, 1, v.errors);
  printDiagnostics(v.warnings);
  if (existsSync(o.out) && !o.replaceFile)
    throw new ExitError(`${o.out} exists; pass --replace-file to replace it (or choose another --out)`, 1);
  const admin = join(o.stateDir ?? defaultStateDir(v.site), 'admin.conf');
  const fromAdmin = o.caFile ? undefined : clusterCaFromAdminConf(admin);
  const caPem = o.caFile ? readPemCertificate('--ca-file', o.caFile) : fromAdmin?.pem;
  const oidcCaPem = await siteCaFor(o, v.site);
  const kc = buildKubeconfig(v.site, { user: o.user, caPem, oidcCaPem, namespace: o.namespace });
  writeFileSync(o.out, stringify(kc, { lineWidth: 0 }), { mode: 0o600 });
  process.stdout.write(
    // The paths as typed: shown escaped in the sentence, one shell word in the command to copy.
    `wrote ${showControls(o.out)}: context ${kc['current-context'] as string}. Use it with: KUBECONFIG=${shellWord(o.out)} kubectl get pods${fromAdmin ? `\n(cluster CA taken from ${showControls(admin)}, cluster ${fromAdmin.cluster}: no --ca-file given)` : caPem ? '' : `\n${caHint(showControls(admin))}`}\n`,
  );
  // course-<course> looks like the course's namespace, but none is made: each lab has its own.
  const course = v.site.labs.courses.find((c) => `course-${c.name}` === o.namespace);
  if (course)
    process.stderr.write(
      `note: no namespace ${o.namespace} exists: each lab of course ${course.name} runs in its own, course-${course.name}-<lab> (labs/${course.name}/<lab>.yaml), so kubectl finds nothing there; give --namespace course-${course.name}-<lab> (with --replace-file)\n`,
    );
}
