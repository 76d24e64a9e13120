// The `usb` feed topic (web side): sticks present, how far each got, what became of its bundles.
// Fed by the agent's USB events; shown on the kiosk (marked `kiosk: true`: it names no secret, and
// the appliance screen is where a person with a stick looks).
import type { ArrivalAgent } from '../agent/index.ts';
import type { FeedHub, Topic } from '../feed/index.ts';
import { sleep } from '../lib/backoff.ts';
import type { Logger } from '../lib/logger.ts';
import { initialUsbState, reduceUsb, type UsbEvent, type UsbPolicy, type UsbState } from '../protocol/arrival.ts';

export interface AttachUsbOptions {
  hub: FeedHub;
  agent: Pick<ArrivalAgent, 'watchUsb' | 'usbState'>;
  policy: UsbPolicy;
  log: Logger;
  /** Resolves once the agent is reachable again (see upgrade-api: the same loop). */
  whenUp?: (signal: AbortSignal) => Promise<void>;
}

export function attachUsb(options: AttachUsbOptions): { topic: Topic<UsbState, UsbEvent>; stop(): void } {
  const topic = options.hub.define<UsbState, UsbEvent>({ name: 'usb', policy: 'viewer', kiosk: true, initial: initialUsbState(options.policy), reduce: reduceUsb });
  const controller = new AbortController();
  const signal = controller.signal;
  // Watch first, then the snapshot: every event replaces a whole stick, so none is lost between them.
  // When the agent goes away the stream ends; once it is back, both start again (once a second at most).
  void (async () => {
    for (let round = 0; !signal.aborted; round += 1) {
      if (round > 0) await sleep(1000, signal);
      await options.whenUp?.(signal);
      if (signal.aborted) break;
      const watching = options.agent.watchUsb((event) => topic.publish(event), signal);
      void options.agent.usbState().then(
        (state) => topic.publish({ kind: 'usb.state.v1', state }),
        (error: unknown) => options.log.warn({ err: error }, 'cannot load the USB state'),
      );
      await watching.catch((error: unknown) => signal.aborted || options.log.warn({ err: error }, 'the USB event stream ended'));
    }
  })();
  return { topic, stop: () => controller.abort() };
}
