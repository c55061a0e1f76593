import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DeleteDownloadReply, DeleteDownloadRequest, DownloadLicence, IssueDownloadRequest, ListDownloadsReply, ListDownloadsRequest, RpcSubject } from '@signoff/contracts';
import { DownloadsService } from './downloads.service';

@Controller()
export class DownloadsNatsController {
  constructor(private readonly downloads: DownloadsService) {}

  @MessagePattern(RpcSubject.issueDownload)
  issue(@Payload() request: IssueDownloadRequest): Promise<DownloadLicence> {
    return this.downloads.issue(request);
  }

  @MessagePattern(RpcSubject.listDownloads)
  list(@Payload() request: ListDownloadsRequest): Promise<ListDownloadsReply> {
    return this.downloads.list(request);
  }

  @MessagePattern(RpcSubject.deleteDownload)
  delete(@Payload() request: DeleteDownloadRequest): Promise<DeleteDownloadReply> {
    return this.downloads.delete(request);
  }
}
