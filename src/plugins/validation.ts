import { AjvCompiler } from '@fastify/ajv-compiler'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import fp from 'fastify-plugin'
import { Type } from 'typebox'

const buildAjv = AjvCompiler()

const shared = { removeAdditional: false, allErrors: true } as const

/**
 * More fields and array items than any valid body has (the largest, a moderation decision, lists 500 ids).
 * Ajv's `allErrors` walks every one of them, 0.3 to 1.3 s for a 1 MiB body of 131,064 unknown keys, so a
 * body past this gets its first error only.
 */
const MAX_CHECKED_NODES = 1000

/**
 * Two Ajv instances: bodies are taken as sent (an unknown field is a 400 and
 * `{"title": 123}` is not quietly turned into "123"), while the querystring,
 * params and headers, which arrive as text, are still converted to their types.
 */
export const schemaController: FastifyServerOptions['schemaController'] = {
  compilersFactory: {
    buildValidator (externalSchemas, ajvServerOption) {
      const customOptions = ajvServerOption?.customOptions ?? {}
      const withOptions = (extra: Record<string, unknown>) => ({ ...ajvServerOption, customOptions: { ...customOptions, ...shared, ...extra } }) as Parameters<typeof buildAjv>[1]
      const body = buildAjv(externalSchemas, withOptions({ coerceTypes: false }))
      const bodyFirstError = buildAjv(externalSchemas, withOptions({ coerceTypes: false, allErrors: false }))
      const rest = buildAjv(externalSchemas, withOptions({}))
      return (context) => (context.httpPart === 'body' ? boundedErrors(bodyFirstError(context), body(context)) : finiteNumbersOnly(rest(context)))
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
