// A small ASN.1 DER encoder: just the types an X.509 v3 certificate needs. Every function returns
// the complete TLV (tag, minimal definite length, contents) as a Buffer, so values nest by
// concatenation. Inputs that DER cannot represent throw a RangeError (a programming error here,
// never user input: names and addresses are validated before they reach this module).

const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Definite-length encoding: short form below 128, else 0x80|n followed by n big-endian bytes. */
export function encodeLength(length: number): Buffer {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`invalid DER length ${length}`);
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with a single-byte tag (low-tag-number form; every tag used here is below 31). */
export function tlv(tag: number, contents: Uint8Array): Buffer {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xff || (tag & 0x1f) === 0x1f) throw new RangeError(`unsupported DER tag ${tag}`);
  return Buffer.concat([Buffer.from([tag]), encodeLength(contents.length), contents]);
}

export function sequence(...items: Uint8Array[]): Buffer {
  return tlv(TAG.sequence, Buffer.concat(items));
}

/** SET OF: DER requires the encoded members in ascending byte order. */
export function setOf(...items: Uint8Array[]): Buffer {
  const sorted = [...items].sort((a, b) => Buffer.compare(a, b));
  return tlv(TAG.set, Buffer.concat(sorted));
}

export function boolean(value: boolean): Buffer {
  return tlv(TAG.boolean, Buffer.from([value ? 0xff : 0x00]));
}

export function nullValue(): Buffer {
  return tlv(TAG.null, Buffer.alloc(0));
}

/**
 * A non-negative INTEGER. A byte array is read as an unsigned big-endian magnitude: redundant
 * leading zeros are dropped and one zero byte is added when the high bit is set, so the value stays
 * positive in two's complement.
 */
export function integer(value: number | bigint | Uint8Array): Buffer {
  let magnitude: Buffer;
  if (value instanceof Uint8Array) {
    magnitude = Buffer.from(value);
  } else {
    const big = BigInt(value);
    if (big < 0n) throw new RangeError('negative INTEGERs are not supported');
    const hex = big.toString(16);
    magnitude = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  }
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start += 1;
  let contents = magnitude.subarray(start);
  if (contents.length === 0) contents = Buffer.from([0]);
  if ((contents[0] ?? 0) & 0x80) contents = Buffer.concat([Buffer.from([0]), contents]);
  return tlv(TAG.integer, contents);
}

/** Base-128 with the continuation bit on every byte but the last; arcs may exceed 2^53. */
function base128(arc: bigint): number[] {
  const bytes = [Number(arc & 0x7fn)];
  for (let rest = arc >> 7n; rest > 0n; rest >>= 7n) bytes.unshift(Number(rest & 0x7fn) | 0x80);
  return bytes;
}

/** An OBJECT IDENTIFIER from dotted decimal ("1.2.840.10045.4.3.2"). */
export function oid(dotted: string): Buffer {
  if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(dotted)) throw new RangeError(`invalid OID "${dotted}"`);
  const arcs = dotted.split('.').map((arc) => BigInt(arc));
  const [first = 0n, second = 0n, ...rest] = arcs;
  if (first < 2n && second > 39n) throw new RangeError(`invalid OID "${dotted}": second arc above 39`);
  const bytes = [...base128(first * 40n + second), ...rest.flatMap(base128)];
  return tlv(TAG.oid, Buffer.from(bytes));
}

/** BIT STRING whose content is whole bytes (keys, signatures, and key usage with `unusedBits`). */
export function bitString(bytes: Uint8Array, unusedBits = 0): Buffer {
  if (!Number.isInteger(unusedBits) || unusedBits < 0 || unusedBits > 7) throw new RangeError('unusedBits must be 0..7');
  if (bytes.length === 0 && unusedBits !== 0) throw new RangeError('an empty BIT STRING has no unused bits');
  return tlv(TAG.bitString, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

export function octetString(bytes: Uint8Array): Buffer {
  return tlv(TAG.octetString, bytes);
}

export function utf8String(text: string): Buffer {
  return tlv(TAG.utf8String, Buffer.from(text, 'utf8'));
}

export function printableString(text: string): Buffer {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)) throw new RangeError(`not a PrintableString: ${JSON.stringify(text)}`);
  return tlv(TAG.printableString, Buffer.from(text, 'latin1'));
}

/** The contents octets of an IA5String (ASCII only), for use under an IMPLICIT tag. */
export function ia5Bytes(text: string): Buffer {
  if (![...text].every((char) => char.charCodeAt(0) < 0x80)) throw new RangeError(`not an IA5String: ${JSON.stringify(text)}`);
  return Buffer.from(text, 'latin1');
}

export function ia5String(text: string): Buffer {
  return tlv(TAG.ia5String, ia5Bytes(text));
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function assertTime(date: Date): void {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid date');
}

/** UTCTime YYMMDDHHMMSSZ, for years 1950..2049 only. */
export function utcTime(date: Date): Buffer {
  assertTime(date);
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 2049) throw new RangeError(`UTCTime cannot hold the year ${year}`);
  const text = pad(year % 100, 2) + pad(date.getUTCMonth() + 1, 2) + pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) + pad(date.getUTCMinutes(), 2) + pad(date.getUTCSeconds(), 2) + 'Z';
  return tlv(TAG.utcTime, Buffer.from(text, 'latin1'));
}

/** GeneralizedTime YYYYMMDDHHMMSSZ (no fractional seconds, as RFC 5280 requires). */
export function generalizedTime(date: Date): Buffer {
  assertTime(date);
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`GeneralizedTime cannot hold the year ${year}`);
  const text = pad(year, 4) + pad(date.getUTCMonth() + 1, 2) + pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) + pad(date.getUTCMinutes(), 2) + pad(date.getUTCSeconds(), 2) + 'Z';
  return tlv(TAG.generalizedTime, Buffer.from(text, 'latin1'));
}

/** X.509 Time (RFC 5280 4.1.2.5): UTCTime through 2049, GeneralizedTime from 2050 on. */
export function x509Time(date: Date): Buffer {
  assertTime(date);
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? utcTime(date) : generalizedTime(date);
}

/** [n] EXPLICIT: a constructed context-specific tag wrapping one complete TLV. */
export function explicit(tagNumber: number, inner: Uint8Array): Buffer {
  if (tagNumber < 0 || tagNumber > 30) throw new RangeError(`context tag ${tagNumber} out of range`);
  return tlv(0xa0 | tagNumber, inner);
}

/** [n] IMPLICIT on a primitive type: the context tag replaces the type's own tag. */
export function implicitPrimitive(tagNumber: number, contents: Uint8Array): Buffer {
  if (tagNumber < 0 || tagNumber > 30) throw new RangeError(`context tag ${tagNumber} out of range`);
  return tlv(0x80 | tagNumber, contents);
}

/** PEM armour with 64-column base64 lines. */
export function toPem(label: string, der: Uint8Array): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
