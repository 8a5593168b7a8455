// Certificate mechanics for the cluster PKI: key pairs, a self-signed CA, leaf certificates
// signed by it, and the checks that decide whether a stored certificate can still be used.
// Keys are PEM PKCS#8 and certificates PEM X.509, which Go's crypto/tls (kubectl) and Node's tls
// both read.

import { createPrivateKey, createPublicKey, type webcrypto } from 'node:crypto';
import { isIP, SocketAddress } from 'node:net';
import { x509 } from './x509.ts';

export interface CertificateAndKey {
  certPem: string;
  keyPem: string;
}

/** A subjectAltName entry; `value` is canonical (lower-case DNS name, compressed IPv6). */
export interface SubjectAltName {
  type: 'dns' | 'ip';
  value: string;
}

/** A CA that can sign: its certificate plus its private key imported for WebCrypto. */
export interface CertificateAuthority {
  readonly cert: x509.X509Certificate;
  readonly certPem: string;
  readonly keyPem: string;
  readonly signer: Signer;
}

type CryptoKey = webcrypto.CryptoKey;

interface Signer {
  readonly privateKey: CryptoKey;
  readonly algorithm: webcrypto.Algorithm | webcrypto.EcdsaParams;
}

export const DAY_MS = 86_400_000;
// Certificates start a few minutes in the past so that a peer whose clock lags slightly behind
// ours does not reject a certificate that was just issued.
const BACKDATE_MS = 5 * 60_000;

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A fresh ECDSA P-256 key pair; P-256 keeps first start fast (RSA generation takes ~100 ms). */
export async function generateKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
}

export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

export async function publicKeyToPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('spki', key), 'PUBLIC KEY');
}

