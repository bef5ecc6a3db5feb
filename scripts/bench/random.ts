/**
 * A small seeded generator, so that the same seed gives the same vocabulary,
 * the same articles and the same sample of slugs on every run and machine.
 */
export interface Random {
  /** A float in [0, 1). */
  next (): number
  /** An integer in [min, max], both included. */
  int (min: number, max: number): number
  pick<T> (items: readonly T[]): T
  /** True with this probability. */
  chance (probability: number): boolean
}

/** mulberry32: 32 bits of state, fast and well enough distributed for test data (not for anything secret). */
export function seededRandom (seed: number): Random {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (probability) => next() < probability
  }
}

/**
 * Draws ranks 0…n-1 with P(rank r) ∝ 1 / (r + 1)^exponent: Zipf's law, the
 * shape of word frequencies in real text. Binary search over the cumulative
 * weights: 13 comparisons for 8,000 words, cheap enough for 250 million draws.
 */
export function zipfSampler (n: number, exponent: number, random: Random): () => number {
  const cumulative = new Float64Array(n)
  let total = 0
  for (let rank = 0; rank < n; rank++) {
    total += 1 / Math.pow(rank + 1, exponent)
    cumulative[rank] = total
  }
  return () => {
    const target = random.next() * total
    let low = 0
    let high = n - 1
    while (low < high) {
      const middle = (low + high) >>> 1
      if (cumulative[middle]! < target) low = middle + 1
      else high = middle
    }
    return low
  }
}
