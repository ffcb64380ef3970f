// The site CA of tls.mode internal-ca sites: created by `labctl secrets generate` (and render) when the store
// has neither half, and the check that refuses anything but PEM for certificate and key entries.
// node:crypto makes the key; node-forge builds and signs the certificate (node:crypto parses X.509 but
// cannot issue one). RSA 3072: cert-manager's CA issuer and every client here take it.
import {
  X509Certificate,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import forge from 'node-forge';
import type { SecretNeed } from '../render/model.ts';

/** The site CA's validity: long-lived (it is the trust anchor nodes and clients pin); rotate by hand. */
export const SITE_CA_YEARS = 10;

export interface SiteCaPair {
  crtRef: string;
  keyRef: string;
  commonName: string;
  /** Name constraint of a new CA (SecretNeed.caPermittedDns); absent: unconstrained. */
  permittedDns?: string[];
}

/** The CA pairs the needs ask for (cert-manager's issuer Secret: tls.crt + tls.key with caCommonName). */
export function siteCaPairs(needs: SecretNeed[]): SiteCaPair[] {
  const out: SiteCaPair[] = [];
  const bySecret = new Map<string, SecretNeed[]>();
  for (const n of needs)
    if (n.caCommonName)
      bySecret.set(`${n.namespace}/${n.name}`, [...(bySecret.get(`${n.namespace}/${n.name}`) ?? []), n]);
  for (const list of bySecret.values()) {
    const crt = list.find((n) => n.key === 'tls.crt');
    const key = list.find((n) => n.key === 'tls.key');
    if (crt && key)
      out.push({
        crtRef: crt.ref,
        keyRef: key.ref,
        commonName: crt.caCommonName!,
        ...(crt.caPermittedDns?.length ? { permittedDns: crt.caPermittedDns } : {}),
      });
  }
  return out;
}

/**
 * RFC 5280 NameConstraints (DER): the permitted DNS subtrees, and every IPv4 and IPv6 address excluded (a
 * constraint covers only the name forms it lists, so without the exclusion the key could still sign for
 * any IP address).
 */
function nameConstraintsDer(permittedDns: string[]): string {
  const { asn1 } = forge;
  const ctx = (tag: number, constructed: boolean, value: string | forge.asn1.Asn1[]) =>
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, constructed, value);
  const subtree = (generalName: forge.asn1.Asn1) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [generalName]);
  const dns = permittedDns.map((d) => subtree(ctx(2, false, d))); // dNSName [2] IA5String
  const anyIp = [8, 32].map((n) => subtree(ctx(7, false, '\0'.repeat(n)))); // iPAddress [7]: address + mask, all zero
  const nc = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [ctx(0, true, dns), ctx(1, true, anyIp)]);
  return asn1.toDer(nc).getBytes();
}

/**
 * A new self-signed CA: PEM certificate and PKCS#8 PEM key. `permittedDns`: the names it may sign for
 * (a critical name constraint; the site's hosts). `now` only for tests.
 */
export function newSiteCa(
  commonName: string,
  now = new Date(),
  opts: { permittedDns?: string[] } = {},
): { crt: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string);
  // A positive 16-byte serial (RFC 5280: at most 20 bytes, positive).
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000); // a little clock skew on the nodes
  cert.validity.notAfter = new Date(now.getTime());
  cert.validity.notAfter.setUTCFullYear(now.getUTCFullYear() + SITE_CA_YEARS);
  const name = [{ name: 'commonName', value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    ...(opts.permittedDns?.length
      ? [{ id: '2.5.29.30', critical: true, value: nameConstraintsDer(opts.permittedDns) }]
      : []),
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { crt: forge.pki.certificateToPem(cert), key: keyPem };
}

/** The curves a site CA or TLS key may use: P-256 or stronger (node:crypto's names). */
const STRONG_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);
const MIN_RSA_BITS = 2048;

/** Why a key (private or public) is too weak or of a kind the TLS clients here do not all take, or undefined. */
function weakKey(k: KeyObject): string | undefined {
  const d = k.asymmetricKeyDetails ?? {};
  if (k.asymmetricKeyType === 'rsa')
    return (d.modulusLength ?? 0) >= MIN_RSA_BITS
      ? undefined
      : `an RSA key of ${d.modulusLength} bits (at least ${MIN_RSA_BITS} are needed)`;
  if (k.asymmetricKeyType === 'ec')
    return STRONG_CURVES.has(d.namedCurve ?? '')
      ? undefined
      : `an EC key on curve ${d.namedCurve} (P-256, P-384 or P-521 are needed)`;
  return `a ${k.asymmetricKeyType} key (RSA of at least ${MIN_RSA_BITS} bits or EC P-256 or stronger are needed)`;
}

