import { logoutAck, logoutDirective, parseDeviceChannelMessage, parseGatewayChannelMessage } from './device-channel';

describe('device channel messages', () => {
  it('reads what each side writes', () => {
    expect(parseGatewayChannelMessage(JSON.stringify(logoutDirective('rev-1', 'sign_out_all')))).toEqual({
      type: 'logout',
      revocationId: 'rev-1',
      reason: 'sign_out_all',
      purgeDownloads: true,
    });
    expect(parseGatewayChannelMessage('{"type":"pong"}')).toEqual({ type: 'pong' });
    expect(parseDeviceChannelMessage(JSON.stringify(logoutAck('rev-1')))).toEqual({ type: 'ack', revocationId: 'rev-1' });
    expect(parseDeviceChannelMessage('{"type":"ping"}')).toEqual({ type: 'ping' });
  });

  it('tolerates fields it does not know and a directive without a reason', () => {
    expect(parseGatewayChannelMessage('{"type":"logout","revocationId":"rev-2","purgeDownloads":true,"since":"v2"}')).toEqual(
      logoutDirective('rev-2', 'signed_out'),
    );
  });

  it('ignores what is not a message of the other side', () => {
    for (const raw of ['not json', 'null', '[]', '"logout"', '{"type":"logout"}', '{"type":"logout","revocationId":7}', '{"type":"ack","revocationId":"r"}', '{"type":"later"}']) {
      expect(parseGatewayChannelMessage(raw)).toBeUndefined();
    }
    for (const raw of ['{}', '{"type":"ack"}', '{"type":"logout","revocationId":"r"}', '{"type":"pong"}']) {
      expect(parseDeviceChannelMessage(raw)).toBeUndefined();
    }
  });
});
