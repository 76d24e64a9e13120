import { describe, expect, it } from 'vitest';
import {
  bitString, boolean, encodeLength, explicit, generalizedTime, implicitPrimitive, integer, octetString, oid, sequence,
  setOf, tlv, toPem, utcTime, x509Time,
} from '../../../daemon/src/tls/pure/der.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('DER lengths', () => {
  it('uses the short form below 128 and the long form with minimal bytes above', () => {
    expect(hex(encodeLength(0))).toBe('00');
    expect(hex(encodeLength(127))).toBe('7f');
    expect(hex(encodeLength(128))).toBe('8180');
    expect(hex(encodeLength(255))).toBe('81ff');
    expect(hex(encodeLength(256))).toBe('820100');
    expect(hex(encodeLength(65535))).toBe('82ffff');
    expect(hex(encodeLength(65536))).toBe('83010000');
    expect(hex(encodeLength(2 ** 32))).toBe('850100000000');
  });

  it('frames contents of 200 and 70 000 bytes with the right header', () => {
    const medium = octetString(Buffer.alloc(200, 7));
    expect(hex(medium.subarray(0, 3))).toBe('0481c8');
    expect(medium.length).toBe(203);
    const large = octetString(Buffer.alloc(70_000, 7));
    expect(hex(large.subarray(0, 5))).toBe('0483011170');
    expect(large.length).toBe(70_005);
    expect(large.subarray(5).every((byte) => byte === 7)).toBe(true);
  });

  it('refuses negative or fractional lengths and high-tag-number tags', () => {
    expect(() => encodeLength(-1)).toThrow(RangeError);
    expect(() => encodeLength(1.5)).toThrow(RangeError);
    expect(() => tlv(0x1f, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => tlv(256, Buffer.alloc(0))).toThrow(RangeError);
  });
});

describe('DER INTEGER', () => {
  it('encodes small numbers minimally', () => {
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(2))).toBe('020102');
    expect(hex(integer(127))).toBe('02017f');
    expect(hex(integer(256))).toBe('02020100');
  });

  it('adds a leading zero when the high bit is set, so the value stays positive', () => {
    expect(hex(integer(128))).toBe('02020080');
    expect(hex(integer(0xffff))).toBe('020300ffff');
    expect(hex(integer(Buffer.from('80ab', 'hex')))).toBe('02030080ab');
    expect(hex(integer(2n ** 64n))).toBe('0209010000000000000000');
  });

  it('drops redundant leading zero bytes of a magnitude', () => {
    expect(hex(integer(Buffer.from('00000005', 'hex')))).toBe('020105');
    expect(hex(integer(Buffer.from('000080', 'hex')))).toBe('02020080');
    expect(hex(integer(Buffer.from('0000', 'hex')))).toBe('020100');
    expect(hex(integer(Buffer.alloc(0)))).toBe('020100');
  });

  it('refuses negative numbers', () => {
    expect(() => integer(-1)).toThrow(RangeError);
    expect(() => integer(-5n)).toThrow(RangeError);
  });
});

describe('DER OBJECT IDENTIFIER', () => {
  it('encodes the signature and key OIDs a certificate uses', () => {
    expect(hex(oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(oid('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    expect(hex(oid('2.5.29.17'))).toBe('0603551d11');
  });

  it('encodes large arcs, beyond 2^53, in base 128 (vectors from openssl asn1parse -genstr)', () => {
    expect(hex(oid('2.25.329800735698586629295641978511506172918'))).toBe('06146983f09da7ebcfdee0c7a1a7b2c0948cc8f9d776');
    expect(hex(oid('2.999.3'))).toBe('0603883703');
  });

  it('refuses malformed identifiers', () => {
    for (const bad of ['', '1', '3.1', '1.40.1', '1.02.3', '1..2', '1.2.', 'a.b']) {
      expect(() => oid(bad), bad).toThrow(RangeError);
    }
  });
});

describe('DER strings, times and constructed types', () => {
  it('encodes BOOLEAN, BIT STRING and context tags', () => {
    expect(hex(boolean(true))).toBe('0101ff');
    expect(hex(boolean(false))).toBe('010100');
    expect(hex(bitString(Buffer.from([0x80]), 7))).toBe('03020780');
    expect(() => bitString(Buffer.from([0x80]), 8)).toThrow(RangeError);
    expect(hex(explicit(0, integer(2)))).toBe('a003020102');
    expect(hex(implicitPrimitive(7, Buffer.from([10, 0, 0, 1])))).toBe('87040a000001');
  });

  it('sorts SET OF members by their encoding', () => {
    expect(hex(setOf(integer(5), integer(1), integer(3)))).toBe('3109020101020103020105');
    expect(hex(sequence(integer(5), integer(1)))).toBe('3006020105020101');
  });

  it('writes UTCTime through 2049 and GeneralizedTime from 2050', () => {
    const last = new Date('2049-12-31T23:59:59Z');
    const first = new Date('2050-01-01T00:00:00Z');
    expect(x509Time(last).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(x509Time(first).toString('latin1')).toBe('\x18\x0f20500101000000Z');
    expect(x509Time(new Date('2026-03-04T05:06:07.890Z'))).toEqual(utcTime(new Date('2026-03-04T05:06:07Z')));
    expect(() => utcTime(first)).toThrow(RangeError);
    expect(generalizedTime(last).toString('latin1')).toBe('\x18\x0f20491231235959Z');
    expect(() => x509Time(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('wraps PEM at 64 columns', () => {
    const pem = toPem('CERTIFICATE', Buffer.alloc(100, 1));
    const lines = pem.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(lines.at(-1)).toBe('-----END CERTIFICATE-----');
    expect(lines.slice(1, -1).map((line) => line.length)).toEqual([64, 64, 8]);
    expect(Buffer.from(lines.slice(1, -1).join(''), 'base64')).toEqual(Buffer.alloc(100, 1));
  });
});
