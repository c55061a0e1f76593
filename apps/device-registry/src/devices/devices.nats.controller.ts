import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AccountHistoryReply, DeviceHistoryReply, GetAccountHistoryRequest, GetDeviceHistoryRequest, ListDevicesReply, ListDevicesRequest, RpcSubject } from '@signoff/contracts';
import { DevicesService } from './devices.service';

@Controller()
export class DevicesNatsController {
  constructor(private readonly devices: DevicesService) {}

  @MessagePattern(RpcSubject.listDevices)
  list(@Payload() request: ListDevicesRequest): Promise<ListDevicesReply> {
    return this.devices.list(request);
  }

  @MessagePattern(RpcSubject.getAccountHistory)
  accountHistory(@Payload() request: GetAccountHistoryRequest): Promise<AccountHistoryReply> {
    return this.devices.accountHistory(request);
  }

  @MessagePattern(RpcSubject.getDeviceHistory)
  history(@Payload() request: GetDeviceHistoryRequest): Promise<DeviceHistoryReply> {
    return this.devices.history(request);
  }
}
