import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { parsePayload } from '@signoff/contracts';

/** Validates every RPC payload against its contract class (the edge of every handler). */
@Injectable()
export class ContractPayloadPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const cls = metadata.metatype;
    if (!cls || cls === Object || cls === String || cls === Number || cls === Boolean) return value;
    return parsePayload(cls as new () => object, value);
  }
}
