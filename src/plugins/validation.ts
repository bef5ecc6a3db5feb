import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { Ajv } from 'ajv'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import fp from 'fastify-plugin'
import { Type } from 'typebox'

const buildAjv = AjvCompiler()
const buildFastJsonStringify = SerializerSelector()

/**
 * ajv-formats takes a leap second (`23:59:60`) for a valid time, as RFC 3339 allows, but no date here can hold one
 * (it parses to NaN, and would be stored as no date at all): a time the API takes must be a real instant.
 */
function realInstantsOnly (ajv: Ajv): void {
  const rfc3339 = ajv.formats['date-time']
  if (typeof rfc3339 !== 'object' || rfc3339 instanceof RegExp || typeof rfc3339.validate !== 'function') throw new Error('ajv-formats should define date-time')
  const validate = rfc3339.validate as (text: string) => boolean
  ajv.addFormat('date-time', { type: 'string', validate: (text: string) => validate(text) && Number.isFinite(Date.parse(text)) })
}

const shared = { removeAdditional: false, allErrors: true } as const

/**
 * More fields and array items than any valid body has (the largest, a moderation decision, lists 500 ids).
 * Ajv's `allErrors` walks every one of them, 0.3 to 1.3 s for a 1 MiB body of 131,064 unknown keys, so a
 * body past this gets its first error only.
 */
const MAX_CHECKED_NODES = 1000

/**
 * Validators and serializers, by the schemas they were compiled from. Compiling them is most of the cost of building
 * an app (about a quarter of a second): apps built in one process (each test builds its own) can share one of these,
 * since a function compiled from the same schemas behaves the same in every app.
 */
export function compiledSchemas () {
  return {
    /** The shared schemas each app registered, as text, numbered: a key names them by their number. */
    externals: new Map<string, number>(),
    functions: new Map<string, unknown>()
  }
}

export type CompiledSchemas = ReturnType<typeof compiledSchemas>

/** Compiles with `compile` only what `compiled` does not hold yet, under a key naming everything the result depends on. */
function reusing<Context extends { schema?: unknown, httpPart?: string }, Compiled> (compiled: CompiledSchemas, kind: string, externalSchemas: unknown, options: unknown, compile: (context: Context) => Compiled) {
  const externalsText = JSON.stringify(externalSchemas)
  let externals = compiled.externals.get(externalsText)
  if (externals === undefined) {
    externals = compiled.externals.size
    compiled.externals.set(externalsText, externals)
  }
  const prefix = `${kind}\n${externals}\n${JSON.stringify(options) ?? ''}\n`
  return (context: Context): Compiled => {
    const key = `${prefix}${context.httpPart ?? ''}\n${JSON.stringify(context.schema)}`
    let found = compiled.functions.get(key) as Compiled | undefined
    if (found === undefined) {
      found = compile(context)
      compiled.functions.set(key, found)
    }
    return found
  }
}

/**
 * Two Ajv instances: bodies are taken as sent (an unknown field is a 400 and
 * `{"title": 123}` is not quietly turned into "123"), while the querystring,
 * params and headers, which arrive as text, are still converted to their types.
 */
