// What the appliance screen shows about access: how technicians connect (every non-loopback
// address with its port), the TLS fingerprint to compare, and the setup code while setup is open.
// Only registered on the loopback kiosk listener, which serves nothing but routes marked `kiosk`.
import os from 'node:os';
import { MUTATING_METHODS, type RouteSpec } from '../http/index.ts';
import type { KioskInfo } from '../protocol/auth.ts';
import { isLoopbackAddress } from './request-checks.ts';

export interface KioskRouteDeps {
  /** The setup code while first-start setup is open, else null. */
  setupCode: () => string | null;
  main: { address: string; port: () => number; tls: boolean };
  fingerprint: () => string | null;
}

export function connectUrls(main: KioskRouteDeps['main'], interfaces = os.networkInterfaces()): KioskInfo['urls'] {
  const scheme = main.tls ? 'https' : 'http';
  const wildcard = main.address === '0.0.0.0' || main.address === '::';
  const urls: KioskInfo['urls'] = [];
  for (const [name, entries] of Object.entries(interfaces)) {
    for (const entry of entries ?? []) {
      if (entry.internal || isLoopbackAddress(entry.address)) continue;
      if (!wildcard && entry.address !== main.address) continue;
      if (main.address === '0.0.0.0' && entry.family !== 'IPv4') continue;
      const host = entry.family === 'IPv6' ? `[${entry.address}]` : entry.address;
      if (entry.family === 'IPv6' && entry.scopeid) continue; // link-local needs a zone id browsers cannot take
      urls.push({ url: `${scheme}://${host}:${main.port()}/`, address: entry.address, family: entry.family, interface: name });
    }
  }
  return urls;
}

/** Whether the kiosk listener serves a route: marked for the kiosk page, and reading only. */
export function servedOnKiosk(route: RouteSpec): boolean {
  return route.kiosk === true && !MUTATING_METHODS.has(route.method);
}

/** Whether the main listener serves a route: everything but the kiosk-only routes (the setup code). */
export function servedOnMain(route: RouteSpec): boolean {
  return route.policy !== 'kiosk';
}

export function kioskRoutes(deps: KioskRouteDeps): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/kiosk',
      policy: 'kiosk',
      kiosk: true,
      summary: 'connect addresses, TLS fingerprint and (during first start) the setup code, for the appliance screen',
      handler: (_req, res) => {
        const urls = connectUrls(deps.main);
        const loopbackOnly = isLoopbackAddress(deps.main.address);
        const info: KioskInfo = {
          urls,
          hostname: os.hostname(),
          fingerprint: deps.fingerprint(),
          tls: deps.main.tls,
          setupCode: deps.setupCode(),
          note: loopbackOnly
            ? 'Outpost listens on this device only (loopback). Set listen.address to reach it from a laptop.'
            : urls.length === 0
              ? 'No network address is up. Check the cable and the link lights.'
              : null,
        };
        res.setHeader('Cache-Control', 'no-store');
        res.json(info);
      },
    },
  ];
}
