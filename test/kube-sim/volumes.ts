// Storage, as k3s's local-path provisioner and the PV controller behave on one node: a claim
// without a class gets the default StorageClass; a claim of a WaitForFirstConsumer class stays
// Pending until a pod uses it, then a PersistentVolume `pvc-<uid>` is provisioned and bound; an
// Immediate class binds at once; a released volume is deleted (reclaimPolicy Delete) or Released.
import { listAll, type Kit } from './controller-kit.ts';
import { storageKey } from './resources.ts';
import { clone, type KObject, type Obj } from './types.ts';

const PROVISIONER_NOTE = 'volume.kubernetes.io/storage-provisioner';

/** The name of the StorageClass marked default, if any (DefaultStorageClass admission). */
export function defaultStorageClass(kit: Pick<Kit, 'api'>): string | undefined {
  const classes = kit.api.store.list('storage.k8s.io/storageclasses', undefined, true);
  return classes.find((c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true')?.metadata.name;
}

function consumed(kit: Kit, pvc: KObject): boolean {
  return listAll(kit, 'v1', 'Pod').some(
    (p) =>
      p.metadata.namespace === pvc.metadata.namespace && (p.spec?.volumes ?? []).some((v: Obj) => v.persistentVolumeClaim?.claimName === pvc.metadata.name),
  );
}

function provision(kit: Kit, pvc: KObject, sc: KObject, node: string): void {
  const pvInfo = kit.info('v1', 'PersistentVolume');
  const name = `pvc-${pvc.metadata.uid}`;
  const storage = pvc.spec?.resources?.requests?.storage ?? '1Gi';
  const accessModes = pvc.spec?.accessModes ?? ['ReadWriteOnce'];
  const claimRef = {
    kind: 'PersistentVolumeClaim',
    namespace: pvc.metadata.namespace,
    name: pvc.metadata.name,
    uid: pvc.metadata.uid,
    apiVersion: 'v1',
    resourceVersion: pvc.metadata.resourceVersion,
  };
  const path = `/var/lib/rancher/k3s/storage/${name}_${pvc.metadata.namespace}_${pvc.metadata.name}`;
  const affinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } };
  const spec = {
    capacity: { storage },
    accessModes,
    persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
    storageClassName: sc.metadata.name,
    claimRef,
    hostPath: { path, type: 'DirectoryOrCreate' },
    nodeAffinity: affinity,
    volumeMode: 'Filesystem',
  };
  const pv =
    kit.api.find(pvInfo, undefined, name) ??
    kit.api.create(pvInfo, undefined, {
      metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': sc.provisioner ?? 'rancher.io/local-path' } },
      spec,
    });
  kit.api.writeStatus(pvInfo, pv, { phase: 'Bound' });
  const pvcInfo = kit.info('v1', 'PersistentVolumeClaim');
  const next = clone(pvc);
  next.spec.volumeName = name;
  next.metadata.annotations = {
    ...next.metadata.annotations,
    'pv.kubernetes.io/bind-completed': 'yes',
    'pv.kubernetes.io/bound-by-controller': 'yes',
    'volume.kubernetes.io/selected-node': node,
  };
  const saved = kit.api.writeObject(pvcInfo, next) ?? next;
  kit.api.writeStatus(pvcInfo, saved, { phase: 'Bound', accessModes, capacity: { storage } });
  kit.events.record(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`, {
    component: `${sc.provisioner}_local-path-provisioner`,
  });
}

export function syncVolumes(kit: Kit, node: string): void {
  const pvcInfo = kit.info('v1', 'PersistentVolumeClaim');
  for (const pvc of listAll(kit, 'v1', 'PersistentVolumeClaim')) {
    if (pvc.metadata.deletionTimestamp || pvc.status?.phase === 'Bound' || pvc.spec?.volumeName) continue;
    const scName = pvc.spec?.storageClassName;
    const sc = scName ? kit.api.store.peek('storage.k8s.io/storageclasses', undefined, scName) : undefined;
    if (!sc) continue;
    const waiting = sc.volumeBindingMode === 'WaitForFirstConsumer';
    if (waiting && !consumed(kit, pvc)) {
      if (pvc.metadata.annotations?.[PROVISIONER_NOTE]) continue;
      kit.api.writeObject(pvcInfo, {
        ...clone(pvc),
        metadata: { ...clone(pvc.metadata), annotations: { ...pvc.metadata.annotations, [PROVISIONER_NOTE]: sc.provisioner } },
      });
      kit.events.record(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding', {
        component: 'persistentvolume-controller',
      });
      kit.api.writeStatus(pvcInfo, pvc, { phase: 'Pending' });
      continue;
    }
    provision(kit, pvc, sc, node);
  }
  const pvInfo = kit.info('v1', 'PersistentVolume');
  for (const pv of kit.api.store.list(storageKey(pvInfo), undefined, true)) {
    const ref = pv.spec?.claimRef;
    if (!ref || pv.metadata.deletionTimestamp) continue;
    const claim = kit.api.find(pvcInfo, ref.namespace, ref.name);
    if (claim && claim.metadata.uid === ref.uid) continue;
    if (pv.spec.persistentVolumeReclaimPolicy === 'Delete') kit.api.remove(pvInfo, undefined, pv.metadata.name);
    else kit.api.writeStatus(pvInfo, pv, { phase: 'Released' });
  }
}
