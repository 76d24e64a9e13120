// The agent's verbs (pure): the one table of what the privileged process does for others, each with
// the zod schema its arguments must pass. The agent validates every request against it again,
// whoever sent it (the web process, the CLI, or something that should not have); the in-process
// agent goes through the same table. To add a verb: one entry here, one method in AgentVerbs, one
// implementation in agent-main.ts. docs/architecture.md lists them.
import { z } from 'zod';
import type { AuditInput, VerificationStatus } from '../audit/index.ts';
import type { AuditChainState } from '../support/index.ts';
import { DEVICE_NAME } from '../usb/stick-pure.ts';
import type { Agent } from './agent.ts';
import type { ArrivalAgent } from './arrival-agent.ts';
import type { UpgradeAgent } from './upgrade-agent.ts';

/** A request line (JSON) is at most this long; a longer one closes the connection. */
export const MAX_LINE_BYTES = 1 << 20;
/** Records per `auditAppend` call. */
export const MAX_AUDIT_BATCH = 128;
const MAX_DETAIL_JSON = 8192;

const kubeName = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'not a Kubernetes name');
const text = (max: number) => z.string().max(max).refine((s) => !s.includes('\0'), 'contains a NUL character');

/** Who asked (the web's session, `cli:<user>`, `usb`), from where, and the request to tie records to. */
export const actorSchema = z
  .object({
    name: text(64).min(1),
    role: z.enum(['viewer', 'operator', 'admin']),
    address: text(64),
    requestId: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/).optional(),
  })
  .strict();

const workloadTarget = z.object({ namespace: kubeName, kind: z.enum(['deployment', 'statefulset', 'daemonset']), name: kubeName }).strict();
const podTarget = z.object({ namespace: kubeName, name: kubeName }).strict();
const bundleId = z.string().regex(/^[0-9a-f]{16}$/, 'not a bundle id');
const releaseName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'not a release name');
const upgradeId = z.string().regex(/^[0-9a-f-]{36}$/, 'not an upgrade id');
const absolutePath = text(4096).regex(/^\/.*[^/]$/, 'not an absolute file path');
const offerRequest = z.object({ path: absolutePath, source: z.enum(['cli', 'upload', 'usb']) }).strict();
const uploadRef = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/, 'not an upload id') }).strict();
const deviceName = z.string().regex(DEVICE_NAME, 'not a block device name');
const outcome = z.object({ written: z.boolean(), message: text(500) }).strict();
const usbAttachRequest = z
  .object({
    device: deviceName,
    devicePath: z.string().regex(/^\/dev\/[a-z][a-z0-9_-]{0,31}$/, 'not a block device path'),
    mountPoint: absolutePath.nullable(),
    fsType: text(32).nullable(),
    label: text(128).nullable(),
    serial: text(128).nullable(),
    problem: z.object({ code: text(64), message: text(500) }).strict().optional(),
  })
  .strict();
const usbDetachRequest = z.object({ device: deviceName, reason: z.enum(['unmounted', 'removed']), resultFile: outcome.nullable().optional(), supportBundle: outcome.nullable().optional() }).strict();
const historyQuery = z.object({ limit: z.number().int().min(1).max(500), release: releaseName.optional() }).strict();

const auditInput = z
  .object({
    actor: text(64),
    role: text(16),
    address: text(64),
    action: text(64).min(1),
    target: text(256).optional(),
    outcome: z.enum(['success', 'failure', 'denied']),
    detail: z
      .record(z.string(), z.unknown())
      .refine((d) => JSON.stringify(d).length <= MAX_DETAIL_JSON, `detail is longer than ${MAX_DETAIL_JSON} characters of JSON`)
      .optional(),
  })
  .strict();

export interface VerbSpec {
  args: z.ZodTuple;
  summary: string;
  /** The last two parameters are a callback for events and an AbortSignal; the answer ends the stream. */
  stream?: boolean;
  /** A bulk stream: the client opens a connection of its own, so holding it back holds up nothing else. */
  ownConnection?: boolean;
  /** The actor (first argument) must hold at least this role: the agent checks again what the web checked. */
  minRole?: 'operator' | 'admin';
  /** A subscription that does not keep a socket-activated agent from exiting when idle. */
  passive?: boolean;
}

const verb = (args: z.ZodTuple, summary: string, more: Omit<VerbSpec, 'args' | 'summary'> = {}): VerbSpec => ({ args, summary, ...more });
const none = z.tuple([]);

