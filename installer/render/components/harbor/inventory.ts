// Harbor's inventory section, `registry`. A leaf: it imports only the inventory's schema builders, so the
// inventory layer reads it (through the generated inventory/schema/component-sections.ts).
import { obj, str, list, label, oneOf, bool, opt, dflt, section, hostname } from '../../../inventory/schema/build.ts';
import { componentSection } from '../../../inventory/schema/component-section.ts';

/** Upstream registry types of a proxy-cache project (Harbor's own adapter names). */
export const PROXY_TYPES = ['docker-hub', 'docker-registry', 'quay', 'github-ghcr'] as const;

export const inventory = componentSection({
  key: 'registry',
  after: 'identity',
  schema: section(
    obj('Harbor, the site registry.', {
      hostname: opt(hostname('Harbor', 'harbor')),
      projects: dflt(
        list(
          'Harbor projects to create.',
          obj('A project.', {
            name: label('Project name.'),
            public: dflt(bool('Anonymous pull allowed.'), false),
          }),
        ),
        [{ name: 'labs' }],
      ),
      proxyCaches: dflt(
        list(
          'Pull-through caches of public registries.',
          obj('A proxy-cache project.', {
            name: label('Project name.'),
            upstream: str('Upstream registry URL.', { pattern: '^https?://\\S+$' }),
            type: dflt(oneOf('Upstream registry type.', PROXY_TYPES), 'docker-registry'),
          }),
        ),
        [],
      ),
    }),
  ),
});
