import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

const SAMPLE_EVERY_MS = 250
const READY_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 20_000

/** A port nothing listens on now, from the kernel. */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

function readProc (path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** The process's children (a cluster's workers), from every thread's `children` list: forks may come from any of them. */
function childrenOf (pid: number): number[] {
  let threads: string[]
  try {
    threads = readdirSync(`/proc/${pid}/task`)
  } catch {
    return []
  }
  return threads.flatMap((thread) => (readProc(`/proc/${pid}/task/${thread}/children`) ?? '').split(' ').filter((id) => id !== '').map(Number))
}

/** Resident memory in bytes (VmRSS), 0 once the process is gone. */
function residentBytes (pid: number): number {
  const kilobytes = /VmRSS:\s+(\d+) kB/.exec(readProc(`/proc/${pid}/status`) ?? '')?.[1]
  return kilobytes === undefined ? 0 : Number(kilobytes) * 1024
}

/** CPU time used so far, in clock ticks (utime + stime), to tell when a process has finished starting up. */
function cpuTicks (pid: number): number {
  const stat = readProc(`/proc/${pid}/stat`)
  if (stat === undefined) return 0
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

export interface MemoryPeak {
  /** The most the server's processes (the primary and its workers) held at once. */
  totalBytes: number
  /** The most any one of them held. */
  largestProcessBytes: number
  processes: number
}

/** Samples the resident memory of a process and its children a few times a second, for the peak over any window. */
class MemorySampler {
  private readonly samples: Array<{ at: number, total: number, largest: number, processes: number }> = []
  private readonly timer: NodeJS.Timeout

  constructor (private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS)
    this.timer.unref()
  }

  sample (): void {
    const sizes = [this.pid, ...childrenOf(this.pid)].map(residentBytes).filter((size) => size > 0)
    if (sizes.length === 0) return
    this.samples.push({ at: performance.now(), total: sizes.reduce((sum, size) => sum + size, 0), largest: Math.max(...sizes), processes: sizes.length })
  }

  /** The peak between two `performance.now()` times. */
  peak (from: number, to: number): MemoryPeak {
    const within = this.samples.filter((sample) => sample.at >= from && sample.at <= to)
    return {
      totalBytes: Math.max(0, ...within.map((sample) => sample.total)),
      largestProcessBytes: Math.max(0, ...within.map((sample) => sample.largest)),
      processes: Math.max(0, ...within.map((sample) => sample.processes))
    }
  }

  stop (): void {
    clearInterval(this.timer)
  }
}

export interface Server {
  name: string
  url: string
  pid: number
  memory: MemorySampler
  /** True once the server's processes are idle, false if still busy after `timeoutMs`. */
  settle (timeoutMs: number): Promise<boolean>
  /** SIGTERM, then SIGKILL for the processes still there after `graceMs`. */
  stop (graceMs?: number): Promise<void>
}

const running = new Set<ChildProcess>()

/** SIGKILL to a process of ours that may have exited meanwhile. */
function kill (pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

/** Kills what is still running when the bench exits early (an error, Ctrl-C): never leave a server behind. */
export function killAll (): void {
  for (const child of running) {
    if (child.pid === undefined) continue
    for (const pid of childrenOf(child.pid)) kill(pid)
    kill(child.pid)
  }
}

async function isReady (url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
    await response.arrayBuffer()
    return response.ok
  } catch {
    return false
  }
}

/**
 * Waits until every process has stopped using CPU for a moment, false if
 * they have not within the time: with
 * several workers, the first one to listen answers the readiness probe
 * while the others may still be loading, and a load run that started then
 * would pin its connections to the first. Between two runs, it tells
 * whether the server still works through requests of the last one.
 */
async function settled (pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  let last = pids.map(cpuTicks)
  let quietSince = performance.now()
  while (performance.now() < deadline) {
    await sleep(100)
    const now = pids.map(cpuTicks)
    if (now.some((ticks, index) => ticks !== last[index])) quietSince = performance.now()
    last = now
    if (performance.now() - quietSince >= 400) return true
  }
  return false
}

/**
 * Starts a server process and resolves once it answers `readyPath` with 200
 * and its `processes` (the primary and its workers) are all up and idle.
 * Its output goes to our stderr, so that the table on stdout stays clean.
 */
export interface ServerOptions {
  name: string
  command: string
  args: string[]
  cwd: string
  env: NodeJS.ProcessEnv
  port: number
  readyPath: string
  /** How many processes make the server once started: 1, or the primary and its workers. */
  processes: number
}

export async function startServer (options: ServerOptions): Promise<Server> {
  const child = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 2, 2] })
  running.add(child)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { running.delete(child); resolve(code) }))
  const pid = child.pid!
  const url = `http://127.0.0.1:${options.port}`
  const memory = new MemorySampler(pid)
  const stop = async (graceMs = STOP_TIMEOUT_MS) => {
    memory.stop()
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const stopped = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)])
    if (!stopped) {
      for (const worker of childrenOf(pid)) kill(worker)
      kill(pid)
      await exited
    }
  }

  const deadline = performance.now() + READY_TIMEOUT_MS
  let processExited = false
  exited.then(() => { processExited = true }, () => {})
  while (!(await isReady(url + options.readyPath))) {
    if (processExited) throw new Error(`${options.name} exited with code ${child.exitCode} before it was ready`)
    if (performance.now() > deadline) {
      await stop()
      throw new Error(`${options.name} was not ready within ${READY_TIMEOUT_MS / 1000}s`)
    }
    await sleep(100)
  }
  const processes = () => [pid, ...childrenOf(pid)]
  while (processes().length < options.processes && performance.now() < deadline) await sleep(100)
  await settled(processes(), 15_000)
  return { name: options.name, url, pid, memory, settle: (timeoutMs) => settled(processes(), timeoutMs), stop }
}
