// The CronJob controller: at each scheduled time (UTC) a Job `<name>-<minutes since epoch>` from
// the jobTemplate, owned by the CronJob; concurrencyPolicy Allow/Forbid/Replace, suspend,
// startingDeadlineSeconds, status (active, lastScheduleTime, lastSuccessfulTime) and the
// successful/failed history limits. A missed run is started once, not once per missed time.
import { listAll, ownedBy, ownerRef, type Kit } from './controller-kit.ts';
import { parseSchedule, scheduledTimes } from './cron.ts';
import { removeObject } from './deletion.ts';
import { stamp } from './store.ts';
import { clone, type KObject, type Obj } from './types.ts';

const finished = (job: Obj): string | undefined =>
  (job.status?.conditions ?? []).find((c: Obj) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.type;

function createJob(kit: Kit, cj: KObject, at: Date): KObject | undefined {
  const template: Obj = cj.spec.jobTemplate ?? {};
  const name = `${cj.metadata.name}-${Math.floor(at.getTime() / 60_000)}`;
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cj.metadata.namespace,
      labels: clone(template.metadata?.labels ?? {}),
      annotations: {
        ...clone(template.metadata?.annotations ?? {}),
        'batch.kubernetes.io/cronjob-scheduled-timestamp': at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
      ownerReferences: [ownerRef(cj)],
    },
    spec: clone(template.spec ?? {}),
  };
  const source = { component: 'cronjob-controller' };
  try {
    const created = kit.api.create(kit.info('batch/v1', 'Job'), cj.metadata.namespace, job);
    kit.events.record(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`, source);
    return created;
  } catch (error) {
    kit.events.record(cj, 'Warning', 'FailedCreate', `Error creating job: ${(error as Error).message}`, source);
    return undefined;
  }
}

function deleteJob(kit: Kit, cj: KObject, job: KObject, reason: string): void {
  removeObject(kit.api, kit.info('batch/v1', 'Job'), job.metadata.namespace, job.metadata.name, { propagationPolicy: 'Background' });
  kit.events.record(cj, 'Normal', reason, `Deleted job ${job.metadata.name}`, { component: 'cronjob-controller' });
}

function trimHistory(kit: Kit, cj: KObject, jobs: KObject[], type: string, limit: number): void {
  const done = jobs
    .filter((j) => finished(j) === type)
    .sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) || a.metadata.name.localeCompare(b.metadata.name));
  for (const job of done.slice(0, Math.max(0, done.length - limit))) deleteJob(kit, cj, job, 'SuccessfulDelete');
}

export function syncCronJobs(kit: Kit): void {
  const info = kit.info('batch/v1', 'CronJob');
  const now = new Date(kit.now());
  for (const cj of listAll(kit, 'batch/v1', 'CronJob')) {
    if (cj.metadata.deletionTimestamp) continue;
    let jobs = ownedBy(listAll(kit, 'batch/v1', 'Job'), cj).filter((j) => !j.metadata.deletionTimestamp);
    const status: Obj = clone(cj.status ?? {});
    for (const job of jobs) {
      const type = finished(job);
      if (!type || !(status.active ?? []).some((a: Obj) => a.uid === job.metadata.uid)) continue;
      kit.events.record(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, condition: ${type}`, { component: 'cronjob-controller' });
      if (type === 'Complete') status.lastSuccessfulTime = job.status?.completionTime ?? stamp(now);
    }
    let schedule;
    try {
      schedule = parseSchedule(String(cj.spec?.schedule ?? ''));
    } catch (error) {
      kit.events.record(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec?.schedule}: ${(error as Error).message}`, {
        component: 'cronjob-controller',
      });
      continue;
    }
    let earliest = new Date(status.lastScheduleTime ?? cj.metadata.creationTimestamp);
    const deadline = cj.spec.startingDeadlineSeconds;
    if (deadline !== undefined && deadline !== null && now.getTime() - deadline * 1000 > earliest.getTime())
      earliest = new Date(now.getTime() - deadline * 1000);
    const due = cj.spec.suspend ? undefined : scheduledTimes(schedule, earliest, now).at(-1);
    const active = jobs.filter((j) => !finished(j));
    if (due) {
      const policy = cj.spec.concurrencyPolicy ?? 'Allow';
      if (policy === 'Forbid' && active.length > 0) {
        kit.events.record(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid', {
          component: 'cronjob-controller',
        });
      } else {
        if (policy === 'Replace') for (const job of active) deleteJob(kit, cj, job, 'SuccessfulDelete');
        if (createJob(kit, cj, due)) status.lastScheduleTime = stamp(due);
        jobs = ownedBy(listAll(kit, 'batch/v1', 'Job'), cj).filter((j) => !j.metadata.deletionTimestamp);
      }
    }
    trimHistory(kit, cj, jobs, 'Complete', Number(cj.spec.successfulJobsHistoryLimit ?? 3));
    trimHistory(kit, cj, jobs, 'Failed', Number(cj.spec.failedJobsHistoryLimit ?? 1));
    const running = ownedBy(listAll(kit, 'batch/v1', 'Job'), cj).filter((j) => !j.metadata.deletionTimestamp && !finished(j));
    const known: Obj[] = cj.status?.active ?? [];
    const refs = running.map(
      (j) =>
        known.find((a) => a.uid === j.metadata.uid) ?? {
          kind: 'Job',
          namespace: j.metadata.namespace,
          name: j.metadata.name,
          uid: j.metadata.uid,
          apiVersion: 'batch/v1',
          resourceVersion: j.metadata.resourceVersion,
        },
    );
    if (refs.length) status.active = refs;
    else delete status.active;
    kit.api.writeStatus(info, cj, status);
  }
}
