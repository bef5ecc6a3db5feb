import autocannon from 'autocannon'

/** What one request of a scenario sends; called for every request, so that each may go to another article or tag. */
export interface RequestSpec {
  path: string
  headers?: Record<string, string>
  body?: string
}

export interface Scenario {
  name: string
  method: 'GET' | 'POST'
  /** The answer a request should get: 200, 201, or 304 for a conditional GET. Any other is counted as an error. */
  expectedStatus: number
  next (): RequestSpec
}

export interface LoadOptions {
  connections: number
  /** Seconds measured. */
  duration: number
  /** Seconds of load before, not measured: JIT, SQLite's page cache and the connections warm up. */
  warmup: number
  /** Requests per second over all connections; as fast as the server answers when not given. */
  rate?: number
}

export interface LoadResult {
  requests: number
  requestsPerSecond: number
  /** Milliseconds, from the load generator's own clock per response (autocannon's histogram rounds to whole ms). */
  latency: { p50: number, p90: number, p99: number, max: number, mean: number }
  byStatus: Record<string, number>
  /** Answers with another status than the expected one. */
  unexpected: number
  /** Connection errors and timeouts: requests that got no answer at all. */
  socketErrors: number
  timeouts: number
  seconds: number
  /** `performance.now()` at the start and end of the measured part, to find the server's memory peak over it. */
  window: { from: number, to: number }
}

function percentile (sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!
}

function fire (url: string, scenario: Scenario, connections: number, duration: number, rate: number | undefined, onResponse?: (status: number, milliseconds: number) => void) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url,
      connections,
      duration,
      ...(rate === undefined ? {} : { overallRate: rate }),
      requests: [{
        method: scenario.method,
        setupRequest: (request) => {
          const spec = scenario.next()
          return { ...request, path: spec.path, headers: { ...request.headers, ...spec.headers }, ...(spec.body === undefined ? {} : { body: spec.body }) }
        }
      }]
    }, (error: unknown, result) => { if (error) reject(error); else resolve(result) })
    if (onResponse !== undefined) instance.on('response', (_client, statusCode, _bytes, responseTime) => onResponse(statusCode, responseTime))
  })
}

/** Load that is not measured: JIT, SQLite's page cache and the server's connections warm up. */
export async function warmUp (url: string, scenario: Scenario, options: LoadOptions): Promise<void> {
  if (options.warmup > 0) await fire(url, scenario, options.connections, options.warmup, options.rate)
}

/** Loads `url` with the scenario for `duration` seconds, each response timed. */
export async function runLoad (url: string, scenario: Scenario, options: LoadOptions): Promise<LoadResult> {
  let latencies = new Float64Array(1 << 16)
  let count = 0
  const byStatus: Record<string, number> = {}
  const from = performance.now()
  const result = await fire(url, scenario, options.connections, options.duration, options.rate, (status, milliseconds) => {
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2)
      grown.set(latencies)
      latencies = grown
    }
    latencies[count++] = milliseconds
    byStatus[status] = (byStatus[status] ?? 0) + 1
  })
  const to = performance.now()
  const sorted = latencies.subarray(0, count).sort()
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000
  return {
    requests: count,
    requestsPerSecond: count / seconds,
    latency: {
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      max: count === 0 ? Number.NaN : sorted[count - 1]!,
      mean: count === 0 ? Number.NaN : sorted.reduce((sum, value) => sum + value, 0) / count
    },
    byStatus,
    unexpected: count - (byStatus[scenario.expectedStatus] ?? 0),
    socketErrors: result.errors,
    timeouts: result.timeouts,
    seconds,
    window: { from, to }
  }
}

// One request that takes longer than this alone is given up on: the load figures will say the rest.
export const PROBE_TIMEOUT_MS = 30_000

/**
 * The latency of one request alone on an idle server (the median of a few,
 * one after the other): what the query costs, apart from any queueing. It
 * tells a slow query from a saturated server when the load figures are bad.
 * Null when a request took longer than PROBE_TIMEOUT_MS; the server may then
 * still be working on it.
 */
export async function probe (url: string, scenario: Scenario, { requests = 20, seconds = 3 } = {}): Promise<number | null> {
  const timings: number[] = []
  const until = performance.now() + seconds * 1000
  while (timings.length < requests && (timings.length === 0 || performance.now() < until)) {
    const spec = scenario.next()
    const started = performance.now()
    try {
      // Identity, as autocannon asks: no compression, like the load runs.
      const response = await fetch(url + spec.path, {
        method: scenario.method,
        headers: { 'accept-encoding': 'identity', ...spec.headers },
        body: spec.body ?? null,
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS)
      })
      await response.arrayBuffer()
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') return null
      throw error
    }
    timings.push(performance.now() - started)
  }
  timings.sort((a, b) => a - b)
  return timings[Math.floor(timings.length / 2)]!
}
