// What a value check is given: the gathered model, and where its findings go.

import type { Buffer, Place } from '../types';
import type { Finding } from '../../ground/findings';
import type { Report } from '../names';
import type { Gathered } from '../gather';

export interface CheckContext {
  readonly report: Report;
  /** An `invalid-value` finding. */
  invalid(message: string, place: Place, related?: Finding['related']): void;
  /** An `invalid-value` finding about a buffer: the model refuses the buffer (Buffer.invalid), its shares are not mapped. */
  refuse(buffer: Buffer, message: string, place: Place, related?: Finding['related']): void;
}

export type Check = (g: Gathered, c: CheckContext) => void;
