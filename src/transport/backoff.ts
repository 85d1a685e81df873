// Bounded exponential backoff with jitter, for reconnects and retries.

export interface BackoffOptions {
  /** First delay, ms. Default 250. */
  initial?: number;
  /** Upper bound, ms. Default 10,000. */
  max?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Random spread, 0..1, as a fraction of the delay. Default 0.25. */
  jitter?: number;
  /** Random source in [0, 1); injectable for tests. */
  random?: () => number;
}

export class Backoff {
  #attempt = 0;
  readonly #o: Required<BackoffOptions>;
  constructor(options: BackoffOptions = {}) {
    this.#o = { initial: 250, max: 10_000, factor: 2, jitter: 0.25, random: Math.random, ...options };
  }
  /** The delay before the next attempt, ms. */
  next(): number {
    const { initial, max, factor, jitter, random } = this.#o;
    const base = Math.min(max, initial * factor ** this.#attempt);
    this.#attempt++;
    return Math.min(max, base * (1 + jitter * (2 * random() - 1)));
  }
  reset(): void {
    this.#attempt = 0;
  }
  get attempts(): number {
    return this.#attempt;
  }
}
