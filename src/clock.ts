/** Where behaviour depends on the time (scheduled publishing, rate limits), it asks a clock, so tests move time instead of sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now (): number
}

export const systemClock: Clock = { now: () => Date.now() }
