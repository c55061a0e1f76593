import { SignoffError } from '@signoff/contracts';

export const deviceNotFound = (): SignoffError => new SignoffError('DEVICE_NOT_FOUND', 'no such device on this account');
