// The `usb` feed topic (web side): sticks present, how far each got, what became of its bundles.
// Fed by the agent's USB events; shown on the kiosk (marked `kiosk: true`: it names no secret, and
// the appliance screen is where a person with a stick looks).
import type { ArrivalAgent } from '../agent/index.ts';
import type { FeedHub, Topic } from '../feed/index.ts';
import type { Logger } from '../lib/logger.ts';
import { initialUsbState, reduceUsb, type UsbEvent, type UsbPolicy, type UsbState } from '../protocol/arrival.ts';

export function attachUsb(options: { hub: FeedHub; agent: Pick<ArrivalAgent, 'watchUsb' | 'usbState'>; policy: UsbPolicy; log: Logger }): { topic: Topic<UsbState, UsbEvent>; stop(): void } {
  const topic = options.hub.define<UsbState, UsbEvent>({ name: 'usb', policy: 'viewer', kiosk: true, initial: initialUsbState(options.policy), reduce: reduceUsb });
  const controller = new AbortController();
  // Watch first, then the snapshot: every event replaces a whole stick, so none is lost between them.
  void options.agent.watchUsb((event) => topic.publish(event), controller.signal).catch((error: unknown) => options.log.error({ err: error }, 'the USB event stream ended'));
  void options.agent.usbState().then(
    (state) => topic.publish({ kind: 'usb.state.v1', state }),
    (error: unknown) => options.log.error({ err: error }, 'cannot load the USB state'),
  );
  return { topic, stop: () => controller.abort() };
}
