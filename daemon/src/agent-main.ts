// Composition root of the privileged agent (docs/architecture.md): its own database connection, the
// audit chain's key and the keyed log, the one mutation lane, the write identity for the cluster
// (the upgrade engine's lean REST client), the upgrade engine, and the verbs that expose them.
// `composeAgent` builds the parts (the web process uses it in-process in tests); `runAgent` serves
// them on the agent socket as `outpost agent`. Agent side: nothing of http/ or feed/ (lint rule).
import { hostname } from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { AuditLog, AuditVerifier, type AuditInput } from './audit/index.ts';
import { arrivalAgent, ExclusiveRunner, kubeAgent, openAgentSigner, type AgentInfo, type AgentVerbs } from './agent/index.ts';
import type { Config } from './config/index.ts';
import type { Logger } from './lib/logger.ts';
import { readPackageVersion } from './lib/package-info.ts';
import { openDatabase } from './store/index.ts';
import { journalChunks, type JournalOptions } from './support/index.ts';
import { auditChainState } from './support-sources.ts';
import { buildUpgradeHost, connectAgentCluster, startEngine } from './upgrade-host.ts';
import type { UpgradeService } from './upgrade/index.ts';
import { checkStickMount, readStickContents, UsbService } from './usb/index.ts';

export interface AgentParts {
  /** One method per verb (agent/verbs.ts); callers go through dispatchVerb, which validates. */
  verbs: AgentVerbs;
  /** The keyed audit log (the in-process web writes through it directly). */
  audit: AuditLog;
  runner: ExclusiveRunner;
  upgrades: UpgradeService;
  /** Resolves once the upgrade engine holds its lock and recovered any unfinished upgrade. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export interface AgentSeams {
  env?: NodeJS.ProcessEnv;
  /** journalctl for the support bundle (null: not read, as in most tests). */
  journal?: JournalOptions | null;
}

export async function composeAgent(config: Config, log: Logger, seams: AgentSeams = {}): Promise<AgentParts> {
  const env = seams.env ?? process.env;
  const alog = log.child({ module: 'agent' });
  const signer = openAgentSigner(config.home, alog);
  const db = openDatabase(config.home);
  const audit = new AuditLog(db, { signer, maxBytes: config.audit.maxBytes });
  const verifier = new AuditVerifier(audit, signer);
  const stopVerifier = verifier.start(undefined, (error) => alog.error({ err: error }, 'audit chain check failed'));
  const append = (input: AuditInput) => audit.append(input);
  const runner = new ExclusiveRunner();
  const cluster = await connectAgentCluster(config, env, alog);
  const host = await buildUpgradeHost({
    config,
    log,
    runner,
    env,
    cluster,
    audit: (e) => append({ actor: e.actor.name, role: e.actor.role, address: e.actor.address, action: e.action, target: e.target, outcome: e.outcome, detail: { ...e.detail, ...(e.actor.requestId ? { requestId: e.actor.requestId } : {}) } }),
  });
  let engineReady = false;
  const ready = startEngine(host, runner, log.child({ module: 'upgrade' })).then(() => void (engineReady = true));
  const actions = kubeAgent({
    kube: cluster.kube,
    kubeProblem: cluster.problem,
    runner,
    log: alog,
    audit: (e) => append({ actor: e.actor.name, role: e.actor.role, address: e.actor.address, action: e.action, target: e.target, outcome: e.outcome, detail: e.detail }),
  });
  const service = host.service;
  // USB sticks (`outpost usb attach` hands them over) and finished uploads from the web's spool.
  const usb = new UsbService({
    upgrades: service,
    policy: config.usb.policy,
    log: log.child({ module: 'usb' }),
    now: () => Date.now(),
    device: { hostname: hostname(), outpostVersion: readPackageVersion() },
    checkMount: (device, mountPoint) => checkStickMount(device, mountPoint),
    readContents: readStickContents,
    audit: (e) => append({ actor: e.actor.name, role: e.actor.role, address: e.actor.address, action: e.action, target: e.target, outcome: e.outcome, detail: e.detail }),
  });
  const arrival = arrivalAgent({ upgrades: service, usb, spoolDir: config.uploads.spoolDir ?? path.join(config.home, 'uploads') });
  const journal = seams.journal === undefined ? {} : seams.journal;

  const verbs: AgentVerbs = {
    agentInfo: async (): Promise<AgentInfo> => ({ version: readPackageVersion(), pid: process.pid, engineReady, kube: { server: cluster.kube?.server ?? null, problem: cluster.problem } }),
    restartWorkload: (actor, target) => actions.restartWorkload(actor, target),
    deletePod: (actor, target) => actions.deletePod(actor, target),
    offerBundle: (actor, request) => service.offerBundle(actor, request),
    listBundles: () => service.listBundles(),
    bundlePlan: (id) => service.bundlePlan(id),
    discardBundle: (actor, id) => service.discardBundle(actor, id),
    applyBundle: (actor, id) => service.applyBundle(actor, id),
    rollbackPlan: (release) => service.rollbackPlan(release),
    rollbackRelease: (actor, release) => service.rollbackRelease(actor, release),
    listReleases: () => service.listReleases(),
    currentUpgrade: () => service.currentUpgrade(),
    getUpgrade: (id) => service.getUpgrade(id),
    upgradeHistory: (query) => service.upgradeHistory(query),
    upgradeState: () => service.upgradeState(),
    followUpgrade: (id, onRecord, signal) => service.followUpgrade(id, onRecord, signal),
    watchUpgrades: (onEvent, signal) => service.watchUpgrades(onEvent, signal),
    offerUpload: (actor, request) => arrival.offerUpload(actor, request),
    usbAttach: (request, onState, signal) => arrival.usbAttach(request, onState, signal),
    usbDetach: (request) => arrival.usbDetach(request),
    usbState: () => arrival.usbState(),
    watchUsb: (onEvent, signal) => arrival.watchUsb(onEvent, signal),
    auditAppend: async (records) => {
      const written = audit.appendAll(records);
      return { appended: written.length, lastId: written.at(-1)?.id ?? 0 };
    },
    auditStatus: () => verifier.status(),
    auditChainState: () => auditChainState(audit, signer),
    supportJournal: async (onChunk, signal) => {
      if (journal === null) throw new Error('not read here');
      // Whole characters only: a chunk may end inside a UTF-8 sequence.
      const decoder = new StringDecoder('utf8');
      for await (const chunk of journalChunks(journal, signal)) {
        const text = decoder.write(chunk);
        if (text) await onChunk(text);
      }
      const rest = decoder.end();
      if (rest) await onChunk(rest);
    },
  };

  let closing: Promise<void> | undefined;
  return {
    verbs,
    audit,
    runner,
    upgrades: service,
    ready,
    close: () =>
      (closing ??= (async () => {
        // Stopping the lane aborts a running upgrade at its next step (the journal resumes it at the next start).
        runner.stop();
        await ready;
        stopVerifier();
        host.lock.release();
        host.close();
        db.close();
      })()),
  };
}