export function schemaControllerOf (compiled: CompiledSchemas): NonNullable<FastifyServerOptions['schemaController']> {
  return {
    compilersFactory: {
      buildValidator (externalSchemas, ajvServerOption) {
        const customOptions = ajvServerOption?.customOptions ?? {}
        const withOptions = (extra: Record<string, unknown>) => ({ ...ajvServerOption, onCreate: realInstantsOnly, customOptions: { ...customOptions, ...shared, ...extra } }) as Parameters<typeof buildAjv>[1]
        // Made on the first schema that is not compiled yet, if any.
        let body: ReturnType<typeof buildAjv> | undefined
        let bodyFirstError: ReturnType<typeof buildAjv> | undefined
        let rest: ReturnType<typeof buildAjv> | undefined
        return reusing(compiled, 'validator', externalSchemas, customOptions, (context: Parameters<ReturnType<typeof buildAjv>>[0]) => {
          if (context.httpPart !== 'body') return finiteNumbersOnly((rest ??= buildAjv(externalSchemas, withOptions({})))(context))
          bodyFirstError ??= buildAjv(externalSchemas, withOptions({ coerceTypes: false, allErrors: false }))
          body ??= buildAjv(externalSchemas, withOptions({ coerceTypes: false }))
          return boundedErrors(bodyFirstError(context), body(context))
        })
      },
      buildSerializer (externalSchemas, serializerOptions) {
        let serializer: ReturnType<typeof buildFastJsonStringify> | undefined
        return reusing(compiled, 'serializer', externalSchemas, serializerOptions, (context: Parameters<ReturnType<typeof buildFastJsonStringify>>[0]) =>
          (serializer ??= buildFastJsonStringify(externalSchemas, serializerOptions))(context))
      }
    }
  }
}

type Validate = ((data: unknown) => unknown) & { errors?: unknown }

/** Whether the parsed JSON holds more than `limit` object fields and array items, counting no further than that. */
function exceedsNodes (data: unknown, limit: number): boolean {
  let seen = 0
  const pending: unknown[] = [data]
  for (let value = pending.pop(); ; value = pending.pop()) {
    if (value !== null && typeof value === 'object') {
      const children = Object.values(value)
      seen += children.length
      if (seen > limit) return true
      pending.push(...children)
    }
    if (pending.length === 0) return false
  }
}

/**
 * A body is checked by a validator that stops at the first error; only an invalid body of bounded size is
 * checked again with every error listed, so that no body makes Ajv's work (or the answer) grow with it.
 */
function boundedErrors<V extends Validate> (firstError: V, allErrors: V): V {
  const wrapped = ((data: unknown) => {
    if (firstError(data) === true) {
      wrapped.errors = null
      return true
    }
    if (exceedsNodes(data, MAX_CHECKED_NODES)) {
      wrapped.errors = [
        ...firstError.errors as unknown[],
        { keyword: 'maxNodes', instancePath: '', schemaPath: '', params: { limit: MAX_CHECKED_NODES }, message: `has more than ${MAX_CHECKED_NODES} fields and array items: only its first error is listed` }
      ]
      return false
    }
    const valid = allErrors(data)
    wrapped.errors = allErrors.errors
    return valid
  }) as V
  return wrapped
}

/** The path of the first number in coerced text that is not finite (`?limit=Infinity`, `?offset=1e400`). */
function nonFinitePath (data: unknown, path = ''): string | undefined {
  if (typeof data === 'number') return Number.isFinite(data) ? undefined : path
  if (data === null || typeof data !== 'object') return undefined
  for (const [key, value] of Object.entries(data)) {
    const found = nonFinitePath(value, `${path}/${key}`)
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * Ajv coerces the text "Infinity" into a number that passes `integer` and
 * `maximum`; such a value must be a 400 naming the parameter, not reach SQL.
 */
function finiteNumbersOnly<V extends Validate> (validate: V): V {
  const wrapped = ((data: unknown) => {
    const valid = validate(data)
    wrapped.errors = validate.errors
    if (valid !== true) return valid
    const path = nonFinitePath(data)
    if (path === undefined) return true
    wrapped.errors = [{ keyword: 'type', instancePath: path, schemaPath: '', params: { type: 'number' }, message: 'must be a finite number' }]
    return false
  }) as V
  return wrapped
}

const NoQuerySchema = Type.Object({}, { additionalProperties: false })

/** A route that declares no querystring takes none: an unknown query parameter is a 400, never ignored. */
async function strictQuery (app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    if (route.schema && route.schema.querystring === undefined && !route.schema.hide) {
      route.schema.querystring = NoQuerySchema
    }
  })
}

export default fp(strictQuery, { name: 'strict-query' })
