// Front door of USB sticks (docs/uploads-and-usb.md). Agent side: the flow that reads a mounted
// stick, offers and applies its bundles (service.ts, imports nothing of http/ or feed/); the root
// side that `outpost usb attach|detach` runs: mounting, writing the result back (mount-adapter.ts).
export { UsbService, type UsbServiceDeps, type UsbUpgrades } from './service.ts';
export { checkStickMount, readStickContents, type StickContents, type StickFile } from './stick-files-adapter.ts';
export { resultDocument, resultText, RESULT_FORMAT, type ResultDocument } from './result-pure.ts';
export { candidatesByRelease, isDeviceName, stickActor, refusalOf, RESULT_JSON, RESULT_TEXT, SUPPORT_MARKER, BUNDLE_FOLDER } from './stick-pure.ts';
export type { UsbAttachRequest, UsbAttachResult, UsbDetachRequest } from './types.ts';
export { isMounted, mountReadOnly, MOUNT_OPTIONS, probeDevice, remount, STICK_FILESYSTEMS, unmount, writeDurably, type DeviceFacts } from './mount-adapter.ts';
