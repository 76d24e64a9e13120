// Builds a self-signed X.509 v3 server certificate (ECDSA P-256, ecdsa-with-SHA256) in DER by
// hand, so the daemon needs no openssl binary. No file system here: key and certificate come back
// as PEM text; the adapter decides where they live.

import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  bitString, boolean, explicit, ia5Bytes, implicitPrimitive, integer, octetString, oid, sequence, setOf,
  toPem, utf8String, x509Time,
} from './der.ts';
import { parseIpAddress, type SubjectAltNames } from './names.ts';

export const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

export const DEFAULT_VALIDITY_DAYS = 825;
const DAY_MS = 86_400_000;
/** notBefore lies an hour back so a client whose clock is slightly behind still accepts it. */
const BACKDATE_MS = 3_600_000;
/** ub-common-name (RFC 5280): a longer hostname is still fully present in the SANs. */
const MAX_COMMON_NAME = 64;

export interface SelfSignedRequest {
  /** Shown as the subject's CN; the SANs are what clients actually check. */
  commonName: string;
  sans: SubjectAltNames;
  now: Date;
  validityDays?: number;
  /** An existing EC P-256 key pair; a fresh one is generated when absent. */
  keyPair?: { privateKey: KeyObject; publicKey: KeyObject };
  /** 16 random bytes for the serial; injectable for deterministic tests. */
  serialBytes?: Uint8Array;
}

export interface SelfSignedCertificate {
  certPem: string;
  /** PKCS#8, unencrypted. */
  keyPem: string;
  certDer: Buffer;
  notBefore: Date;
  notAfter: Date;
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

function name(commonName: string): Buffer {
  const attribute = (id: string, value: string) => setOf(sequence(oid(id), utf8String(value)));
  return sequence(attribute(OID.organizationName, 'Outpost'), attribute(OID.commonName, commonName.slice(0, MAX_COMMON_NAME)));
}

/** GeneralNames: dNSName is [2] IA5String, iPAddress is [7] OCTET STRING of 4 or 16 bytes. */
function subjectAltNameValue(sans: SubjectAltNames): Buffer {
  const dns = sans.dnsNames.map((dnsName) => implicitPrimitive(2, ia5Bytes(dnsName)));
  const ips = sans.ipAddresses.map((text) => {
    const bytes = parseIpAddress(text);
    if (!bytes) throw new RangeError(`not an IP address: ${text}`);
    return implicitPrimitive(7, bytes);
  });
  return sequence(...dns, ...ips);
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits (the uncompressed EC point). */
function keyIdentifier(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || !jwk.x || !jwk.y) throw new RangeError('expected an EC public key');
  const point = Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  return createHash('sha1').update(point).digest();
}

/** A positive 16-byte serial: the high bit is cleared (positive) and the next set (no leading zero to strip). */
function serialNumber(bytes: Uint8Array): Buffer {
  if (bytes.length !== 16) throw new RangeError('the serial needs 16 bytes');
  const serial = Buffer.from(bytes);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  return integer(serial);
}

export function generateP256KeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

export function buildSelfSignedCertificate(request: SelfSignedRequest): SelfSignedCertificate {
  const { privateKey, publicKey } = request.keyPair ?? generateP256KeyPair();
  if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new RangeError('the key pair must be EC P-256');
  }
  const notBefore = new Date(Math.floor((request.now.getTime() - BACKDATE_MS) / 1000) * 1000);
  const notAfter = new Date(Math.floor((request.now.getTime() + (request.validityDays ?? DEFAULT_VALIDITY_DAYS) * DAY_MS) / 1000) * 1000);
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const subject = name(request.commonName);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const hasSans = request.sans.dnsNames.length + request.sans.ipAddresses.length > 0;
  const extensions = sequence(
    extension(OID.basicConstraints, true, sequence()),
    // keyUsage BIT STRING: digitalSignature is bit 0, so one byte 0x80 with 7 unused bits.
    extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
    extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
    // GeneralNames must not be empty, so with nothing to cover the extension is left out.
    ...(hasSans ? [extension(OID.subjectAltName, false, subjectAltNameValue(request.sans))] : []),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(publicKey))),
  );
  const tbs = sequence(
    explicit(0, integer(2)), // version: v3
    serialNumber(request.serialBytes ?? randomBytes(16)),
    algorithm,
    subject, // issuer: self-signed
    sequence(x509Time(notBefore), x509Time(notAfter)),
    subject,
    spki,
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const certDer = sequence(tbs, algorithm, bitString(signature));
  return {
    certPem: toPem('CERTIFICATE', certDer),
    keyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    certDer,
    notBefore,
    notAfter,
  };
}
