import type { Config } from './config.js'

/**
 * pino options for the server: JSON on stdout at LOG_LEVEL. The request line
 * names only the method and path: the query string can hold what must not be
 * logged (a filter on a commenter's email), and the client's address is
 * personal data. The Authorization header is never logged.
 */
export function loggerOptions (config: Pick<Config, 'LOG_LEVEL'>) {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    serializers: {
      req: (request: { id: string, method: string, url: string }) => ({ id: request.id, method: request.method, path: request.url.split('?')[0] })
    }
  }
}