/** The line (1-based) of the first text outside the PEM blocks matched by `block`, or undefined when there is none. */
function junkLine(text: string, block: RegExp): number | undefined {
  const rest = text.replace(block, (m) => m.replace(/[^\n]/g, ''));
  const i = rest.search(/\S/);
  return i < 0 ? undefined : rest.slice(0, i).split('\n').length;
}

/** A PEM block whose label matches `label` (a regex source), base64 body, same label at the end. */
const pemBlock = (label: string, flags = 'g') =>
  new RegExp(`-{5}BEGIN (${label})-{5}\\n[A-Za-z0-9+/=\\n]+?-{5}END \\1-{5}`, flags);
/** Only the marker line, for "does the value hold a key at all" (any label ending in PRIVATE KEY). */
const pemMarker = (label: string) => new RegExp(`-{5}BEGIN ${label}-{5}`);
const CERT_BLOCK = pemBlock('CERTIFICATE');
const KEY_LABEL = '(?:RSA |EC )?PRIVATE KEY';
const KEY_BLOCK = pemBlock(KEY_LABEL);
const ANY_KEY_MARKER = pemMarker('[A-Z ]*PRIVATE KEY');

/**
 * Refuses a value that is not what the entry's readers parse: every entry a Secret takes as tls.crt or
 * ca.crt must be PEM certificate(s) and nothing else (a bundle with the private key would hand the key to
 * every namespace that reads ca.crt; the site CA's must be a CA with a strong key), every tls.key exactly
 * one PEM private key, RSA >= 2048 bits or EC P-256 or stronger, matching `caCertificate` (the stored CA
 * certificate of the pair) when given. Throws an Error whose message names the entry and what is wrong,
 * never the value.
 */
export function checkEntryFormat(
  needs: SecretNeed[],
  entry: string,
  value: string,
  opts: { caCertificate?: string } = {},
): void {
  const keys = new Set(needs.filter((n) => n.ref === entry).map((n) => n.key));
  const isCa = needs.some((n) => n.ref === entry && n.caCommonName);
  const text = value.replace(/\r\n/g, '\n');
  if (keys.has('tls.crt') || keys.has('ca.crt')) {
    if (ANY_KEY_MARKER.test(text)) {
      throw new Error(
        `${entry} holds a private key besides the certificate; it must hold only PEM certificates (-----BEGIN CERTIFICATE-----), since every namespace that trusts the CA reads it${isCa ? '; the key goes in its own entry' : ''}`,
      );
    }
    const blocks = text.match(CERT_BLOCK);
    if (!blocks)
      throw new Error(`${entry} must be a PEM certificate (-----BEGIN CERTIFICATE-----); the value given is not one`);
    const junk = junkLine(text, CERT_BLOCK);
    if (junk !== undefined)
      throw new Error(`${entry} must hold only PEM certificate blocks; line ${junk} of the value given is other text`);
    let first: X509Certificate;
    try {
      first = new X509Certificate(blocks[0]!);
      blocks.slice(1).forEach((b) => new X509Certificate(b));
    } catch (e) {
      throw new Error(`${entry}: the PEM certificate does not parse: ${(e as Error).message}`);
    }
    if (isCa && !first.ca)
      throw new Error(
        `${entry}: the certificate (${first.subject.replace(/\n/g, ', ')}) is not a CA certificate (basicConstraints CA:TRUE); cert-manager's CA issuer signs with it`,
      );
    const weak = isCa ? weakKey(first.publicKey) : undefined;
    if (weak) throw new Error(`${entry}: the CA certificate has ${weak}`);
  }
  if (keys.has('tls.key')) {
    const blocks = text.match(KEY_BLOCK);
    if (!blocks)
      throw new Error(
        `${entry} must be a PEM private key (PKCS#8, or PKCS#1 RSA / SEC1 EC); the value given is not one`,
      );
    if (blocks.length > 1)
      throw new Error(`${entry} must hold exactly one PEM private key; the value given holds ${blocks.length}`);
    const junk = junkLine(text, KEY_BLOCK);
    if (junk !== undefined)
      throw new Error(
        `${entry} must hold only the PEM private key block; line ${junk} of the value given is other text`,
      );
    let key: KeyObject;
    try {
      key = createPrivateKey(blocks[0]!);
    } catch (e) {
      throw new Error(`${entry}: the PEM private key does not parse: ${(e as Error).message}`);
    }
    const weak = weakKey(key);
    if (weak) throw new Error(`${entry} holds ${weak}`);
    if (opts.caCertificate !== undefined) {
      const der = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
      if (!der(new X509Certificate(opts.caCertificate).publicKey).equals(der(createPublicKey(key)))) {
        throw new Error(
          `${entry} does not match the stored CA certificate (their public keys differ); to change the CA set the certificate first, then its key`,
        );
      }
    }
  }
}
