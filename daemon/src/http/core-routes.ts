// Liveness, readiness and version: public, cheap, no secrets.
import type { RouteSpec } from './route-table.ts';
import type { Readiness, ReadinessCheck, VersionInfo } from '../protocol/api.ts';
import { FEED_PROTOCOL } from '../protocol/feed.ts';

export type ReadinessProbe = () => ReadinessCheck | Promise<ReadinessCheck>;

export async function evaluateReadiness(probes: readonly ReadinessProbe[]): Promise<Readiness> {
  const checks = await Promise.all(
    probes.map(async (probe) => {
      try {
        return await probe();
      } catch (error) {
        return { name: probe.name || 'probe', status: 'failing', required: true, reason: String(error) } satisfies ReadinessCheck;
      }
    }),
  );
  return { ready: checks.every((c) => c.status === 'ok' || !c.required), checks };
}

export function coreRoutes(options: { version: string; readiness: readonly ReadinessProbe[] }): RouteSpec[] {
  const versionInfo: VersionInfo = {
    name: 'outpost',
    version: options.version,
    node: process.versions.node,
    protocol: FEED_PROTOCOL,
    platform: process.platform,
    arch: process.arch,
  };
  return [
    {
      method: 'GET',
      path: '/healthz',
      policy: 'public',
      summary: 'the process is alive',
      handler: (_req, res) => void res.json({ status: 'ok' }),
    },
    {
      method: 'GET',
      path: '/readyz',
      policy: 'public',
      summary: 'dependencies, each with a reason when failing',
      handler: async (_req, res) => {
        const readiness = await evaluateReadiness(options.readiness);
        res.status(readiness.ready ? 200 : 503).json(readiness);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/version',
      policy: 'public',
      summary: 'daemon version, runtime and protocol',
      handler: (_req, res) => void res.json(versionInfo),
    },
  ];
}
