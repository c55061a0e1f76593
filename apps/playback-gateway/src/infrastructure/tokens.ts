/** Injection tokens of the gateway's own settings (the connections' are `@signoff/platform`'s). */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
export const GATEWAY_ID = Symbol('GATEWAY_ID');
