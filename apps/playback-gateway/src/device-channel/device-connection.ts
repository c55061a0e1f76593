import { Principal } from '@signoff/contracts';
import type { WebSocket } from 'ws';

/** One device's open control channel on this gateway. */
export interface DeviceConnection {
  socket: WebSocket;
  principal: Principal;
  connectedAt: number;
  /** Set once the logout directive was sent: the revocation the device may acknowledge. */
  loggedOutBy?: string;
  acknowledged?: boolean;
  alive: boolean;
}
