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
      return (context) => (context.httpPart === 'body' ? body(context) : rest(context))
    }
  }
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
