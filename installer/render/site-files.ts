// Files of the site repository that belong to the site as a whole (README, the secrets manifest).
import type { Component, RenderContext, RepoFile, SecretNeed } from './model.ts';
import type { ComponentModule } from './platform/component.ts';
import { TIER_WAVE } from './model.ts';
import { renderTemplate } from './text.ts';

export function siteFiles(
  ctx: RenderContext,
  components: Component[],
  secrets: SecretNeed[],
  modules: readonly ComponentModule[],
): RepoFile[] {
  const { site } = ctx;
  // The site CA's entries are made by `labctl secrets generate` (installer/secrets/site-ca.ts), wherever they are read.
  const caRefs = new Set(secrets.filter((s) => s.caCommonName).map((s) => s.ref));
  const apps = components
    .map((c) => ({
      name: c.name,
      namespace: c.namespace,
      tier: c.tier,
      wave: c.wave ?? TIER_WAVE[c.tier],
      chart: c.chart
        ? `${ctx.versions.components[c.chart.component]!.chart} ${ctx.versions.components[c.chart.component]!.version}`
        : 'own manifests',
    }))
    .sort((a, b) => a.wave - b.wave || a.name.localeCompare(b.name));
  return [
    {
      path: 'README.md',
      content: renderTemplate('render/templates/site-readme.md.hbs', {
        site: site.site,
        hosts: site.hosts,
        apps,
        // A key derived from site-supplied entries (aws-credentials) is not generated either.
        secrets: secrets.map((s) => ({
          ...s,
          generated: (s.generate.kind !== 'external' && s.generate.kind !== 'aws-credentials') || caRefs.has(s.ref),
        })),
        kubernetes: site.kubernetes,
        // The components' own sections (modules come in folder-name order: components/index.ts).
        sections: modules.flatMap((m) => m.readme?.(ctx) ?? []).map((s) => s.trimEnd()),
      }),
    },
  ];
}
