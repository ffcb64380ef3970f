// The Keycloak operator's Keycloak CR (k8s.keycloak.org/v2alpha1), from keycloak/keycloak-k8s-resources
// kubernetes/keycloaks.k8s.keycloak.org-v1.yml: the fields the platform sets.
import { bool, int, list, obj, str, type Schema } from '../../../inventory/schema/dsl.ts';
import { anyObject, resource } from '../../platform/crd-schema.ts';

const keyRef = (d: string) =>
  obj(d, { name: str('Secret name.', { minLength: 1 }), key: str('Key.', { minLength: 1 }) }, ['name', 'key']);

/** This component's CRD schemas, keyed `<apiVersion>/<Kind>` (its module's crdSchemas). */
export const SCHEMAS: Record<string, Schema> = {
  'k8s.keycloak.org/v2alpha1/Keycloak': resource(
    'k8s.keycloak.org/v2alpha1',
    'Keycloak',
    true,
    obj(
      'Keycloak spec.',
      {
        instances: int('Number of Keycloak pods.', { minimum: 1 }),
        image: str("Keycloak image (default: the operator's matching version)."),
        db: obj(
          'External database.',
          {
            vendor: {
              enum: ['postgres', 'mariadb', 'mysql', 'mssql', 'oracle', 'dev-file', 'dev-mem'],
              description: 'Database vendor.',
            },
            host: str('Database host.'),
            port: int('Database port.', { minimum: 1, maximum: 65535 }),
            database: str('Database name.'),
            usernameSecret: keyRef('Secret key holding the user name.'),
            passwordSecret: keyRef('Secret key holding the password.'),
          },
          ['vendor'],
        ),
        http: obj('HTTP(S) listener.', {
          httpEnabled: bool('Serve plain HTTP (TLS ends at the ingress).'),
          httpPort: int('HTTP port.'),
          tlsSecret: str('TLS Secret for HTTPS.'),
        }),
        hostname: obj('Public host name.', {
          hostname: str('Host name or URL clients use.', { minLength: 1 }),
          admin: str('Host name or URL of the admin console (hostname-admin).', { minLength: 1 }),
          strict: bool('Reject other host names.'),
          backchannelDynamic: bool('Back channel follows the request host.'),
        }),
        proxy: obj('Reverse proxy.', {
          headers: { enum: ['forwarded', 'xforwarded'], description: 'Proxy headers Keycloak trusts.' },
        }),
        ingress: obj('Ingress the operator would create.', {
          enabled: bool('Create it.'),
          className: str('Ingress class.'),
          annotations: anyObject('Annotations.'),
        }),
        bootstrapAdmin: obj('Initial admin.', {
          user: obj('Admin user.', { secret: str('Secret with username and password keys.', { minLength: 1 }) }, [
            'secret',
          ]),
        }),
        additionalOptions: list(
          'Keycloak options.',
          obj('An option.', { name: str('Option name.', { minLength: 1 }), value: str('Value.') }, ['name']),
        ),
        features: obj('Features.', {
          enabled: list('Enabled features.', { type: 'string' }),
          disabled: list('Disabled features.', { type: 'string' }),
        }),
        scheduling: obj('Scheduling.', {
          topologySpreadConstraints: list('Spread constraints.', anyObject('A constraint.')),
          priorityClassName: str('Priority class.'),
        }),
        resources: anyObject('Container resources.'),
      },
      ['instances'],
    ),
  ),
};
