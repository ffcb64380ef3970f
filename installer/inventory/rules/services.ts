// Services and operations: Kubernetes version, TLS, identity, service host names, version overrides, courses.
// (The monitoring section's own rules live with it: render/components/monitoring/inventory.ts.)
import { nearName } from '../../core/near-name.ts';
import type { Rule } from './context.ts';
import { pinnedVersions, minorOf } from '../../core/versions.ts';
import { kindOf, versionFormatProblem } from './version-format.ts';

export const kubernetesVersion: Rule = (ctx) => {
  const { version } = ctx.site.kubernetes;
  if (ctx.source.has(['kubernetes', 'containerdPackage'])) {
    ctx.warn(
      ['kubernetes', 'containerdPackage'],
      'kubernetes.containerdPackage is ignored: containerd 2.x is installed from the release pinned in gitops/versions.yaml (Kubernetes 1.36 needs 2.x and no supported OS ships it)',
      'remove the key; for an air-gapped site set kubernetes.releaseMirror',
    );
  }
  const supported = pinnedVersions().kubernetes.supportedMinors;
  if (!supported.includes(minorOf(version))) {
    ctx.error(
      ['kubernetes', 'version'],
      `Kubernetes ${version} is not supported; expected a ${supported.map((m) => `v${m}.x`).join(' or ')} release`,
      `the pinned default is ${pinnedVersions().kubernetes.default}`,
    );
  }
  const repo = ctx.site.kubernetes.packageRepo;
  const m = /\/v(\d+\.\d+)\//.exec(repo);
  if (m && m[1] !== minorOf(version)) {
    ctx.error(
      ['kubernetes', 'packageRepo'],
      `package repository is for v${m[1]} but kubernetes.version is ${version}; pkgs.k8s.io keeps one repository per minor`,
    );
  }
};

export const timezone: Rule = (ctx) => {
  const tz = ctx.site.site.timezone;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    const guess = nearName(tz, Intl.supportedValuesOf('timeZone'));
    ctx.error(
      ['site', 'timezone'],
      `${JSON.stringify(tz)} is not an IANA time zone`,
      guess
        ? `did you mean "${guess}"?`
        : 'an IANA name such as Europe/Berlin or America/New_York (timedatectl list-timezones)',
    );
  }
};

export const tlsMode: Rule = (ctx) => {
  const tls = ctx.site.tls;
  // What to add, as YAML to put under tls: (the keys each needs; inventory.example.yaml explains them).
  const snippet = {
    acme: 'acme: {server: https://acme-v02.api.letsencrypt.org/directory, email: noc@example.edu}',
    rfc2136: `rfc2136: {nameserver: "${ctx.site.network.dnsServers[0]}:53", tsigKeyName: k8s-acme, tsigSecretRef: tls/tsig}`,
    internalCa: `internalCa: {commonName: ${ctx.site.site.name} CA, keyPairRef: tls/internal-ca}`,
  };
  const need = (key: 'acme' | 'rfc2136' | 'internalCa') => {
    if (!tls[key])
      ctx.error(
        ['tls', 'mode'],
        `tls.mode ${tls.mode} needs tls.${key}`,
        `add under tls: ${snippet[key]} (with your values; inventory.example.yaml, in the folder labctl version names, explains each key)`,
      );
  };
  if (tls.mode.startsWith('acme')) need('acme');
  if (tls.mode === 'acme-dns01') need('rfc2136');
  if (tls.mode === 'internal-ca') need('internalCa');
  const used = {
    acme: tls.mode.startsWith('acme'),
    rfc2136: tls.mode === 'acme-dns01',
    internalCa: tls.mode === 'internal-ca',
  };
  for (const key of ['acme', 'rfc2136', 'internalCa'] as const) {
    if (tls[key] && !used[key]) ctx.warn(['tls', key], `tls.${key} is ignored with tls.mode ${tls.mode}`);
  }
};

export const serviceHostnames: Rule = (ctx) => {
  const { domain } = ctx.site.site;
  const check = (path: (string | number)[], host: string | undefined, what: string) => {
    if (host !== undefined && !host.endsWith(`.${domain}`)) {
      ctx.error(
        path,
        `${what} host name ${host} is outside the site domain ${domain}; certificates and DNS records are issued for *.${domain} only`,
        `e.g. ${host.split('.')[0]}.${domain}`,
      );
    }
  };
  check(['registry', 'hostname'], ctx.site.inventory.registry?.hostname, 'Harbor');
  check(['identity', 'hostname'], ctx.site.inventory.identity.hostname, 'Keycloak');
  if (!ctx.site.hosts.api.endsWith(`.${domain}`)) {
    ctx.warn(
      ['kubernetes', 'apiDnsName'],
      `API name ${ctx.site.hosts.api} is outside the site domain ${domain}; the DNS snippet will not include it`,
    );
  }
};

/** The site realm is published on the SSO host; Keycloak's admin realm never is (docs/security.md, boundary 7). */
export const siteRealm: Rule = (ctx) => {
  if (ctx.site.identity.realm === 'master') {
    ctx.error(
      ctx.site.inventory.identity.realm ? ['identity', 'realm'] : ['site', 'name'],
      'the realm "master" is Keycloak\'s admin realm, which the public SSO host never serves',
      'name the site realm something else, e.g. identity.realm: campus',
    );
  }
};

export const federation: Rule = (ctx) => {
  const ldap = ctx.site.identity.federation?.ldap;
  if (ldap && !ldap.url.startsWith('ldaps://')) {
    ctx.error(
      ['identity', 'federation', 'ldap', 'url'],
      `${ldap.url} is not an ldaps:// URL; plain LDAP would send the campus users' passwords in clear text`,
      `did you mean ${ldap.url.replace(/^[a-z]+:\/\//, 'ldaps://').replace(/:389\b/, ':636')}?`,
    );
  }
};

export const versionOverrides: Rule = (ctx) => {
  const known = Object.keys(pinnedVersions().components);
  for (const name of Object.keys(ctx.site.versions)) {
    if (!known.includes(name)) {
      const guess = nearName(name, known);
      ctx.error(
        ['versions', name],
        `unknown component ${JSON.stringify(name)}; expected one of: ${known.join(', ')}`,
        guess ? `did you mean "${guess}"?` : undefined,
      );
    } else {
      const c = pinnedVersions().components[name]!;
      const problem = versionFormatProblem(name, c, String(ctx.site.versions[name]));
      if (problem) {
        const fixed =
          kindOf(c) !== 'image' && /^v?\d/.test(String(ctx.site.versions[name]))
            ? c.version.startsWith('v')
              ? `v${ctx.site.versions[name]}`
              : String(ctx.site.versions[name]).replace(/^v/, '')
            : undefined;
        ctx.error(
          ['versions', name],
          problem,
          fixed && !versionFormatProblem(name, c, fixed) ? `did you mean "${fixed}"?` : undefined,
        );
        continue;
      }
      ctx.warn(
        ['versions', name],
        `${name} pinned version ${pinnedVersions().components[name]!.version} is overridden with ${ctx.site.versions[name]}; this combination is not tested`,
      );
    }
  }
};

export const courses: Rule = (ctx) => {
  ctx.site.labs.courses.forEach((c, i) => {
    if (`course-${c.name}`.length > 63)
      ctx.error(
        ['labs', 'courses', i, 'name'],
        `course name ${c.name} is too long: the namespace course-${c.name} must be at most 63 characters`,
      );
  });
};
