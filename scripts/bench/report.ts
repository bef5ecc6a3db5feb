import { type LoadResult, PROBE_TIMEOUT_MS } from './load.js'
import type { MemoryPeak } from './servers.js'
import { formatNumber } from './progress.js'

/** The targets (issue 5): reported beside each figure, never enforced. */
interface Target {
  /** Requests per second at least this share of the ceiling's, with as many workers. */
  ratio?: number
  p99Ms?: number
  requestsPerSecond?: number
  /** Requests per second at least this share of the same scenario's alone on the same server, in the same run. */
  ratioToAlone?: number
}

/** Cached list reads, measured while a flood of comment submissions over the rate limit (all 429) runs beside them. */
export const BESIDE_FLOOD = 'list-by-tag beside 429 flood'

export const TARGETS: Readonly<Record<string, Target>> = {
  ceiling: {},
  article: { ratio: 0.6, p99Ms: 25 },
  'list-by-tag': { ratio: 0.4, p99Ms: 25 },
  'search-rare': { ratio: 0.25, p99Ms: 25 },
  'search-common': { p99Ms: 250 },
  'not-modified': { ratio: 0.8, p99Ms: 25 },
  'comments-normal': { requestsPerSecond: 1_500 },
  'comments-full': {},
  // Issue 12: refused submissions must not empty the read cache, so a flood of them costs cached reads little.
  [BESIDE_FLOOD]: { ratioToAlone: 0.9 },
  // Issue 12: the costliest searches, each beside the article reads, at 100,000 articles.
  'search-letters': { p99Ms: 100 },
  'search-common-words': { p99Ms: 100 },
  'search-200-chars': { p99Ms: 100 },
  'article (beside search-letters)': { p99Ms: 25 },
  'article (beside search-common-words)': { p99Ms: 25 },
  'article (beside search-200-chars)': { p99Ms: 25 }
}

/** The name of a scenario's run measured at once with another's. */
export function besideName (scenario: string, other: string): string {
  return `${scenario} (beside ${other})`
}

// Server memory must stay under this, all its processes together (the target of the 1,000,000-article run).
export const MEMORY_TARGET_BYTES = 300 * 1024 * 1024
// With --baseline, a read may be this much slower than the baseline's figure (the 1,000,000 against the 100,000 run).
export const BASELINE_TOLERANCE = 0.2

export interface Run {
  scenario: string
  workers: number
  durability: 'normal' | 'full'
  /** Milliseconds for one request alone on the idle server (the median of a few), before the load; null past the probe's limit. */
  aloneMs: number | null
  result: LoadResult
  /** Requests per second over the ceiling's with as many workers; null for the ceiling and the writes. */
  ratioToCeiling: number | null
  memory: MemoryPeak
  /** What the reader of the figure should know, such as a restart of the server before the run. */
  notes: string[]
  /** With --baseline: requests per second over the baseline's for the same scenario and workers. */
  ratioToBaseline?: number | null
  /** For a scenario measured beside other load: requests per second over its own alone, on the same server in the same run. */
  ratioToAlone?: number

  misses: string[]
}

/** What the run falls short of, in words; empty when it meets every target it has. */
export function missesOf (run: Omit<Run, 'misses'>): string[] {
  const target = TARGETS[run.scenario] ?? {}
  const misses: string[] = []
  if (target.ratio !== undefined && run.ratioToCeiling !== null && run.ratioToCeiling < target.ratio) misses.push(`×ceiling < ${target.ratio}`)
  if (target.p99Ms !== undefined && !(run.result.latency.p99 < target.p99Ms)) misses.push(`p99 ≥ ${target.p99Ms} ms`)
  if (target.requestsPerSecond !== undefined && run.result.requestsPerSecond < target.requestsPerSecond) misses.push(`< ${formatNumber(target.requestsPerSecond)}/s`)
  if (target.ratioToAlone !== undefined && run.ratioToAlone !== undefined && run.ratioToAlone < target.ratioToAlone) misses.push(`< ${target.ratioToAlone}× alone`)
  if (run.result.unexpected > 0 || run.result.socketErrors > 0) misses.push('errors')
  if (run.memory.totalBytes > MEMORY_TARGET_BYTES) misses.push('RSS ≥ 300 MB')
  if (run.ratioToBaseline != null && run.ratioToBaseline < 1 - BASELINE_TOLERANCE) misses.push(`< ${1 - BASELINE_TOLERANCE}× baseline`)
  return misses
}

function targetText (scenario: string): string {
  const target = TARGETS[scenario] ?? {}
  return [
    target.ratio === undefined ? undefined : `≥${target.ratio}×`,
    target.p99Ms === undefined ? undefined : `p99<${target.p99Ms}`,
    target.requestsPerSecond === undefined ? undefined : `≥${formatNumber(target.requestsPerSecond)}/s`,
    target.ratioToAlone === undefined ? undefined : `≥${target.ratioToAlone}× alone`
  ].filter((part) => part !== undefined).join(' ') || '-'
}

const megabytes = (bytes: number) => formatNumber(bytes / (1024 * 1024))
const milliseconds = (value: number) => (Number.isFinite(value) ? formatNumber(value, value < 10 ? 2 : 1) : '-')

/** The runs as a plain-text table, one line per scenario and worker count, for stdout and the report. */
export function table (runs: Run[], withBaseline: boolean): string {
  const header = ['scenario', 'workers', 'alone ms', 'req/s', 'p50 ms', 'p99 ms', 'errors', '×ceiling', ...(withBaseline ? ['×baseline'] : []), 'RSS MB', 'target', 'verdict']
  const rows = runs.map((run) => {
    const { result } = run
    const errors = `${formatNumber(result.unexpected)}/${formatNumber(result.socketErrors)}`
    return [
      run.scenario,
      String(run.workers),
      run.aloneMs === null ? `>${formatNumber(PROBE_TIMEOUT_MS)}` : milliseconds(run.aloneMs),
      formatNumber(result.requestsPerSecond),
      milliseconds(result.latency.p50),
      milliseconds(result.latency.p99),
      errors,
      run.ratioToCeiling === null ? '-' : run.ratioToCeiling.toFixed(2),
      ...(withBaseline ? [run.ratioToBaseline == null ? '-' : run.ratioToBaseline.toFixed(2)] : []),
      megabytes(run.memory.totalBytes),
      targetText(run.scenario),
      run.misses.length === 0 ? 'ok' : `MISS: ${run.misses.join(', ')}`
    ]
  })
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  // Text left, figures right.
  const numeric = new Set(['workers', 'alone ms', 'req/s', 'p50 ms', 'p99 ms', 'errors', '×ceiling', '×baseline', 'RSS MB'])
  const line = (cells: string[]) => cells.map((cell, column) => (numeric.has(header[column]!) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd()
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n')
}

/** Requests per second with the most workers over those with the fewest, per scenario: what a second core buys. */
export function scaling (runs: Run[]): Array<{ scenario: string, from: number, to: number, factor: number }> {
  const workerCounts = [...new Set(runs.map((run) => run.workers))].sort((a, b) => a - b)
  if (workerCounts.length < 2) return []
  const [from, to] = [workerCounts[0]!, workerCounts.at(-1)!]
  return [...new Set(runs.map((run) => run.scenario))].flatMap((scenario) => {
    const low = runs.find((run) => run.scenario === scenario && run.workers === from)
    const high = runs.find((run) => run.scenario === scenario && run.workers === to)
    if (low === undefined || high === undefined || low.result.requestsPerSecond === 0) return []
    return [{ scenario, from, to, factor: high.result.requestsPerSecond / low.result.requestsPerSecond }]
  })
}
