import type { Answer, AnswerPool } from '../output/result-row.js';

/** An identity's answer and the row that paid for it. */
export interface Known {
  readonly answer: Answer;
  readonly row: number;
}

/** Answers are few: an index below this packs with the row in 32 bits. */
const ANSWER_SLOTS = 1024;
const MAX_PACKED_ROW = 2 ** 32 / ANSWER_SLOTS - 1;

/**
 * The identities answered so far, by key, in an open-addressing hash table
 * of typed arrays: 64 bits of each key's HMAC and one 32-bit word (row and
 * answer index) per identity, about 24 bytes each, so a million identities
 * take some 24 MB where a `Map` of strings would take over 100. 64 bits of
 * an HMAC cannot collide in practice at these sizes (p ≈ n² / 2⁶⁵).
 */
export class KnownIdentities {
  private high = new Uint32Array(1024);
  private low = new Uint32Array(1024);
  /** Row × ANSWER_SLOTS + answer index, plus one; 0 marks an empty slot. */
  private values = new Uint32Array(1024);
  private size = 0;
  /** Rows or answer indexes past what packs in 32 bits (never in practice). */
  private readonly overflow = new Map<string, Known>();

  constructor(private readonly pool: AnswerPool) {}

  set(key: string, known: Known): void {
    const index = this.pool.indexOf(known.answer);
    if (index >= ANSWER_SLOTS || known.row > MAX_PACKED_ROW) {
      this.overflow.set(key, known);
      return;
    }
    if ((this.size + 1) * 2 > this.values.length) this.grow();
    const [hi, lo] = halves(key);
    const slot = this.find(hi, lo);
    if (this.values[slot] === 0) this.size++;
    this.high[slot] = hi;
    this.low[slot] = lo;
    this.values[slot] = known.row * ANSWER_SLOTS + index + 1;
  }

  get(key: string): Known | undefined {
    const [hi, lo] = halves(key);
    const value = this.values[this.find(hi, lo)];
    if (value === 0) return this.overflow.get(key);
    return {
      row: Math.floor((value - 1) / ANSWER_SLOTS),
      answer: this.pool.at((value - 1) % ANSWER_SLOTS),
    };
  }

  /** The slot holding this key, or the empty slot where it would go. */
  private find(hi: number, lo: number): number {
    const mask = this.values.length - 1;
    // The key is an HMAC: its bits are already uniformly spread.
    let slot = lo & mask;
    while (
      this.values[slot] !== 0 &&
      (this.high[slot] !== hi || this.low[slot] !== lo)
    ) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private grow(): void {
    const { high, low, values } = this;
    this.high = new Uint32Array(values.length * 2);
    this.low = new Uint32Array(values.length * 2);
    this.values = new Uint32Array(values.length * 2);
    for (let i = 0; i < values.length; i++) {
      if (values[i] === 0) continue;
      const slot = this.find(high[i], low[i]);
      this.high[slot] = high[i];
      this.low[slot] = low[i];
      this.values[slot] = values[i];
    }
  }
}

/** The first 64 bits of a base64url key, as two 32-bit halves. */
function halves(key: string): [number, number] {
  const bytes = Buffer.from(key, 'base64url');
  return [bytes.readUInt32BE(0), bytes.readUInt32BE(4)];
}
