import { INPUT_LIMITS, SignoffError } from '@signoff/contracts';

const DEVICE_ID = /^[A-Za-z0-9._:-]+$/;

/** A device id from a path, checked as the device descriptor checks it at sign-in. */
export function checkDeviceId(deviceId: string): string {
  if (deviceId.length === 0 || deviceId.length > INPUT_LIMITS.deviceIdMax || !DEVICE_ID.test(deviceId)) {
    throw new SignoffError('VALIDATION_FAILED', 'deviceId is not a valid device id');
  }
  return deviceId;
}
