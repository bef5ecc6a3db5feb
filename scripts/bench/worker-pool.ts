import { Worker } from 'node:worker_threads'

export interface PoolOptions {
  threads: number
  workerData: unknown
  /**
   * Packages the module imports, to import first without tsx: its loader answers every file from a thread of
   * its own, and for the hundreds of files of a package such as drizzle-orm that makes a worker start a second
   * later. Imported again through tsx, they are found loaded already.
   */
  preload?: readonly string[]
}

/**
 * A worker thread running a TypeScript module under tsx. Node 20 applies
 * neither the parent's `--import tsx` nor a worker's own `execArgv` to a
 * worker's entry file, so each worker starts from a few lines of JavaScript
 * that register tsx's loader and then import the module.
 */
function startTypeScriptWorker (module: URL, { workerData, preload = [] }: PoolOptions): Worker {
  const packages = preload.map((specifier) => import.meta.resolve(specifier))
  const bootstrap = `(async () => {
    for (const url of ${JSON.stringify(packages)}) await import(url)
    const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    register()
    await import(${JSON.stringify(module.href)})
  })()`
  return new Worker(bootstrap, { eval: true, workerData })
}

interface Pending<Result> {
  resolve (result: Result): void
  reject (error: Error): void
}

/**
 * A few threads running `module`, which answers each `{ job, input }`
 * message with `{ job, result }`. Jobs go to the thread with the fewest
 * waiting; `run` resolves when that thread answers.
 */
export function workerPool<Input, Result> (module: URL, options: PoolOptions) {
  let nextJob = 0
  let failure: Error | undefined
  const workers = Array.from({ length: options.threads }, () => ({ worker: startTypeScriptWorker(module, options), pending: new Map<number, Pending<Result>>() }))

  const fail = (error: Error) => {
    failure ??= error
    for (const { pending } of workers) {
      for (const { reject } of pending.values()) reject(error)
      pending.clear()
    }
  }
  for (const { worker, pending } of workers) {
    worker.on('message', ({ job, result }: { job: number, result: Result }) => {
      pending.get(job)?.resolve(result)
      pending.delete(job)
    })
    worker.on('error', fail)
    worker.on('exit', (code) => { if (pending.size > 0) fail(new Error(`a worker thread exited (code ${code}) with jobs left`)) })
  }

  return {
    run (input: Input): Promise<Result> {
      if (failure !== undefined) return Promise.reject(failure)
      const least = workers.reduce((best, candidate) => candidate.pending.size < best.pending.size ? candidate : best)
      const job = nextJob++
      return new Promise<Result>((resolve, reject) => {
        least.pending.set(job, { resolve, reject })
        least.worker.postMessage({ job, input })
      })
    },

    async close (): Promise<void> {
      await Promise.all(workers.map(({ worker }) => worker.terminate()))
    }
  }
}
