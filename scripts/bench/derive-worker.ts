// A worker thread of the seeder (see seed.ts): plans articles by their index and derives each as the API
// would store it, with the repository's own `deriveArticle`, so that the main thread only writes.
import { parentPort, workerData } from 'node:worker_threads'
import { deriveArticle, type DerivedArticleWrite } from '../../src/modules/articles/articles.repository.js'
import { articlePlanner, type PlanContext, type PlannedComment } from './article-plan.js'

/** Articles `first` to `first + count - 1`. */
export interface DerivationJob {
  first: number
  count: number
}

export interface DerivedPlan {
  write: DerivedArticleWrite
  comments: PlannedComment[]
}

const planner = articlePlanner(workerData as PlanContext)

parentPort!.on('message', ({ job, input }: { job: number, input: DerivationJob }) => {
  const result: DerivedPlan[] = []
  for (let index = input.first; index < input.first + input.count; index++) {
    const { write, comments } = planner.plan(index)
    result.push({ write: deriveArticle(write), comments })
  }
  parentPort!.postMessage({ job, result })
})
