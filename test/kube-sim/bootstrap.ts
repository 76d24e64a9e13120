// What a fresh single-node k3s has before anyone applies anything: the four namespaces, the node
// with its status, the `kubernetes` Service, the bootstrap RBAC policy, the `local-path`
// StorageClass, and k3s's HelmChart and HelmChartConfig CRDs (established at once).
import type { Api } from './api.ts';
import { KUBE_VERSION } from './discovery.ts';
import { loadObjects, parseManifests } from './fixtures.ts';
import type { Obj } from './types.ts';

export function bootstrapCluster(api: Api, nodeName: string): void {
  const ns = api.info('v1', 'Namespace');
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) api.create(ns, undefined, { metadata: { name } });
  const nodeInfo = api.info('v1', 'Node');
  api.create(nodeInfo, undefined, nodeObject(nodeName));
  const node = api.find(nodeInfo, undefined, nodeName);
  if (node) api.writeStatus(nodeInfo, node, nodeStatus(api.store.now(), nodeName));
  const apiserver = { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } };
  api.create(api.info('v1', 'Service'), 'default', {
    metadata: apiserver,
    spec: { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
  });
  loadObjects(api, parseManifests(BOOTSTRAP_RBAC, 'bootstrap-rbac'), 'kube-apiserver');
  loadObjects(api, parseManifests(K3S_OBJECTS, 'k3s'), 'k3s');
}

function nodeObject(name: string): Obj {
  return {
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/control-plane': 'true',
        'node-role.kubernetes.io/master': 'true',
        'node.kubernetes.io/instance-type': 'k3s',
      },
      annotations: { 'k3s.io/hostname': name, 'k3s.io/internal-ip': '10.0.0.10' },
    },
    spec: { podCIDR: '10.42.0.0/24', podCIDRs: ['10.42.0.0/24'], providerID: `k3s://${name}` },
  };
}

function nodeStatus(now: Date, nodeName: string): Obj {
  const t = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const c = (type: string, status: string, reason: string, message: string): Obj => ({
    type,
    status,
    lastHeartbeatTime: t,
    lastTransitionTime: t,
    reason,
    message,
  });
  const resources = { cpu: '4', memory: '8029028Ki', pods: '110', 'ephemeral-storage': '61255492Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' };
  return {
    capacity: resources,
    allocatable: { ...resources, 'ephemeral-storage': '59589342166' },
    conditions: [
      c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [
      { type: 'InternalIP', address: '10.0.0.10' },
      { type: 'Hostname', address: nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: 'b2c4a7e0c3d94a0f8e1f0f5e4d3c2b1a',
      systemUUID: 'b2c4a7e0-c3d9-4a0f-8e1f-0f5e4d3c2b1a',
      bootID: '5a0f2e1c-7b7d-4f43-9f0e-2f3c4b5a6d7e',
      kernelVersion: '6.1.0-28-amd64',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'containerd://1.7.27-k3s1',
      kubeletVersion: KUBE_VERSION.gitVersion,
      kubeProxyVersion: KUBE_VERSION.gitVersion,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
    images: [],
  };
}

const helmCrd = (kind: string, plural: string, columns: string): string => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${plural}.helm.cattle.io}
spec:
  group: helm.cattle.io
  names: {kind: ${kind}, plural: ${plural}, singular: ${kind.toLowerCase()}, listKind: ${kind}List}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      subresources: {status: {}}
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
${columns}`;

const HELM_COLUMNS = `      additionalPrinterColumns:
        - {name: Job, type: string, jsonPath: .status.jobName}
        - {name: Chart, type: string, jsonPath: .spec.chart}
        - {name: TargetNamespace, type: string, jsonPath: .spec.targetNamespace}
        - {name: Version, type: string, jsonPath: .spec.version}
        - {name: Repo, type: string, jsonPath: .spec.repo}
        - {name: HelmVersion, type: string, jsonPath: .spec.helmVersion}
        - {name: Bootstrap, type: string, jsonPath: .spec.bootstrap}
`;

const bootstrapMeta = `labels: {kubernetes.io/bootstrapping: rbac-defaults}
  annotations: {rbac.authorization.kubernetes.io/autoupdate: "true"}`;
const toGroups = (role: string, groups: string[]): string => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: "${role}"
  ${bootstrapMeta}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "${role}"}
subjects:
${groups.map((g) => `  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "${g}"}`).join('\n')}`;

/** The bootstrap roles and bindings of a real API server that RBAC users depend on. */
const BOOTSTRAP_RBAC = [
  `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cluster-admin
  ${bootstrapMeta}
rules:
  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
  - {nonResourceURLs: ["*"], verbs: ["*"]}`,
  toGroups('cluster-admin', ['system:masters']),
  `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:discovery
  ${bootstrapMeta}
rules:
  - nonResourceURLs: [/api, /api/*, /apis, /apis/*, /healthz, /livez, /openapi, /openapi/*, /readyz, /version, /version/]
    verbs: [get]`,
  toGroups('system:discovery', ['system:authenticated']),
  `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:basic-user
  ${bootstrapMeta}
rules:
  - {apiGroups: [authentication.k8s.io], resources: [selfsubjectreviews], verbs: [create]}
  - {apiGroups: [authorization.k8s.io], resources: [selfsubjectaccessreviews, selfsubjectrulesreviews], verbs: [create]}`,
  toGroups('system:basic-user', ['system:authenticated']),
  `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:public-info-viewer
  ${bootstrapMeta}
rules:
  - {nonResourceURLs: [/healthz, /livez, /readyz, /version, /version/], verbs: [get]}`,
  toGroups('system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
].join('\n---\n');

const K3S_OBJECTS = [
  helmCrd('HelmChart', 'helmcharts', HELM_COLUMNS),
  helmCrd('HelmChartConfig', 'helmchartconfigs', ''),
  `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: local-path, annotations: {storageclass.kubernetes.io/is-default-class: "true"}}
provisioner: rancher.io/local-path
reclaimPolicy: Delete
volumeBindingMode: WaitForFirstConsumer`,
].join('\n---\n');
