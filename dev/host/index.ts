export { startHost, type HostOptions, type RunningHost } from './host';
export type { FunctionSummary } from './functionIndex';
export type { KeyOptions } from './keys';
export type { QueueSettings } from './hostConfig';
export { nextOccurrences, parseSchedule } from './timerScheduler';
