// The device's reachable names and addresses, read from the operating system now (interfaces come
// and go: call it again when the network changes).

import { hostname, networkInterfaces } from 'node:os';
import { listDeviceAddresses, type DeviceAddresses } from './pure/device-names.ts';

export function deviceAddresses(): DeviceAddresses {
  return listDeviceAddresses(networkInterfaces(), hostname());
}