export const AGENT_VERBS = {
  agentInfo: verb(none, 'who answers: version, pid, whether the upgrade engine is ready, the write identity'),
  // Cluster actions.
  restartWorkload: verb(z.tuple([actorSchema, workloadTarget]), 'rollout restart of a deployment, statefulset or daemonset', { minRole: 'operator' }),
  deletePod: verb(z.tuple([actorSchema, podTarget]), 'delete one pod', { minRole: 'operator' }),
  // Bundles and upgrades.
  offerBundle: verb(z.tuple([actorSchema, offerRequest]), 'verify and stage a bundle file, return its plan', { minRole: 'operator' }),
  listBundles: verb(none, 'offered bundles'),
  bundlePlan: verb(z.tuple([bundleId]), 'plan an offered bundle against what is observed now'),
  discardBundle: verb(z.tuple([actorSchema, bundleId]), 'delete an offered bundle', { minRole: 'operator' }),
  applyBundle: verb(z.tuple([actorSchema, bundleId]), 'apply an offered bundle on the mutation lane', { minRole: 'operator' }),
  rollbackPlan: verb(z.tuple([releaseName]), 'plan the rollback of a release'),
  rollbackRelease: verb(z.tuple([actorSchema, releaseName]), 'roll a release back to its previous committed version', { minRole: 'admin' }),
  listReleases: verb(none, 'installed releases'),
  currentUpgrade: verb(none, 'the running upgrade, or null'),
  getUpgrade: verb(z.tuple([upgradeId]), 'one upgrade'),
  upgradeHistory: verb(z.tuple([historyQuery]), 'upgrades, newest first'),
  upgradeState: verb(none, 'the upgrade topic’s snapshot'),
  followUpgrade: verb(z.tuple([upgradeId]), 'every change of one upgrade until it ends', { stream: true }),
  watchUpgrades: verb(none, 'every upgrade event (the web’s `upgrade` topic)', { stream: true, passive: true }),
  // Bundles arriving (docs/uploads-and-usb.md): an upload the web spooled, USB sticks `outpost usb attach` mounted.
  offerUpload: verb(z.tuple([actorSchema, uploadRef]), 'verify and stage a finished upload from the spool (named by its id only)', { minRole: 'operator' }),
  usbAttach: verb(z.tuple([usbAttachRequest]), 'work through a mounted stick; its state as events, what to write back as the answer', { stream: true }),
  usbDetach: verb(z.tuple([usbDetachRequest]), 'a stick was unmounted or removed'),
  usbState: verb(none, 'the usb topic’s snapshot'),
  watchUsb: verb(none, 'every USB event (the web’s `usb` topic)', { stream: true, passive: true }),
  // The audit chain: its key never leaves the agent.
  auditAppend: verb(z.tuple([z.array(auditInput).min(1).max(MAX_AUDIT_BATCH)]), 'append records to the keyed chain (the agent signs them)'),
  auditStatus: verb(none, 'the chain’s state for the Audit page (checked from its checkpoint)'),
  auditChainState: verb(none, 'a full walk of the chain, for the support bundle'),
  // Support bundle: what only the agent may read.
  supportJournal: verb(none, 'the journal of the outpost units as text chunks', { stream: true, ownConnection: true }),
} as const satisfies Record<string, VerbSpec>;

export type AgentVerb = keyof typeof AGENT_VERBS;

export function verbSpec(verb: AgentVerb): VerbSpec {
  return AGENT_VERBS[verb];
}

export function isAgentVerb(value: unknown): value is AgentVerb {
  return typeof value === 'string' && Object.hasOwn(AGENT_VERBS, value);
}

export interface AgentInfo {
  version: string;
  pid: number;
  /** The upgrade engine holds its lock and has recovered any unfinished upgrade. */
  engineReady: boolean;
  /** The write identity's API server, or why there is none. */
  kube: { server: string | null; problem: string | null };
}

export interface AuditVerbs {
  auditAppend(records: AuditInput[]): Promise<{ appended: number; lastId: number }>;
  auditStatus(): Promise<VerificationStatus>;
  auditChainState(): Promise<AuditChainState>;
}

export interface SupportVerbs {
  /** Resolves when the journal ends; `onChunk` may return a promise to hold the producer back. */
  supportJournal(onChunk: (text: string) => void | Promise<void>, signal: AbortSignal): Promise<void>;
}

/** Everything the agent does for others: one method per verb above. */
export interface AgentVerbs extends Agent, UpgradeAgent, ArrivalAgent, AuditVerbs, SupportVerbs {
  agentInfo(): Promise<AgentInfo>;
}

export type ArgsCheck = { ok: true; args: unknown[] } | { ok: false; errors: { path: string; message: string }[]; forbidden?: boolean };

const RANK = { viewer: 0, operator: 1, admin: 2 } as const;

/** Validates a request's arguments against its verb's schema (the stream callback and signal are not sent). */
export function checkArgs(verb: AgentVerb, args: unknown): ArgsCheck {
  const result = AGENT_VERBS[verb].args.safeParse(args);
  if (result.success) {
    const need = verbSpec(verb).minRole;
    const role = (result.data[0] as { role?: keyof typeof RANK } | undefined)?.role;
    if (need && (role === undefined || RANK[role] < RANK[need])) return { ok: false, errors: [{ path: '0.role', message: `${verb} needs the ${need} role` }], forbidden: true };
    return { ok: true, args: result.data as unknown[] };
  }
  const errors = result.error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String).join('.') || '(args)', message: i.message }));
  return { ok: false, errors };
}
