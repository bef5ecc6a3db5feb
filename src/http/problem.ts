import { Type, type Static } from 'typebox'
import { ResponseHeaders } from './headers.js'

/** A 400 lists this many bad fields at most, and says how many more there are: the answer stays small whatever is sent. */
export const MAX_LISTED_ERRORS = 20

export const ProblemSchema = Type.Object({
  type: Type.String({ description: 'A URI reference naming the kind of problem; `about:blank` when the status says it all.' }),
  title: Type.String({ description: 'A short, human-readable summary of the kind of problem.' }),
  status: Type.Integer({ description: 'The HTTP status code.' }),
  detail: Type.Optional(Type.String({ description: 'What went wrong with this request, for a human.' })),
  errors: Type.Optional(Type.Array(Type.Object({
    path: Type.String({ description: 'JSON Pointer to the bad input, starting with its part: `/body/title`, `/querystring/limit`, `/params/id`.' }),
    message: Type.String({ description: 'What is wrong with it.' })
  }), { maxItems: MAX_LISTED_ERRORS, description: `The bad fields of the request, for a 400: all of them, or the first ${MAX_LISTED_ERRORS} when there are more (see \`moreErrors\`).` })),
  moreErrors: Type.Optional(Type.Integer({ minimum: 1, description: 'How many more bad fields there are than `errors` lists; absent when it lists them all.' })),
  requestId: Type.Optional(Type.String({ description: 'The id of the request in the server logs; quote it when reporting a 5xx.' }))
}, {
  $id: 'Problem',
  description: 'An RFC 9457 problem detail, sent as `application/problem+json`.',
  additionalProperties: true
})

export type Problem = Static<typeof ProblemSchema>
export type FieldError = { path: string, message: string }

/** A thrown error that the error handler turns into the matching problem+json answer. */
export class HttpProblem extends Error {
  readonly status: number
  readonly title: string
  readonly errors: FieldError[] | undefined
  readonly headers: Record<string, string>

  constructor (status: number, title: string, detail: string, options: { errors?: FieldError[], headers?: Record<string, string> } = {}) {
    super(detail)
    this.status = status
    this.title = title
    this.errors = options.errors
    this.headers = options.headers ?? {}
  }
}

export function badRequest (errors: FieldError[]): never {
  throw new HttpProblem(400, 'Bad Request', errors.map((error) => `${error.path}: ${error.message}`).join('; '), { errors })
}

export function unauthorized (detail: string): never {
  throw new HttpProblem(401, 'Unauthorized', detail, { headers: { 'www-authenticate': 'Bearer' } })
}

export function forbidden (detail: string): never {
  throw new HttpProblem(403, 'Forbidden', detail)
}

export function notFound (resource: string, idOrSlug: string): never {
  throw new HttpProblem(404, 'Not Found', `No ${resource} ${JSON.stringify(idOrSlug)}.`)
}

export function conflict (detail: string): never {
  throw new HttpProblem(409, 'Conflict', detail)
}

const problemContent = { 'application/problem+json': { schema: Type.Ref('Problem') } }
const problemHeaders = { 'Cache-Control': ResponseHeaders.errorCacheControl }

/** A problem answer that tells the client when to come back. */
export function retryLaterResponse (description: string) {
  return { description, content: problemContent, headers: { ...problemHeaders, 'Retry-After': ResponseHeaders.retryAfter } }
}

/** The error answers every route declares, so the spec documents them and they serialise as problems. */
export const problemResponses = {
  '4xx': { description: 'A client error, as an RFC 9457 problem.', content: problemContent, headers: problemHeaders },
  503: retryLaterResponse('Not ready, shutting down or overloaded, as an RFC 9457 problem: retry after `Retry-After` seconds.'),
  '5xx': { description: 'A server error, as an RFC 9457 problem naming only the request id.', content: problemContent, headers: problemHeaders }
}
