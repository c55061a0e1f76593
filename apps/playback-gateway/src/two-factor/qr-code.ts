import * as QRCode from 'qrcode';

/** The otpauth URI as a QR code, an SVG document an account page can inline or show as an image. */
export function qrCodeSvg(otpauthUri: string): Promise<string> {
  return QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
