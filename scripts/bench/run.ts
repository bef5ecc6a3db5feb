// npm run bench [-- --articles N --duration S --connections C --workers 1,2 --keep --database PATH ...]
//
// Seeds a database through the project's own repositories, then loads the real server (and, for comparison,
// a bare Fastify "ceiling") with autocannon, and prints requests/s, latency and errors per scenario and worker
// count, with the issue's targets beside them. The same goes to bench-results/<timestamp>.json. Not part of CI.
import { spawnSync } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { countersPathFor } from '../../src/db/counters.js'
import { type LoadOptions, probe, PROBE_TIMEOUT_MS, runLoad, type Scenario, warmUp } from './load.js'
import { formatDuration, formatNumber } from './progress.js'
import { seededRandom } from './random.js'
import { BESIDE_FLOOD, besideName, missesOf, type Run, scaling, table } from './report.js'
import { adversarialSearchScenarios, ceilingScenario, commentScenario, readScenarios } from './scenarios.js'
import { seed, type SeedReport } from './seed.js'
import { freePort, killAll, type Server, startServer } from './servers.js'
import { fetchEtags, sampleTargets } from './targets.js'
import { buildVocabulary, COMMON_WORD, RARE_WORD, textGenerator } from './vocabulary.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const RESULTS = `${ROOT}bench-results/`
// Reads and comments are spread over this many articles (and over every tag).
const SAMPLE = 1_000
// Between two runs the server must be idle: a run whose requests outlast it (a slow search) leaves a backlog that
// would be counted against the next one. A server still busy after this long is restarted instead.
const SETTLE_MS = 10_000
const RESTART_GRACE_MS = 3_000
// The suffix of the reads measured with the read cache off; they have no target of their own, but count against --baseline.
const UNCACHED = ' (no cache)'
// The flood beside cached reads: comment submissions at a steady rate, well within what the server answers, so that
// what it costs the reads is what its requests do to the store and the read cache, not its share of the CPU.
const FLOOD_RATE = 200
const FLOOD_CONNECTIONS = 4
// One client sends the costliest searches back to back, while the article reads keep all of --connections: more
// would measure a server saturated by searches, not what one search holds the others up.
const ADVERSARIAL_CONNECTIONS = 1
// The adversarial searches are drawn from this many of the vocabulary's most common words.
const COMMON_WORDS = 40

const USAGE = `Usage: npm run bench -- [options]
  --articles N      articles to seed (default 100000; the large run is 1000000)
  --duration S      seconds measured per scenario (default 10)
  --warmup S        seconds of unmeasured load before each (default 2)
  --connections C   concurrent connections (default 50)
  --workers LIST    server worker counts to compare (default 1,2)
  --database PATH   use this database: reused as it is when it exists (no seeding), else seeded there and kept
  --keep            keep the seeded database (default: deleted at the end)
  --batch N         articles per createMany transaction while seeding (default 2000)
  --seed N          seed of the generated text and of the draws (default 1)
  --baseline FILE   an earlier bench-results/*.json: show each figure against it (reads must stay within 20%)
  --tsx             run the server from source with tsx instead of building it first`

function positiveInteger (name: string, value: string): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1) throw new Error(`--${name} must be a positive integer, not ${JSON.stringify(value)}`)
  return number
}

function parseOptions (argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      articles: { type: 'string', default: '100000' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '50' },
      workers: { type: 'string', default: '1,2' },
      database: { type: 'string' },
      keep: { type: 'boolean', default: false },
      batch: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '1' },
      baseline: { type: 'string' },
      tsx: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false }
    }
  })
  return {
    help: values.help,
    articles: positiveInteger('articles', values.articles),
    duration: positiveInteger('duration', values.duration),
    warmup: values.warmup === '0' ? 0 : positiveInteger('warmup', values.warmup),
    connections: positiveInteger('connections', values.connections),
    workers: values.workers.split(',').map((count) => positiveInteger('workers', count.trim())),
    database: values.database,
    keep: values.keep,
    batch: positiveInteger('batch', values.batch),
    seed: positiveInteger('seed', values.seed),
    baseline: values.baseline,
    tsx: values.tsx
  }
}

type Options = ReturnType<typeof parseOptions>

const say = (line: string) => process.stderr.write(`${line}\n`)
const mb = (bytes: number) => `${formatNumber(bytes / (1024 * 1024))} MB`

function databaseBytes (path: string): number {
  return [path, `${path}-wal`].filter((file) => existsSync(file)).reduce((sum, file) => sum + statSync(file).size, 0)
}

