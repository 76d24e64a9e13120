// Upgrades over HTTP (docs/upgrades.md): offered bundles and their plans, apply (operator), delete
// (operator), releases with health, the rollback plan, rollback (admin), the running upgrade and
// history. The agent records every mutation in the audit log with its actor and outcome.
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Actor, UpgradeAgent } from '../agent/index.ts';
import { requestActor } from '../auth/index.ts';
import { parseBody, parseQuery, type RouteSpec } from '../http/index.ts';
import { OutpostError } from '../lib/errors.ts';
import type { WorkloadSummary } from '../protocol/cluster.ts';
import { withHealth } from './health.ts';

export interface UpgradeRouteDeps {
  agent: UpgradeAgent;
  /** The cluster view's workloads, or null when no cluster is watched. */
  workloads(): WorkloadSummary[] | null;
}

const emptyBody = z.object({}).strict();
const historyQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), release: z.string().regex(/^[a-z0-9-]{1,63}$/).optional() }).strict();

function bundleId(req: Request): string {
  const id = String(req.params.id ?? '');
  if (!/^[0-9a-f]{16}$/.test(id)) throw new OutpostError('bundle_not_found', `no bundle ${id.slice(0, 64)} is offered`);
  return id;
}

function releaseName(req: Request): string {
  const name = String(req.params.name ?? '');
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) throw new OutpostError('release_not_found', `no release ${name.slice(0, 64)}`);
  return name;
}

function actorOf(req: Request, res: Response): Actor {
  return requestActor(req, res);
}

export function upgradeRoutes(deps: UpgradeRouteDeps): RouteSpec[] {
  const { agent } = deps;
  return [
    {
      method: 'GET',
      path: '/api/v1/bundles',
      policy: 'viewer',
      summary: 'bundles offered (verified and staged), with their blocking problems',
      handler: async (_req, res) => {
        res.json({ bundles: await agent.listBundles() });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/bundles/:id/plan',
      policy: 'viewer',
      summary: 'the plan of applying an offered bundle (observed again now)',
      handler: async (req, res) => {
        res.json(await agent.bundlePlan(bundleId(req)));
      },
    },
    {
      method: 'POST',
      path: '/api/v1/bundles/:id/apply',
      policy: 'operator',
      summary: 'apply an offered bundle; 202 with the upgrade id, progress on the upgrade topic',
      audit: 'self',
      handler: async (req, res) => {
        parseBody(emptyBody, req.body);
        res.status(202).json(await agent.applyBundle(actorOf(req, res), bundleId(req)));
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/bundles/:id',
      policy: 'operator',
      summary: 'delete an offered bundle and its staged copy',
      audit: 'self',
      handler: async (req, res) => {
        res.json(await agent.discardBundle(actorOf(req, res), bundleId(req)));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/releases',
      policy: 'viewer',
      summary: 'installed releases: version, sequence, status, last outcome, kept versions, health',
      handler: async (_req, res) => {
        const workloads = deps.workloads();
        res.json({ releases: (await agent.listReleases()).map((r) => withHealth(r, workloads ?? [], workloads !== null)) });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/releases/:name/rollback-plan',
      policy: 'viewer',
      summary: 'the plan of rolling a release back to its previous committed version',
      handler: async (req, res) => {
        res.json(await agent.rollbackPlan(releaseName(req)));
      },
    },
    {
      method: 'POST',
      path: '/api/v1/releases/:name/rollback',
      policy: 'admin',
      summary: 'roll a release back to its previous committed version (plan and gate as an upgrade); 202',
      audit: 'self',
      handler: async (req, res) => {
        parseBody(emptyBody, req.body);
        res.status(202).json(await agent.rollbackRelease(actorOf(req, res), releaseName(req)));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/upgrades/current',
      policy: 'viewer',
      summary: 'the running upgrade (phase, step n of N, bytes, workloads), or null',
      handler: async (_req, res) => {
        res.json({ upgrade: await agent.currentUpgrade() });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/upgrades/history',
      policy: 'viewer',
      summary: 'upgrades newest first, with outcome, code and reasons (?release=, ?limit=)',
      handler: async (req, res) => {
        const q = parseQuery(historyQuery, req.query);
        res.json({ upgrades: await agent.upgradeHistory({ limit: q.limit, ...(q.release ? { release: q.release } : {}) }) });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/upgrades/:id',
      policy: 'viewer',
      summary: 'one upgrade with its outcome and reasons',
      handler: async (req, res) => {
        const id = String(req.params.id ?? '');
        const upgrade = /^[0-9a-f-]{36}$/.test(id) ? await agent.getUpgrade(id) : null;
        if (!upgrade) throw new OutpostError('upgrade_not_found', `no upgrade ${id.slice(0, 64)}`);
        res.json({ upgrade });
      },
    },
  ];
}
