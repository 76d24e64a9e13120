// What the upgrade engine's stable codes mean, in words for the person at the device: the plan's
// problem codes (docs/upgrades.md, "The plan") and the outcome codes (docs/upgrades.md, "Outcomes").
// A code with no entry here is still shown, with a generic line, so a new engine code is never hidden.

const PLAN_PROBLEMS: Record<string, string> = {
  sequence_not_newer:
    'This release already runs this sequence or a newer one. An offer never goes back; an admin can roll the release back to a version it kept.',
  sequence_below_floor: 'The release may never go below its floor sequence, and this bundle is older than that.',
  bundle_expired: 'The bundle’s validity ended. Ask for a freshly built and signed bundle.',
  architecture_mismatch: 'The bundle was built for another processor architecture than this node’s.',
  kubernetes_version: 'The bundle needs a Kubernetes version this cluster does not run.',
  outpost_too_old: 'The bundle needs a newer Outpost than this one. Upgrade Outpost first.',
  disk_space: 'There is not enough free space for the images while keeping the reserve the kubelet needs (below it, it evicts images).',
  disk_unknown: 'Outpost could not read the free space; the import fails if the disk fills up.',
  image_missing: 'A container names an image that is neither in the bundle nor on the node. This box cannot pull images from anywhere.',
  image_needs_registry:
    'A container would pull its image from a registry (imagePullPolicy: Always, or a :latest or untagged image). This box has no registry to pull from.',
  image_wrong_architecture: 'An image in the bundle is built for another processor architecture than this node’s.',
  kind_not_served: 'The cluster does not know this kind of object and the bundle brings no definition (CRD) for it.',
  owned_by_other_release: 'Another release installed this object. One release never overwrites another’s objects.',
  field_manager_conflict: 'Another tool (or a kubectl edit) set these fields. Applying takes them over; the plan lists them so nobody is surprised.',
  manifest_invalid: 'A Kubernetes manifest in the bundle cannot be read (bad YAML, or an object without kind, apiVersion or name).',
  object_refused: 'The API server refuses this object in a dry run (invalid, forbidden, or a field that cannot change).',
  cluster_unreachable: 'Outpost cannot reach the Kubernetes API server right now, so it cannot check or apply anything.',
  containerd_unreachable: 'Outpost cannot reach containerd, so it cannot check or import the images.',
};

const OUTCOME_CODES: Record<string, string> = {
  'upgrade.blocked': 'The plan had blocking problems; nothing was changed.',
  'upgrade.interrupted': 'Outpost stopped (a crash or a power cut) during the upgrade; when it started again it restored the last committed version.',
  'upgrade.import_failed': 'containerd refused an image, or did not list it after the import.',
  'upgrade.apply_failed': 'The Kubernetes API server refused an object (invalid, forbidden, or a field that cannot change).',
  'upgrade.crd_not_established': 'A custom resource definition did not become ready in time.',
  'upgrade.gate_failed': 'A workload failed the health gate: it crash-looped or could not start.',
  'upgrade.gate_timeout': 'Not every workload settled healthy within the gate’s timeout.',
  'upgrade.commit_failed': 'Recording the new version failed, so the old one was restored.',
  'upgrade.resume_limit': 'Outpost crashed three times while resuming this upgrade; the release is marked failed on its last committed version.',
  'upgrade.rollback_unhealthy': 'The previous version was restored, but it did not come back healthy either.',
  'upgrade.cluster_unreachable': 'The Kubernetes API server did not answer for too long.',
  'upgrade.cancelled': 'Outpost was stopped while the upgrade ran; it resumes at the next start.',
};

export function explainProblem(code: string): string {
  return PLAN_PROBLEMS[code] ?? 'A problem the engine found while checking the plan (see docs/upgrades.md).';
}

export function explainOutcomeCode(code: string): string {
  return OUTCOME_CODES[code] ?? 'See docs/upgrades.md, “Outcomes”, for this code.';
}

/** The codes this page explains, for the test that keeps it in step with the engine. */
export const EXPLAINED_PLAN_CODES = Object.keys(PLAN_PROBLEMS);
export const EXPLAINED_OUTCOME_CODES = Object.keys(OUTCOME_CODES);
