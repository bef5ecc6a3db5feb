import { AjvCompiler } from '@fastify/ajv-compiler'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import fp from 'fastify-plugin'
import { Type } from 'typebox'

const buildAjv = AjvCompiler()

// Every schema bounds its strings and arrays, so reporting every bad field (allErrors) stays cheap.
const shared = { removeAdditional: false, allErrors: true } as const

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
      const rest = buildAjv(externalSchemas, withOptions({}))
      return (context) => (context.httpPart === 'body' ? body(context) : finiteNumbersOnly(rest(context)))
    }
  }
}

type Validate = ((data: unknown) => unknown) & { errors?: unknown }

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
