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

/** Server → device messages on `/v1/connect`. */
export interface LogoutDirective {
  type: 'logout';
  revocationId: string;
  reason: string;
  purgeDownloads: true;
}

/** Close code after a logout directive: the device is signed out, do not reconnect with this session. */
export const CLOSE_SIGNED_OUT = 4001;
/** Close code when this gateway shuts down: reconnect (to another replica). */
export const CLOSE_SERVICE_RESTART = 1012;
