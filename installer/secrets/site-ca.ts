// The site CA of tls.mode internal-ca sites: created by `labctl secrets generate` (and render) when the store
// has neither half, and the check that refuses anything but PEM for certificate and key entries.
// node:crypto makes the key; node-forge builds and signs the certificate (node:crypto parses X.509 but
// cannot issue one). RSA 3072: cert-manager's CA issuer and every client here take it.
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import type { SecretNeed } from '../render/model.ts';

/** The site CA's validity: long-lived (it is the trust anchor nodes and clients pin); rotate by hand. */
export const SITE_CA_YEARS = 10;

export interface SiteCaPair {
  crtRef: string;
  keyRef: string;
  commonName: string;
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
    if (crt && key) out.push({ crtRef: crt.ref, keyRef: key.ref, commonName: crt.caCommonName! });
  }
  return out;
}

/** A new self-signed CA: PEM certificate and PKCS#8 PEM key. `now` only for tests. */
export function newSiteCa(commonName: string, now = new Date()): { crt: string; key: string } {
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
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { crt: forge.pki.certificateToPem(cert), key: keyPem };
}

/**
 * Refuses a value that is not what the entry's readers parse: every entry a Secret takes as tls.crt or
 * ca.crt must be PEM certificate(s) (the site CA's must be a CA), every tls.key a PEM private key.
 * Throws an Error whose message names the entry and what is wrong.
 */
export function checkEntryFormat(needs: SecretNeed[], entry: string, value: string): void {
  const keys = new Set(needs.filter((n) => n.ref === entry).map((n) => n.key));
  const isCa = needs.some((n) => n.ref === entry && n.caCommonName);
  if (keys.has('tls.crt') || keys.has('ca.crt')) {
    const blocks = value
      .replace(/\r\n/g, '\n')
      .match(/-----BEGIN CERTIFICATE-----\n[\s\S]+?-----END CERTIFICATE-----/g);
    if (!blocks)
      throw new Error(`${entry} must be a PEM certificate (-----BEGIN CERTIFICATE-----); the value given is not one`);
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
  }
  if (keys.has('tls.key')) {
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value))
      throw new Error(`${entry} must be a PEM private key (-----BEGIN PRIVATE KEY-----); the value given is not one`);
    try {
      createPrivateKey(value);
    } catch (e) {
      throw new Error(`${entry}: the PEM private key does not parse: ${(e as Error).message}`);
    }
  }
}