function removeDatabase (path: string): void {
  for (const base of [path, countersPathFor(path)]) {
    for (const file of [base, `${base}-wal`, `${base}-shm`]) rmSync(file, { force: true })
  }
}

/**
 * The CMS as it runs in production: built (or from source with --tsx), with its own cluster of WORKERS; with its
 * read cache, or without it to measure what the store itself gives.
 */
async function startCms (options: Options, database: string, workers: number, durability: 'normal' | 'full', readCache = true, settings: Record<string, string> = {}): Promise<Server> {
  const port = await freePort()
  return await startServer({
    name: `CMS (${workers} worker${workers > 1 ? 's' : ''}, DURABILITY=${durability}${readCache ? '' : ', no read cache'})`,
    command: process.execPath,
    args: options.tsx ? ['--import', 'tsx', `${ROOT}src/server.ts`] : [`${ROOT}dist/server.js`],
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_PATH: database,
      WORKERS: String(workers),
      DURABILITY: durability,
      LOG_LEVEL: 'warn',
      ...(readCache ? {} : { READ_CACHE_MB: '0' }),
      // Every comment comes from 127.0.0.1 (see scenarios.ts); the limit must not be what is measured.
      COMMENT_RATE_LIMIT: '1000000',
      // Shedding load with 503s is what an overloaded server should do, but here it would hide the figures.
      OVERLOAD_EVENT_LOOP_DELAY_MS: '0',
      ...settings
    },
    port,
    readyPath: '/readyz',
    processes: workers > 1 ? workers + 1 : 1
  })
}

async function startCeiling (workers: number, bodyBytes: number): Promise<Server> {
  const port = await freePort()
  return await startServer({
    name: `ceiling (${workers} worker${workers > 1 ? 's' : ''})`,
    command: process.execPath,
    args: ['--import', 'tsx', `${ROOT}scripts/bench/ceiling.ts`],
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), WORKERS: String(workers), BODY_BYTES: String(bodyBytes) },
    port,
    readyPath: '/',
    processes: workers > 1 ? workers + 1 : 1
  })
}

type Measured = Omit<Run, 'ratioToCeiling' | 'ratioToBaseline' | 'misses'>

/**
 * Runs the scenarios one after the other on a started server, which it stops
 * at the end: each one request at a time, then warmed up, then measured under
 * load. `start` brings up a fresh server when a run left the last one busy.
 */
async function series (first: Server, start: () => Promise<Server>, scenarios: Scenario[], load: LoadOptions, workers: number, durability: 'normal' | 'full'): Promise<Measured[]> {
  let server = first
  const measured: Measured[] = []
  const restart = async (why: string, notes: string[]) => {
    say(`  ${server.name} still busy ${SETTLE_MS / 1000}s after ${why}: restarting it`)
    await server.stop(RESTART_GRACE_MS)
    server = await start()
    notes.push(`on a restarted server: the last one was still busy ${SETTLE_MS / 1000}s after ${why}`)
  }
  try {
    for (const scenario of scenarios) {
      const notes: string[] = []
      if (measured.length > 0 && !(await server.settle(SETTLE_MS))) await restart('the previous run', notes)
      say(`  ${scenario.name}: one request at a time, then ${load.warmup}s warm-up, then ${load.duration}s measured…`)
      const aloneMs = await probe(server.url, scenario)
      if (aloneMs === null && !(await server.settle(SETTLE_MS))) await restart(`a request given up after ${PROBE_TIMEOUT_MS / 1000}s`, notes)
      await warmUp(server.url, scenario, load)
      if (load.warmup > 0 && !(await server.settle(SETTLE_MS))) await restart('the warm-up', notes)
      const result = await runLoad(server.url, scenario, load)
      const memory = server.memory.peak(result.window.from, result.window.to)
      say(`    alone ${aloneMs === null ? `over ${PROBE_TIMEOUT_MS / 1000}s` : `${aloneMs.toFixed(2)} ms`}; loaded ${formatNumber(result.requestsPerSecond)} req/s, p50 ${result.latency.p50.toFixed(2)} ms, ` +
        `p99 ${result.latency.p99.toFixed(2)} ms, ${result.unexpected} unexpected answers, ${result.socketErrors} socket errors, server RSS ≤ ${mb(memory.totalBytes)}`)
      measured.push({ scenario: scenario.name, workers, durability, aloneMs, result, memory, notes })
    }
  } finally {
    await server.stop()
  }
  return measured
}

/**
 * Cached reads alone, then the same reads beside a flood of comment submissions over the rate limit, on one server
 * whose limit is a submission a minute: every one from the bench's address past the first of its minute is a 429.
 * The figure is the reads' req/s beside the flood over theirs alone, in the same run.
 */
