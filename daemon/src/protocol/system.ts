// The `system` feed topic: the daemon's own vital signs, ticked at a fixed interval.

export interface SystemState {
  version: string;
  /** Unix ms when this daemon process started. */
  startedAt: number;
  uptimeS: number;
  clients: number;
  /** Unix ms (with sub-ms fraction) when the server produced this state. */
  serverTime: number;
}

export interface SystemTickV1 {
  kind: 'system.tick.v1';
  uptimeS: number;
  clients: number;
  serverTime: number;
}

export type SystemEvent = SystemTickV1;

export function reduceSystem(state: SystemState, event: SystemEvent): SystemState {
  switch (event.kind) {
    case 'system.tick.v1':
      return { ...state, uptimeS: event.uptimeS, clients: event.clients, serverTime: event.serverTime };
  }
}
