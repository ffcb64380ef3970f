// A failure on one host during one step: the message always starts with "<host> [<step>]:" and is redacted.
import { redact } from '../ssh/redact.ts';

export class HostStepError extends Error {
  constructor(
    readonly host: string,
    readonly step: string,
    detail: string,
  ) {
    super(`${host} [${step}]: ${redact(detail)}`);
    this.name = 'HostStepError';
  }
}
