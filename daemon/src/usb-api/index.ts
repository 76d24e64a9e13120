// The `usb` feed topic (web side): sticks present, how far each got, what became of its bundles.
// Fed by the agent's USB events; shown on the kiosk (marked `kiosk: true`: it names no secret, and
// the appliance screen is where a person with a stick looks).
import type { ArrivalAgent } from '../agent/index.ts';
import type { FeedHub, Topic } from '../feed/index.ts';
import { followAgent } from '../lib/follow-agent.ts';
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
  followAgent<UsbEvent>(
    {
      watch: (onEvent, signal) => options.agent.watchUsb(onEvent, signal),
      snapshot: async () => ({ kind: 'usb.state.v1', state: await options.agent.usbState() }),
      publish: (event) => topic.publish(event),
      whenUp: options.whenUp,
      log: options.log,
      what: 'USB',
    },
    controller.signal,
  );
  return { topic, stop: () => controller.abort() };
}
