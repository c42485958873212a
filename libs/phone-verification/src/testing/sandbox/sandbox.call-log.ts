/** Calls the sandbox received for one phone number. */
export interface PhoneCalls {
  calls: number;
  billed: number;
}

/** What `GET /__sandbox/calls` answers. */
export interface SandboxCallsSnapshot {
  total: number;
  billed: number;
  byPhone: Record<string, PhoneCalls>;
}

/**
 * Counts the verification calls the sandbox received, per phone number and
 * billed (an answer with result 0 or 1), so tests can prove what a request
 * cost upstream.
 */
export class SandboxCallLog {
  private byPhone = new Map<string, PhoneCalls>();

  /** Records a call and returns how many calls this phone has had, this one included. */
  record(phone: string): number {
    const entry = this.byPhone.get(phone) ?? { calls: 0, billed: 0 };
    entry.calls += 1;
    this.byPhone.set(phone, entry);
    return entry.calls;
  }

  markBilled(phone: string): void {
    const entry = this.byPhone.get(phone);
    if (entry) entry.billed += 1;
  }

  snapshot(): SandboxCallsSnapshot {
    let total = 0;
    let billed = 0;
    const byPhone: Record<string, PhoneCalls> = {};
    for (const [phone, entry] of this.byPhone) {
      total += entry.calls;
      billed += entry.billed;
      byPhone[phone] = { ...entry };
    }
    return { total, billed, byPhone };
  }

  reset(): void {
    this.byPhone = new Map();
  }
}
