// No secret material in any rendered repository: the scanner runs over every file rendered from the
// example and each valid fixture, and a planted-secret test proves the scanner finds what it must.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { scanFiles, scanText, looksRandom } from '../../installer/secrets/scan.ts';
import { generateValue, htpasswdLine } from '../../installer/secrets/generate.ts';
import { newSiteKey } from '../../installer/secrets/store.ts';
import { rendered, siteFiles } from './sites.ts';

const SITES = Object.entries(siteFiles());

describe('rendered repositories hold no secret material', () => {
  it('covers the example and at least one fixture', () => {
    expect(SITES.length).toBeGreaterThanOrEqual(2);
  });

  it.each(SITES)('%s: the scanner finds nothing', async (_name, file) => {
    const { result } = await rendered(file);
    expect(result.files.size).toBeGreaterThan(20);
    expect(scanFiles(result.files)).toEqual([]);
  });

  it.each(SITES)('%s: every secret a component needs is referenced, never inlined', async (_name, file) => {
    const { result } = await rendered(file);
    expect(result.secrets.length).toBeGreaterThan(10);
    // No rendered Kubernetes object is a Secret with data: Secrets come only from `labctl secrets apply`.
    for (const [path, text] of result.files) {
      if (!path.endsWith('.yaml')) continue;
      const docs = parseAllDocuments(text);
      // Helm templates of our own charts are not YAML before rendering; the token scan above covers them.
      if (docs.some((d) => 'errors' in d && d.errors.length)) continue;
      for (const doc of docs) {
        const o = doc.toJS() as { kind?: string; data?: unknown; stringData?: unknown } | null;
        if (o?.kind === 'Secret') expect({ path, data: o.data ?? o.stringData }).toEqual({ path, data: undefined });
      }
    }
  });
});

describe('the scanner finds planted secrets', () => {
  // Random values are drawn at the lengths labctl generates (32 and 48). A shorter random value is not
  // always caught: all lower-case letters and digits reads as a resource name (about 1 in 6,000 at 16
  // characters), so short secrets are planted as fixed text and the test cannot flake.
  const plantedYaml = async () => {
    const { identity } = await newSiteKey();
    return [
      ['values.yaml', 'core:\n  secret: Xk9pQ2mZ7rTb4LwN\n', 'high-entropy-secret-value'],
      ['values.yaml', 'core:\n  secret: v3PkTggTh7DR\n', 'high-entropy-secret-value'],
      [
        'values.yaml',
        `core:\n  secret: ${generateValue({ kind: 'password', length: 48 })}\n`,
        'high-entropy-secret-value',
      ],
      [
        'values.yaml',
        `database:\n  external:\n    password: ${generateValue({ kind: 'password', length: 32 })}\n`,
        'high-entropy-secret-value',
      ],
      [
        's.yaml',
        `apiVersion: v1\nkind: Secret\ndata:\n  token: ${generateValue({ kind: 'base64', length: 24 })}\n`,
        'high-entropy-secret-value',
      ],
      [
        'cm.yaml',
        `data:\n  realm.json: '{"clients": [{"clientId": "x", "secret": "${generateValue({ kind: 'password', length: 40 })}"}]}'\n`,
        'high-entropy-secret-value',
      ],
      ['key.txt', identity, 'age-secret-key'],
      [
        'tls.yaml',
        'tls.key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIEowIBAAKCAQEA\n  -----END RSA PRIVATE KEY-----\n',
        'pem-private-key',
      ],
      ['ec.pem', '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA\n-----END EC PRIVATE KEY-----\n', 'pem-private-key'],
      ['README.md', `use ghp_${'a1B2c3D4e5'.repeat(4)} to push`, 'github-token'],
      [
        'am.yaml',
        `slack_api_url: https://hooks.slack.com/services/T0000AAAA/B0000BBBB/${'xYz12'.repeat(5)}\n`,
        'slack-webhook',
      ],
      ['bot.conf', `token = xoxb-123456789012-abcdefABCDEF\n`, 'slack-token'],
      ['gl.txt', `glpat-${'AbCd1234'.repeat(3)}`, 'gitlab-token'],
      ['aws.env', 'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n', 'aws-access-key'],
      ['jwt.yaml', `bearer: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzdHVkZW50In0.${'s1gN4tur3'.repeat(3)}\n`, 'jwt'],
      ['repo.yaml', 'url: https://argocd:Sup3rS3cretPw@git.example.edu/site.git\n', 'url-credentials'],
      ['htpasswd.yaml', `REGISTRY_HTPASSWD: "${htpasswdLine('u', 'pw-of-user')}"\n`, 'bcrypt-hash'],
      [
        'frr.conf',
        ` neighbor 10.0.0.1 password ${generateValue({ kind: 'password', length: 32 })}\n`,
        'high-entropy-secret-value',
      ],
    ] as const;
  };

  it('reports each planted secret with its rule and line', async () => {
    for (const [file, text, rule] of await plantedYaml()) {
      const found = scanText(file, text);
      expect({ file, rules: found.map((f) => f.rule) }).toEqual({ file, rules: expect.arrayContaining([rule]) });
      expect(found.every((f) => f.line >= 1)).toBe(true);
    }
  });

  it('leaves references, placeholders and names alone', () => {
    const clean = [
      'existingSecret: harbor-s3\nexistingSecretKey: REGISTRY_HTTP_SECRET\nsecretName: harbor-core-token\n',
      'passwordSecret: {name: keycloak-db-credentials, key: password}\nsecret: $(env:ARGOCD_CLIENT_SECRET)\n',
      'clientSecret: $argocd-oidc:clientSecret\npasswordRef: bgp/tor-r1\ntokenUrl: https://sso.example.edu/realms/campus/protocol/openid-connect/token\n',
      'smtp_auth_password_file: /etc/alertmanager/secrets/smtp/password\n',
    ];
    for (const t of clean) expect(scanText('x.yaml', t)).toEqual([]);
    expect(looksRandom('harbor-registry-credentials')).toBe(false);
    expect(looksRandom(generateValue({ kind: 'password', length: 32 }))).toBe(true);
    // Short random text under a secret key: the bar follows the length (3.3 bits let this one through).
    expect(looksRandom('v3PkTggTh7DR')).toBe(true);
    expect(looksRandom('LZQVzQ3ZtvQuQZTm')).toBe(true);
  });
});
