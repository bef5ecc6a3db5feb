import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { MAX_OFFSET, OFFSET_TOO_LARGE } from '../http/pagination.js'
import { HttpProblem, MAX_LISTED_ERRORS, type FieldError } from '../http/problem.js'

const PROBLEM_TYPE = 'application/problem+json'

/** Where a failed Ajv rule points, as a JSON Pointer that starts with the request part (`/body/title`). */
function fieldErrors (error: FastifyError): FieldError[] {
  const part = error.validationContext ?? 'body'
  return (error.validation ?? []).slice(0, MAX_LISTED_ERRORS).map((issue) => {
    const params = issue.params as Record<string, unknown>
    if (issue.keyword === 'maximum' && part === 'querystring' && issue.instancePath === '/offset' && params.limit === MAX_OFFSET) {
      return { path: '/querystring/offset', message: OFFSET_TOO_LARGE }
    }
    if (issue.keyword === 'additionalProperties') {
      return { path: `/${part}${issue.instancePath}/${String(params.additionalProperty)}`, message: 'is not a known property' }
    }
    if (issue.keyword === 'required') {
      return { path: `/${part}${issue.instancePath}/${String(params.missingProperty)}`, message: 'is required' }
    }
    return { path: `/${part}${issue.instancePath}`, message: issue.message ?? 'is invalid' }
  })
}

function send (reply: FastifyReply, status: number, body: Record<string, unknown>) {
  return reply.code(status).type(PROBLEM_TYPE).send({ status, ...body })
}

/**
 * One place turns every error into RFC 9457 problem+json: our own `HttpProblem`s,
 * Fastify's validation and body-parsing errors, and anything unexpected, which is
 * logged in full and answered with nothing but the request id.
 */
async function errors (app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof HttpProblem) {
      request.log.info({ status: error.status }, error.message)
      reply.headers(error.headers)
      return send(reply, error.status, {
        type: 'about:blank',
        title: error.title,
        detail: error.message,
        ...(error.errors ? { errors: error.errors } : {})
      })
    }
    if (error.validation) {
      const errors = fieldErrors(error)
      const moreErrors = error.validation.length - errors.length
      // A count only: the fields are what the client sent, and their list may be as long as the body allows.
      request.log.info({ errorCount: error.validation.length }, 'invalid request')
      const listed = errors.map((field) => `${field.path}: ${field.message}`).join('; ')
      return send(reply, 400, {
        type: 'about:blank',
        title: 'Bad Request',
        detail: moreErrors === 0 ? listed : `${listed}; and ${moreErrors} more`,
        errors,
        ...(moreErrors === 0 ? {} : { moreErrors })
      })
    }
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      // Fastify's own client errors (bad JSON, wrong media type, body too large) carry safe messages.
      request.log.info({ status, code: error.code }, error.message)
      return send(reply, status, { type: 'about:blank', title: titleOf(status), detail: error.message })
    }
    request.log.error({ err: error }, 'request failed')
    return send(reply, 500, {
      type: 'about:blank',
      title: 'Internal Server Error',
      detail: 'An internal error occurred. Quote the request id when reporting it.',
      requestId: String(request.id)
    })
  })

  app.setNotFoundHandler((request, reply) => send(reply, 404, {
    type: 'about:blank',
    title: 'Not Found',
    detail: `No route ${request.method} ${request.url.split('?')[0]}.`
  }))
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests'
}

function titleOf (status: number): string {
  return TITLES[status] ?? 'Bad Request'
}

export default fp(errors, { name: 'errors' })