async function besideFlood (options: Options, database: string, workers: number, reads: Scenario, flood: Scenario, load: LoadOptions): Promise<Measured> {
  const server = await startCms(options, database, workers, 'normal', true, { COMMENT_RATE_LIMIT: '1' })
  say(`bench: ${server.name}, COMMENT_RATE_LIMIT=1, on ${server.url}`)
  try {
    say(`  ${reads.name} alone, then beside ${FLOOD_RATE} submissions/s over the limit, ${load.duration}s each…`)
    const aloneMs = await probe(server.url, reads)
    await warmUp(server.url, reads, load)
    const alone = await runLoad(server.url, reads, load)
    const flooding = { ...load, connections: FLOOD_CONNECTIONS, rate: FLOOD_RATE }
    const [beside, flooded] = await Promise.all([runLoad(server.url, reads, load), runLoad(server.url, flood, flooding)])
    const ratioToAlone = beside.requestsPerSecond / alone.requestsPerSecond
    say(`    alone ${formatNumber(alone.requestsPerSecond)} req/s, beside the flood ${formatNumber(beside.requestsPerSecond)} req/s (${ratioToAlone.toFixed(2)}×), ` +
      `p99 ${alone.latency.p99.toFixed(2)} → ${beside.latency.p99.toFixed(2)} ms; the flood ${formatNumber(flooded.requestsPerSecond)}/s, ${formatNumber(flooded.byStatus['429'] ?? 0)} of ${formatNumber(flooded.requests)} answered 429`)
    return {
      scenario: BESIDE_FLOOD,
      workers,
      durability: 'normal',
      aloneMs,
      result: beside,
      memory: server.memory.peak(beside.window.from, beside.window.to),
      notes: [`${ratioToAlone.toFixed(2)}× the ${formatNumber(alone.requestsPerSecond)} req/s (p99 ${alone.latency.p99.toFixed(2)} ms) of ${reads.name} alone on the same server, ` +
        `beside ${formatNumber(flooded.requestsPerSecond)} submissions/s of which ${formatNumber(flooded.byStatus['429'] ?? 0)} of ${formatNumber(flooded.requests)} answered 429`],
      ratioToAlone
    }
  } finally {
    await server.stop()
  }
}

/**
 * Each scenario under load at once with the article reads, on one server, which it stops at the end: what the
 * costliest searches take, and what they cost everyone else. Both are measured over the same seconds.
 */
async function besideArticles (server: Server, scenarios: Scenario[], article: Scenario, load: LoadOptions, workers: number): Promise<Measured[]> {
  const measured: Measured[] = []
  try {
    for (const scenario of scenarios) {
      const notes = (await server.settle(SETTLE_MS)) ? [] : [`the server was still busy ${SETTLE_MS / 1000}s after the previous run`]
      say(`  ${scenario.name} (${ADVERSARIAL_CONNECTIONS} connection) beside ${article.name} (${load.connections}): one request at a time, then ${load.warmup}s warm-up, then ${load.duration}s measured…`)
      const searchAloneMs = await probe(server.url, scenario)
      const articleAloneMs = await probe(server.url, article)
      // The article reads from the read cache, as in their own run: a cold cache would be measured, not the searches.
      await Promise.all([warmUp(server.url, scenario, { ...load, connections: ADVERSARIAL_CONNECTIONS }), warmUp(server.url, article, load)])
      const [searched, read] = await Promise.all([
        runLoad(server.url, scenario, { ...load, connections: ADVERSARIAL_CONNECTIONS }),
        runLoad(server.url, article, load)
      ])
      const memory = server.memory.peak(Math.min(searched.window.from, read.window.from), Math.max(searched.window.to, read.window.to))
      for (const [name, result, aloneMs] of [[scenario.name, searched, searchAloneMs], [besideName(article.name, scenario.name), read, articleAloneMs]] as const) {
        say(`    ${name}: ${formatNumber(result.requestsPerSecond)} req/s, p50 ${result.latency.p50.toFixed(2)} ms, p99 ${result.latency.p99.toFixed(2)} ms, ${result.unexpected} unexpected answers`)
        measured.push({ scenario: name, workers, durability: 'normal', aloneMs, result, memory, notes })
      }
    }
  } finally {
    await server.stop()
  }
  return measured
}

function loadBaseline (file: string | undefined): Run[] | undefined {
  if (file === undefined) return undefined
  return (JSON.parse(readFileSync(file, 'utf8')) as { runs: Run[] }).runs
}

