// The TLS capability's errors. Each carries a stable code; the HTTP/CLI layers map them
// (a configured certificate that cannot be used is an operator mistake, not a crash).

export const TLS_ERROR_CODES = [
  /** A configured certificate file is missing, not a regular file, too large, or unreadable. */
  'tls_cert_unreadable',
  /** A configured certificate file holds no parseable X.509 certificate. */
  'tls_cert_invalid',
  /** A configured certificate has expired. */
  'tls_cert_expired',
  /** A configured certificate's notBefore lies in the future (often a wrong device clock). */
  'tls_cert_not_yet_valid',
  /** A configured key file is missing, not a regular file, too large, or unreadable. */
  'tls_key_unreadable',
  /** A configured key file holds no parseable, unencrypted private key. */
  'tls_key_invalid',
  /** A configured key is not the private key of the configured certificate. */
  'tls_key_mismatch',
  /** A hostname or address given for the certificate is not a valid DNS name or IP address. */
  'tls_invalid_name',
  /** The generated certificate or key could not be written under the state folder. */
  'tls_store_failed',
] as const;

export type TlsErrorCode = (typeof TLS_ERROR_CODES)[number];

export class TlsError extends Error {
  readonly code: TlsErrorCode;

  constructor(code: TlsErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TlsError';
    this.code = code;
  }
}

export function isTlsError(value: unknown): value is TlsError {
  return value instanceof TlsError;
}
