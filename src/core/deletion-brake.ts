/**
 * The brake on mass deletion. A normal day's plan deletes a small share of the manual snapshots in
 * scope (about one in `snapshot_retention_days` per database); a plan that would delete most of
 * them means a clock, a `--now` or a mass tag edit is wrong. Then the cleaner deletes nothing.
 *
 * "In scope": every manual snapshot (DB and DB cluster, any status, any tags) that CLEANUP_SCOPE
 * lets the cleaner delete at all: with `prefixed`, those named `<SNAPSHOT_PREFIX>-...`; with
 * `tagged`, all of them.
 */
import { ENV } from './contract.js';

export interface BrakeLimits {
  /** MAX_DELETE_PERCENT: 1 to 100 (100 turns the share check off). */
  maxDeletePercent: number;
  /** MAX_DELETES_PER_RUN; undefined for no absolute limit. */
  maxDeletesPerRun: number | undefined;
}

export interface BrakeTrip {
  planned: number;
  inScope: number;
  /** planned / inScope, in percent, rounded down to a whole number. */
  percent: number;
  /** Which limits the plan goes over, by variable name. */
  exceeded: Array<typeof ENV.MAX_DELETE_PERCENT | typeof ENV.MAX_DELETES_PER_RUN>;
  limits: BrakeLimits;
}

/**
 * Whether a plan to delete `planned` of the `inScope` manual snapshots must be stopped: more than
 * `maxDeletePercent` percent of them (exactly that share is allowed), or more than
 * `maxDeletesPerRun`. A plan that deletes nothing is never stopped.
 */
export function checkDeletionBrake(planned: number, inScope: number, limits: BrakeLimits): BrakeTrip | undefined {
  if (planned === 0) return undefined;
  const exceeded: BrakeTrip['exceeded'] = [];
  // Whole numbers on both sides: no rounding at the boundary.
  if (planned * 100 > limits.maxDeletePercent * inScope) exceeded.push(ENV.MAX_DELETE_PERCENT);
  if (limits.maxDeletesPerRun !== undefined && planned > limits.maxDeletesPerRun) exceeded.push(ENV.MAX_DELETES_PER_RUN);
  if (exceeded.length === 0) return undefined;
  const percent = inScope === 0 ? 100 : Math.floor((planned * 100) / inScope);
  return { planned, inScope, percent, exceeded, limits };
}

/** The one line that says what was stopped, by how much, and which variable to raise. */
export function describeBrakeTrip(trip: BrakeTrip): string {
  const { planned, inScope, percent, limits } = trip;
  const over = trip.exceeded.map((name) =>
    name === ENV.MAX_DELETE_PERCENT
      ? `more than ${ENV.MAX_DELETE_PERCENT}=${limits.maxDeletePercent}`
      : `more than ${ENV.MAX_DELETES_PER_RUN}=${limits.maxDeletesPerRun}`,
  );
  return (
    `deletion brake: the plan would delete ${planned} of the ${inScope} manual snapshots in scope (${percent}%), ${over.join(' and ')}; ` +
    'deleting none. If that many are really due (say, the first run on an account full of old expired snapshots), ' +
    `raise ${trip.exceeded.join(' and ')} for one run (README, "The brake on mass deletion"); otherwise check the pod's clock, --now and the snapshot_expiry tags`
  );
}
