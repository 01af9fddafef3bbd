/**
 * Which "now" the cleaner judges expiry by. The SDK measures AWS's clock against the pod's on every
 * response (its Date header); a pod clock further off than MAX_CLOCK_SKEW_MS is warned about and,
 * unless `--now` fixed the instant on purpose, replaced by AWS's. Smaller offsets are measurement
 * noise (the header has whole seconds, the answer takes a while) and are not applied, so a healthy
 * pod judges by its own clock, as before.
 */
import { MAX_CLOCK_SKEW_MS } from './contract.js';

export interface ClockJudgement {
  /** The instant to judge by. */
  now: Date;
  /** AWS's clock minus the pod's, in milliseconds, as measured. */
  offsetMs: number;
  /** The offset is larger than MAX_CLOCK_SKEW_MS either way: worth a warning. */
  isSkewed: boolean;
  /** `now` is the pod's clock corrected by the offset. */
  isCorrected: boolean;
}

/** `podNow`: the job's clock; `hasFixedNow`: `--now` set it, so it is taken as given. */
export function judgeClock(podNow: Date, offsetMs: number, hasFixedNow: boolean): ClockJudgement {
  const isSkewed = Math.abs(offsetMs) > MAX_CLOCK_SKEW_MS;
  const isCorrected = isSkewed && !hasFixedNow;
  return { now: isCorrected ? new Date(podNow.getTime() + offsetMs) : podNow, offsetMs, isSkewed, isCorrected };
}