async function main () {
  const options = parseOptions(process.argv.slice(2))
  if (options.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const baseline = loadBaseline(options.baseline)
  const startedAt = new Date()
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-')
  mkdirSync(RESULTS, { recursive: true })
  const loadAverageAtStart = loadavg()
  say(`bench: ${availableParallelism()} cores, load average ${loadAverageAtStart.map((value) => value.toFixed(2)).join(' ')}` +
    (loadAverageAtStart[0]! > availableParallelism() / 2 ? ' (the machine is busy: figures will be noisy)' : ''))

  // The database: reused as it is, or seeded now.
  const reused = options.database !== undefined && existsSync(options.database)
  const database = options.database ?? `${RESULTS}bench-${stamp}.db`
  const keep = options.keep || options.database !== undefined
  let seeding: SeedReport | null = null
  const cleanUp = () => { if (!keep && !reused) removeDatabase(database) }
  process.once('SIGINT', () => {
    killAll()
    cleanUp()
    process.exit(130)
  })

  try {
    if (reused) {
      say(`bench: reusing ${database} (${mb(databaseBytes(database))}), no seeding`)
    } else {
      say(`bench: seeding ${formatNumber(options.articles)} articles into ${database}`)
      seeding = await seed({ path: database, articles: options.articles, batchSize: options.batch, seed: options.seed })
      say(`bench: seeded in ${formatDuration(seeding.seconds)} (${formatNumber(seeding.articlesPerSecond)} articles/s), ` +
        `${formatNumber(seeding.comments)} comments, file ${mb(seeding.fileBytes)}`)
    }

    const vocabulary = buildVocabulary(seededRandom(options.seed))
    const targets = sampleTargets(database, SAMPLE, seededRandom(options.seed + 1), [RARE_WORD, COMMON_WORD])
    const share = (word: string) => targets.matches[word]! / targets.publishedArticles
    say(`bench: ${formatNumber(targets.publishedArticles)} published articles; "${RARE_WORD}" in ${formatNumber(targets.matches[RARE_WORD]!)} ` +
      `(${(100 * share(RARE_WORD)).toFixed(2)}%), "${COMMON_WORD}" in ${formatNumber(targets.matches[COMMON_WORD]!)} (${(100 * share(COMMON_WORD)).toFixed(1)}%)`)

    if (!options.tsx) {
      say('bench: npm run build')
      const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] })
      if (build.status !== 0) throw new Error('npm run build failed')
    }

    const load: LoadOptions = { connections: options.connections, duration: options.duration, warmup: options.warmup }
    // Which article each request goes to, and what each comment says, differ from run to run: the same comments
    // again on a reused database within the hour would be refused as double submissions.
    const random = seededRandom(randomInt(2 ** 32))
    const text = textGenerator(vocabulary, random)
    const runs: Run[] = []
    let responseBytes = 0
    for (const workers of options.workers) {
      const measured: Measured[] = []
      const cms = await startCms(options, database, workers, 'normal')
      say(`bench: ${cms.name} on ${cms.url}`)
      let etags: Map<string, string>
      try {
        // The ETags are read at each start: they are what this server answers now.
        const fetched = await fetchEtags(cms.url, targets.slugs)
        etags = fetched.etags
        if (responseBytes === 0) responseBytes = fetched.medianBytes
      } catch (error) {
        await cms.stop()
        throw error
      }
      const scenarios = [
        ...readScenarios(targets, etags, { rare: RARE_WORD, common: COMMON_WORD }, random),
        commentScenario('comments-normal', targets, text, random)
      ]
      measured.push(...await series(cms, () => startCms(options, database, workers, 'normal'), scenarios, load, workers, 'normal'))
      const besieged = await startCms(options, database, workers, 'normal')
      say(`bench: ${besieged.name} on ${besieged.url}, the costliest searches beside the article reads`)
      const [article] = readScenarios(targets, etags, { rare: RARE_WORD, common: COMMON_WORD }, random)
      measured.push(...await besideArticles(besieged, adversarialSearchScenarios(vocabulary.words.slice(0, COMMON_WORDS), random), article!, load, workers))
      // The same reads with the read cache off: every request answered by SQLite, what a cold or ever-changing archive gives.
      const uncached = await startCms(options, database, workers, 'normal', false)
      say(`bench: ${uncached.name} on ${uncached.url}`)
      const uncachedReads = readScenarios(targets, etags, { rare: RARE_WORD, common: COMMON_WORD }, random).map((scenario) => ({ ...scenario, name: `${scenario.name}${UNCACHED}` }))
      measured.push(...await series(uncached, () => startCms(options, database, workers, 'normal', false), uncachedReads, load, workers, 'normal'))
      const full = await startCms(options, database, workers, 'full')
      say(`bench: ${full.name} on ${full.url}`)
      measured.push(...await series(full, () => startCms(options, database, workers, 'full'), [commentScenario('comments-full', targets, text, random)], load, workers, 'full'))
      const listReads = readScenarios(targets, etags, { rare: RARE_WORD, common: COMMON_WORD }, random).find((scenario) => scenario.name === 'list-by-tag')!
      const flood = { ...commentScenario('429-flood', targets, text, random), expectedStatus: 429 }
      measured.push(await besideFlood(options, database, workers, listReads, flood, load))
      const ceiling = await startCeiling(workers, responseBytes)
      say(`bench: ${ceiling.name}, ${formatNumber(responseBytes)}-byte body, on ${ceiling.url}`)
      const [ceilingRun] = await series(ceiling, () => startCeiling(workers, responseBytes), [ceilingScenario], load, workers, 'normal') as [Measured]

      for (const run of [ceilingRun, ...measured]) {
        const isRead = run.scenario !== 'ceiling' && !run.scenario.startsWith('comments')
        const previous = baseline?.find((other) => other.scenario === run.scenario && other.workers === run.workers)
        const complete = {
          ...run,
          ratioToCeiling: isRead ? run.result.requestsPerSecond / ceilingRun.result.requestsPerSecond : null,
          ...(baseline === undefined ? {} : { ratioToBaseline: previous === undefined ? null : run.result.requestsPerSecond / previous.result.requestsPerSecond })
        }
        // Only reads are held to the baseline: writes add up in a reused file, and the ceiling is no target.
        runs.push({ ...complete, misses: missesOf(isRead ? complete : { ...complete, ratioToBaseline: null }) })
      }
    }

    const finishedAt = new Date()
    const report = {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      machine: {
        node: process.version,
        cores: availableParallelism(),
        cpu: cpus()[0]?.model ?? 'unknown',
        memoryBytes: totalmem(),
        loadAverageAtStart,
        loadAverageAtEnd: loadavg()
      },
      options: { ...options, help: undefined },
      database: { path: keep || reused ? database : null, bytes: databaseBytes(database), reused, publishedArticles: targets.publishedArticles },
      seeding,
      search: Object.fromEntries([RARE_WORD, COMMON_WORD].map((word) => [word, { articles: targets.matches[word], share: share(word) }])),
      responseBytes,
      runs: runs.map(({ result: { window: _window, ...result }, ...run }) => ({ ...run, result })),
      scaling: scaling(runs)
    }
    const file = `${RESULTS}${stamp}.json`
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)

    const lines = [
      '',
      table(runs, baseline !== undefined),
      '',
      `alone: one request at a time on the idle server (median), before the load; given up after ${PROBE_TIMEOUT_MS / 1000}s. errors: answers other than the expected status / socket errors and timeouts.`,
      `×ceiling: req/s over bare Fastify's with as many workers (${formatNumber(responseBytes)}-byte body).`,
      `RSS: peak resident memory of the server's processes together during the run. ${options.connections} connections, ${options.duration}s per run after ${options.warmup}s of warm-up.`,
      ...(seeding === null
        ? [`database: ${database}, ${mb(report.database.bytes)} (reused)`]
        : [`seeding: ${formatNumber(seeding.articles)} articles, ${formatNumber(seeding.comments)} comments (${formatNumber(seeding.approvedComments)} approved) in ` +
          `${formatDuration(seeding.seconds)} (${formatNumber(seeding.articlesPerSecond)} articles/s); file ${mb(seeding.fileBytes)}`]),
      `search: "${RARE_WORD}" in ${(100 * share(RARE_WORD)).toFixed(2)}% of articles, "${COMMON_WORD}" in ${(100 * share(COMMON_WORD)).toFixed(1)}%`,
      ...runs.filter((run) => run.notes.length > 0).map((run) => `note: ${run.scenario} (${run.workers} worker${run.workers > 1 ? 's' : ''}): ${run.notes.join('; ')}`),
      ...report.scaling.map(({ scenario, from, to, factor }) => `scaling ${scenario}: ${to} workers give ${factor.toFixed(2)}× the req/s of ${from}`),
      `load average ${loadAverageAtStart.map((value) => value.toFixed(2)).join(' ')} at the start, ${report.machine.loadAverageAtEnd.map((value) => value.toFixed(2)).join(' ')} at the end`,
      `written to ${file}`
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  } finally {
    killAll()
    cleanUp()
  }
}

try {
  await main()
} catch (error) {
  process.stderr.write(`bench: ${(error as Error).message}\n`)
  if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write(`\n${USAGE}\n`)
  process.exitCode = 1
}
