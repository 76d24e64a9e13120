// TLS capability: the certificate the non-loopback HTTPS listeners serve (generated, reused or
// configured) and the device names and addresses it must cover. See docs/tls.md.

export {
  ensureCertificate, certificatePaths, RENEW_BEFORE_DAYS,
  type EnsureCertificateOptions, type TlsCertificate,
} from './certificate-adapter.ts';
export { deviceAddresses } from './device-addresses-adapter.ts';
export { listDeviceAddresses, type DeviceAddresses } from './pure/device-names.ts';
export { normalizeSubjectAltNames, parseIpAddress, formatIpAddress, type SubjectAltNames } from './pure/names.ts';
export { TlsError, isTlsError, TLS_ERROR_CODES, type TlsErrorCode } from './errors.ts';
