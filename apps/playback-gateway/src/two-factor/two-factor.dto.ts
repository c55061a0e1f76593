import { PickType } from '@nestjs/swagger';
import { ConfirmTwoFactorRequest, DisableTwoFactorRequest } from '@signoff/contracts';

/** HTTP bodies of the two-factor routes, cut from the RPC contracts (one definition per field). */
export class ConfirmTwoFactorBody extends PickType(ConfirmTwoFactorRequest, ['code'] as const) {}

export class DisableTwoFactorBody extends PickType(DisableTwoFactorRequest, ['code'] as const) {}


/** What enrolment shows: the URI, the same as a QR code (SVG), and the secret to type by hand. */
export interface TwoFactorEnrolmentResponse {
  otpauthUri: string;
  qrCodeSvg: string;
  secret: string;
}