/** The SPKI public key (PEM) that belongs to a private key in any PEM form Node reads. */
export function publicKeyPemOf(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * Imports a PEM private key (PKCS#8, SEC1 or PKCS#1) for signing. ECDSA P-256/P-384 and RSA are
 * accepted so that an operator-supplied CA works too.
 */
async function importSigner(keyPem: string): Promise<Signer> {
  const key = createPrivateKey(keyPem);
  const der = key.export({ type: 'pkcs8', format: 'der' });
  let importAlgorithm: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams;
  let algorithm: webcrypto.Algorithm | webcrypto.EcdsaParams;
  if (key.asymmetricKeyType === 'rsa') {
    importAlgorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    algorithm = importAlgorithm;
  } else if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') {
      importAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' };
      algorithm = { name: 'ECDSA', hash: 'SHA-256' };
    } else if (curve === 'secp384r1') {
      importAlgorithm = { name: 'ECDSA', namedCurve: 'P-384' };
      algorithm = { name: 'ECDSA', hash: 'SHA-384' };
    } else {
      throw new Error(`unsupported EC curve ${curve ?? 'unknown'} for a signing key`);
    }
  } else {
    throw new Error(`unsupported signing key type ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  const privateKey = await crypto.subtle.importKey('pkcs8', der, importAlgorithm, false, ['sign']);
  return { privateKey, algorithm };
}

export function parseCertificate(certPem: string): x509.X509Certificate {
  return new x509.X509Certificate(certPem);
}

/** Whether the private key is the one the certificate's public key belongs to. */
export function keyMatchesCertificate(keyPem: string, cert: x509.X509Certificate): boolean {
  const spki = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  return spki.equals(new Uint8Array(cert.publicKey.rawData));
}

/** Creates a self-signed CA (basicConstraints CA, keyCertSign/cRLSign) with a new P-256 key. */
export async function createCertificateAuthority(
  commonName: string,
  days: number,
  now: Date,
): Promise<CertificateAuthority> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [commonName] }],
    keys,
    signingAlgorithm: EC_P256,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + days * DAY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const keyPem = await privateKeyToPem(keys.privateKey);
  return { cert, certPem: cert.toString('pem'), keyPem, signer: await importSigner(keyPem) };
}

/** Loads a CA from PEM; throws when the pair is unusable (not a CA, or key and cert differ). */
export async function loadCertificateAuthority(certPem: string, keyPem: string): Promise<CertificateAuthority> {
  const cert = parseCertificate(certPem);
  if (cert.getExtension(x509.BasicConstraintsExtension)?.ca !== true) {
    throw new Error(`certificate ${cert.subject} is not a CA`);
  }
  if (!keyMatchesCertificate(keyPem, cert)) {
    throw new Error(`private key does not belong to CA certificate ${cert.subject}`);
  }
  return { cert, certPem, keyPem, signer: await importSigner(keyPem) };
}

export interface LeafCertificateOptions {
  commonName: string;
  organizations?: readonly string[];
  usage: 'server' | 'client';
  subjectAltNames?: readonly SubjectAltName[];
  days: number;
  now: Date;
}

/** Issues a leaf certificate with a new P-256 key, signed by the CA. */
export async function issueCertificate(
  ca: CertificateAuthority,
  options: LeafCertificateOptions,
): Promise<CertificateAndKey> {
  const keys = await generateKeyPair();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    // ECDSA keys only sign; keyEncipherment is meaningful for RSA key transport alone.
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(
      [options.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
  ];
  if (options.subjectAltNames !== undefined && options.subjectAltNames.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension(options.subjectAltNames.map((san) => ({ ...san }))));
  }
  const cert = await x509.X509CertificateGenerator.create({
    subject: [{ CN: [options.commonName] }, ...(options.organizations ?? []).map((o) => ({ O: [o] }))],
    issuer: ca.cert.subjectName,
    publicKey: keys.publicKey,
    signingKey: ca.signer.privateKey,
    signingAlgorithm: ca.signer.algorithm,
    notBefore: new Date(options.now.getTime() - BACKDATE_MS),
    // A certificate outliving its CA would fail verification anyway; end it with the CA.
    notAfter: new Date(Math.min(options.now.getTime() + options.days * DAY_MS, ca.cert.notAfter.getTime())),
    extensions,
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyToPem(keys.privateKey) };
}

/** Whether the certificate names the CA as issuer and carries a valid signature by its key. */
export async function isIssuedBy(cert: x509.X509Certificate, ca: CertificateAuthority): Promise<boolean> {
  if (cert.issuer !== ca.cert.subject) return false;
  return cert.verify({ publicKey: ca.cert, signatureOnly: true });
}

export function expiresWithin(cert: x509.X509Certificate, now: Date, ms: number): boolean {
  return cert.notAfter.getTime() - now.getTime() < ms;
}

/** An IP entry when the value parses as an IP address, a DNS entry otherwise. */
export function toSubjectAltName(value: string): SubjectAltName {
  const family = isIP(value);
  if (family === 0) return { type: 'dns', value: value.toLowerCase() };
  return { type: 'ip', value: new SocketAddress({ address: value, family: family === 6 ? 'ipv6' : 'ipv4' }).address };
}

/** The DNS and IP subjectAltNames of a certificate, canonicalised. */
export function subjectAltNamesOf(cert: x509.X509Certificate): SubjectAltName[] {
  const ext = cert.getExtension(x509.SubjectAlternativeNameExtension);
  if (ext === null) return [];
  const names: SubjectAltName[] = [];
  for (const { type, value } of ext.names.toJSON()) {
    if (type === 'dns') names.push({ type, value: value.toLowerCase() });
    else if (type === 'ip' && isIP(value) !== 0) names.push(toSubjectAltName(value));
  }
  return names;
}

/** Entries of `wanted` the certificate does not cover (exact match; wildcards are not issued). */
export function missingSubjectAltNames(
  cert: x509.X509Certificate,
  wanted: readonly SubjectAltName[],
): SubjectAltName[] {
  const have = new Set(subjectAltNamesOf(cert).map((san) => `${san.type}:${san.value}`));
  return wanted.filter((san) => !have.has(`${san.type}:${san.value}`));
}
