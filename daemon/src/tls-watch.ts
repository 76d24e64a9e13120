// Keeps the served certificate covering the device's current names and addresses: checks at start
// and every minute (cables and DHCP change addresses), swapping the secure context in place.
import type { Server as HttpsServer } from 'node:https';
import type { Config } from './config/index.ts';
import type { Logger } from './lib/logger.ts';
import { deviceAddresses, ensureCertificate, type TlsCertificate } from './tls/index.ts';

export interface CertificateWatch {
  readonly current: TlsCertificate;
  /** Starts re-checking; a given HTTPS server gets the new certificate when it changes. */
  start(server: HttpsServer | undefined, intervalMs?: number): () => void;
}

async function obtain(config: Config): Promise<TlsCertificate> {
  const device = deviceAddresses();
  const configured = config.tls.certFile && config.tls.keyFile ? { certFile: config.tls.certFile, keyFile: config.tls.keyFile } : undefined;
  // localhost and the loopback addresses too: a browser on the device itself may use them.
  return ensureCertificate({
    dir: config.home,
    hostnames: [...device.hostnames, 'localhost', ...config.allowedHosts],
    addresses: [...device.addresses, '127.0.0.1', '::1'],
    configured,
  });
}

export async function watchCertificate(config: Config, log: Logger): Promise<CertificateWatch> {
  let current = await obtain(config);
  log.info({ source: current.source, reason: current.reason, fingerprint: current.fingerprint256, sans: current.sans, notAfter: current.notAfter }, 'tls certificate ready');
  if (current.uncovered.length > 0) log.warn({ uncovered: current.uncovered }, 'the configured certificate does not cover every name of this device');
  return {
    get current() {
      return current;
    },
    start(server, intervalMs = 60_000) {
      const timer = setInterval(() => {
        obtain(config).then(
          (next) => {
            if (next.fingerprint256 === current.fingerprint256) return;
            current = next;
            server?.setSecureContext({ cert: next.certPem, key: next.keyPem });
            log.warn({ fingerprint: next.fingerprint256, reason: next.reason, sans: next.sans }, 'tls certificate replaced; the kiosk shows the new fingerprint');
          },
          (error: unknown) => log.error({ err: error }, 'tls certificate check failed; keeping the current one'),
        );
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
