/**
 * Injected faults. A fault with no `action` applies to every action; `times` makes
 * it apply to the next N matching requests and then be spent; `probability` makes
 * each matching request fail with that chance (seeded PRNG). Faults are checked in
 * the order added: `delay` faults add up and the search goes on; the first other
 * fault that applies decides the answer.
 */
import type { Params } from './params';

interface Scope {
  /** Only requests for this Action; every action when absent. */
  action?: string;
  /** Apply to the next N matching requests, then the fault is spent. Unlimited when absent. */
  times?: number;
  /** Only requests signed for this region; every region when absent. */
  region?: string;
}

export type Fault =
  /** 400 `Throttling` "Rate exceeded", which the SDK retries. */
  | (Scope & { kind: 'throttle'; probability?: number })
  /** 500 `InternalFailure` or 503 `ServiceUnavailable`, which the SDK retries. */
  | (Scope & { kind: 'status'; status: 500 | 503; probability?: number })
  /** Destroys the socket without answering, before the request is processed. */
  | (Scope & { kind: 'drop' })
  /** Processes the request, then answers `ms` late (for example past the client's requestTimeout). */
  | (Scope & { kind: 'delay'; ms: number })
  /**
   * Answers with any error code; the status defaults to the modelled one (400 if unknown).
   * `match` limits it to requests whose form parameters match (for example one DB).
   */
  | (Scope & {
      kind: 'error';
      code: string;
      status?: number;
      message?: string;
      match?: (params: Record<string, string>) => boolean;
    });

export type TerminalFault = Exclude<Fault, { kind: 'delay' }>;

export interface FaultDecision {
  delayMs: number;
  terminal: TerminalFault | undefined;
  injected: boolean;
}

interface ActiveFault {
  fault: Fault;
  remaining: number | undefined;
}

/** mulberry32: a small deterministic PRNG, so probability faults repeat run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultPlan {
  private active: ActiveFault[] = [];
  private readonly random: () => number;

  constructor(random: () => number) {
    this.random = random;
  }

  add(fault: Fault): void {
    if (fault.times !== undefined && (!Number.isInteger(fault.times) || fault.times < 0)) {
      throw new Error(`fake-rds: fault times must be a whole number >= 0, got ${fault.times}`);
    }
    if ('probability' in fault && fault.probability !== undefined && !(fault.probability >= 0 && fault.probability <= 1)) {
      throw new Error(`fake-rds: fault probability must be between 0 and 1, got ${fault.probability}`);
    }
    if (fault.kind === 'delay' && !(fault.ms >= 0)) throw new Error(`fake-rds: delay ms must be >= 0, got ${fault.ms}`);
    this.active.push({ fault, remaining: fault.times });
  }

  clear(): void {
    this.active = [];
  }

  decide(action: string, params: Params, region?: string): FaultDecision {
    let delayMs = 0;
    let terminal: TerminalFault | undefined;
    let injected = false;
    for (const entry of this.active) {
      const { fault } = entry;
      if (entry.remaining === 0) continue;
      if (fault.action !== undefined && fault.action !== action) continue;
      if (fault.region !== undefined && fault.region !== region) continue;
      if (fault.kind === 'error' && fault.match !== undefined && !fault.match(params)) continue;
      if ('probability' in fault && fault.probability !== undefined && !(this.random() < fault.probability)) continue;
      if (entry.remaining !== undefined) entry.remaining--;
      injected = true;
      if (fault.kind === 'delay') {
        delayMs += fault.ms;
        continue;
      }
      terminal = fault;
      break;
    }
    this.active = this.active.filter((entry) => entry.remaining !== 0);
    return { delayMs, terminal, injected };
  }
}
