import { readFileSync } from 'node:fs'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import type { LightMyRequestResponse as InjectResponse } from 'fastify'
import type { App } from '../src/app.js'

// A CommonJS module whose default export TypeScript sees one level down.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

interface HeaderObject { required?: boolean }
interface ResponseObject { headers?: Record<string, HeaderObject>, content?: Record<string, { schema?: object }> }
interface Operation { operationId: string, responses: Record<string, ResponseObject> }
interface Document { paths: Record<string, Record<string, Operation>> }

const SPEC_ID = 'openapi.json'
const document = JSON.parse(readFileSync(new URL('../openapi/openapi.json', import.meta.url), 'utf8')) as Document

// The whole document is one schema resource, so that every `#/components/schemas/…` resolves from any fragment of it.
const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats(ajv)
ajv.addSchema({ ...document, $id: SPEC_ID })

/**
 * Path templates as patterns, literal paths first so that `/v1/comments/bulk` is
 * not taken for `/v1/comments/{id}`. A parameter may be empty: the router still
 * hands `/v1/articles//related` to its route, whose validation answers it.
 */
const templates = Object.keys(document.paths)
  .map((template) => ({
    template,
    params: (template.match(/\{/g) ?? []).length,
    pattern: new RegExp(`^${template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]*')}$`)
  }))
  .sort((a, b) => a.params - b.params)

const validators = new Map<string, ValidateFunction>()

function pointer (...parts: string[]): string {
  return parts.map((part) => encodeURIComponent(part.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/')
}

function validatorAt (fragment: string): ValidateFunction {
  let validate = validators.get(fragment)
  if (validate === undefined) {
    validate = ajv.compile({ $ref: `${SPEC_ID}#/${fragment}` })
    validators.set(fragment, validate)
  }
  return validate
}

function decodedBody (response: InjectResponse): Buffer {
  const encoding = response.headers['content-encoding']
  if (encoding === 'gzip') return gunzipSync(response.rawPayload)
  if (encoding === 'br') return brotliDecompressSync(response.rawPayload)
  if (encoding === 'deflate') return inflateSync(response.rawPayload)
  return response.rawPayload
}

/** The declared response for a status: the exact code, then its class (`4XX`), then `default`. */
function responseFor (operation: Operation, status: number): [string, ResponseObject] | undefined {
  for (const key of [String(status), `${String(status)[0]}XX`, 'default']) {
    const declared = operation.responses[key]
    if (declared !== undefined) return [key, declared]
  }
  return undefined
}

/**
 * What is wrong with an answer against the committed spec, or nothing. Out of
 * scope: CORS preflights (`OPTIONS`, answered by @fastify/cors before any route,
 * and not operations of the API) and the pages of `/docs` (the reference UI's
 * own HTML and assets, hidden from the document on purpose).
 */
export function conformanceProblems (response: InjectResponse): string[] {
  const method = response.raw.req.method ?? 'GET'
  const path = (response.raw.req.url ?? '/').split('?')[0]!
  if (method === 'OPTIONS' || path === '/docs' || path.startsWith('/docs/')) return []
  const where = `${method} ${path} → ${response.statusCode}`
  const match = templates.find(({ pattern }) => pattern.test(path))
  const specMethod = method === 'HEAD' ? 'get' : method.toLowerCase()
  const operation = match === undefined ? undefined : document.paths[match.template]![specMethod]
  if (match === undefined || operation === undefined) {
    // A 404, or whatever refused the request before routing could: a bad key (401), a body that is not JSON (400, 415), too large (413).
    const isClientProblem = response.statusCode >= 400 && response.statusCode < 500 && String(response.headers['content-type']).startsWith('application/problem+json')
    return isClientProblem ? [] : [`${where}: the spec has no such operation, and the answer is not a 4xx problem`]
  }
  const name = `${operation.operationId} (${where})`
  const found = responseFor(operation, response.statusCode)
  if (found === undefined) return [`${name}: status ${response.statusCode} is not declared`]
  const [key, declared] = found
  const problems: string[] = []
  for (const header of Object.keys(declared.headers ?? {})) {
    if (response.headers[header.toLowerCase()] === undefined) problems.push(`${name}: declared header ${header} is missing`)
  }
  if (method === 'HEAD' || response.statusCode === 304) return problems
  const body = decodedBody(response)
  if (declared.content === undefined) {
    if (body.length > 0) problems.push(`${name}: a body was sent where the spec declares none`)
    return problems
  }
  const mediaType = String(response.headers['content-type'] ?? '').split(';')[0]!.trim()
  const media = declared.content[mediaType]
  if (media === undefined) return [...problems, `${name}: content type "${mediaType}" is not declared (${Object.keys(declared.content).join(', ')})`]
  if (media.schema === undefined) return problems
  const text = body.toString('utf8')
  let value: unknown = text
  if (/[/+]json$/.test(mediaType)) {
    try {
      value = JSON.parse(text)
    } catch {
      return [...problems, `${name}: the body is not JSON`]
    }
  }
  const validate = validatorAt(pointer('paths', match.template, specMethod, 'responses', key, 'content', mediaType, 'schema'))
  if (validate(value) !== true) problems.push(`${name}: the body does not match its schema: ${ajv.errorsText(validate.errors, { separator: '; ' })}`)
  return problems
}

/**
 * Makes every `app.inject` of this app check its answer against the committed
 * spec: an answer the spec does not describe rejects the request's promise, so
 * the test that made it fails, naming the operation, the status and what is wrong.
 */
export function checkedAgainstSpec<T extends App> (app: T): T {
  const inject = app.inject.bind(app) as (options: unknown) => Promise<InjectResponse>
  const checked = async (options: unknown) => {
    const response = await inject(options)
    const problems = conformanceProblems(response)
    if (problems.length > 0) throw new Error(`The answer does not match openapi/openapi.json:\n${problems.join('\n')}`)
    return response
  }
  app.inject = ((...args: unknown[]) => (args.length === 1 ? checked(args[0]) : (inject as (...rest: unknown[]) => unknown)(...args))) as T['inject']
  return app
}
