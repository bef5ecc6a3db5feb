import { availableParallelism } from 'node:os'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { OperatorError } from './operator-error.js'

// An origin as browsers send it: a scheme, a host and perhaps a port, no path (capacitor://localhost for a mobile app).
const ORIGIN = '[a-zA-Z][a-zA-Z0-9+.-]*://[^\\s/?#,*]+'

// A 96-core host must still start: the default is as many workers as cores, up to this.
const MOST_WORKERS = 64

const LogLevel = Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])

/**
 * Every setting the server reads, with its default. The environment is read in
 * one place (`src/server.ts`); tests and scripts pass literal objects instead.
 */
export const ConfigSchema = Type.Object({
  HOST: Type.String({ default: '0.0.0.0' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  DATABASE_PATH: Type.String({ minLength: 1, default: './data/cms.db' }),
  LOG_LEVEL: LogLevel,
  SITE_URL: Type.String({ pattern: '^https?://[^\\s]+$', default: 'http://localhost:3000', expected: 'an http:// or https:// URL such as https://www.example.com' }),
  // Where clients reach this API (scheme, host and port, no path): the links between its own documents (a feed's link
  // to itself, the sitemap index) are built from it, never from the request's Host, which anyone can set.
  API_URL: Type.String({ pattern: '^https?://[^\\s/?#]+/?$', default: 'http://localhost:3000', expected: 'an http:// or https:// origin with no path, such as https://api.example.com' }),
  SITE_NAME: Type.String({ minLength: 1, maxLength: 200, default: 'Newsroom' }),
  SITE_LANGUAGE: Type.String({ pattern: '^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$', default: 'en', expected: 'a language tag such as en, fr or pt-BR' }),
  ARTICLE_URL_TEMPLATE: Type.String({ minLength: 1, default: '{siteUrl}/{slug}' }),
  WORKERS: Type.Integer({ minimum: 1, maximum: MOST_WORKERS }),
  // normal: every acknowledged write survives a crash of the process; full: also an OS crash or a power loss, at some speed.
  DURABILITY: Type.Enum(['normal', 'full'], { default: 'normal' }),
  // Past this event-loop delay the server answers 503 with Retry-After instead of queueing more work; 0 turns it off.
  OVERLOAD_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 0, default: 1000 }),
  // The whole request must arrive within this time (slow-loris clients are cut off); idle keep-alive connections close after the other.
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 30_000 }),
  KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 65_000 }),
  TRUST_PROXY: Type.String({ default: 'false', pattern: '^[0-9a-fA-F.:/, ]+$|^(true|false)$', expected: 'true, false, a number of proxy hops, or a comma-separated list of proxy addresses or CIDR ranges' }),
  // Memory for answers kept between requests while the database is unchanged (see src/db/read-cache.ts); 0 turns it off.
  READ_CACHE_MB: Type.Integer({ minimum: 0, maximum: 4096, default: 48 }),
  CACHE_MAX_AGE: Type.Integer({ minimum: 0, default: 60 }),
  CACHE_S_MAXAGE: Type.Integer({ minimum: 0, default: 300 }),
  CACHE_STALE_WHILE_REVALIDATE: Type.Integer({ minimum: 0, default: 30 }),
  CORS_ORIGINS: Type.String({ default: '*', pattern: `^\\s*(\\*|${ORIGIN}(\\s*,\\s*${ORIGIN})*)\\s*$`, expected: '* or a comma-separated list of origins such as https://www.example.com' }),
  COMMENT_RATE_LIMIT: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 5 }),
  COMMENT_MAX_LINKS: Type.Integer({ minimum: 0, maximum: 100, default: 2 }),
  COMMENT_BLOCKLIST: Type.String({ default: '' }),
  COMMENT_APPROVE_RETURNING: Type.Boolean({ default: false })
})

export type Config = Readonly<Static<typeof ConfigSchema>>

/** Fastify's `trustProxy`: whether, and which, forwarding proxies may name the client in `X-Forwarded-For`. */
export function trustProxyOf (config: Pick<Config, 'TRUST_PROXY'>): boolean | string | ((address: string, hop: number) => boolean) {
  const value = config.TRUST_PROXY.trim()
  if (value === 'true' || value === 'false') return value === 'true'
  if (!/^\d+$/.test(value)) return value
  const hops = Number(value)
  return (_address, hop) => hop < hops
}

/** A setting the operator got wrong: `message` holds one line per bad setting, naming it and what it accepts. */
export class ConfigError extends OperatorError {
  override name = 'ConfigError'
}

interface SettingSchema { type?: string, enum?: readonly string[], minimum?: number, maximum?: number, minLength?: number, maxLength?: number, expected?: string }

/** What a setting accepts, in words, from its schema (`expected` where a pattern would say it badly). */
function acceptedBy (schema: SettingSchema): string | undefined {
  if (schema.expected !== undefined) return schema.expected
  if (schema.enum !== undefined) return `one of ${schema.enum.join(', ')}`
  if (schema.type === 'boolean') return 'true or false'
  if (schema.type === 'integer') {
    if (schema.minimum !== undefined && schema.maximum !== undefined) return `a whole number from ${schema.minimum} to ${schema.maximum}`
    if (schema.minimum !== undefined) return `a whole number of at least ${schema.minimum}`
    return 'a whole number'
  }
  if (schema.type === 'string' && schema.maxLength !== undefined) return `a text of ${schema.minLength ?? 0} to ${schema.maxLength} characters`
  if (schema.type === 'string' && schema.minLength !== undefined) return 'a text that is not empty'
  return undefined
}

/** Turns environment-style strings into a validated, frozen `Config`; throws a `ConfigError` naming every bad setting. */
export function loadConfig (env: Record<string, string | undefined>): Config {
  const known = Object.keys(ConfigSchema.properties)
  const given = Object.fromEntries(Object.entries(env).filter(([name, value]) => known.includes(name) && value !== undefined && value !== ''))
  const withDefaults = { LOG_LEVEL: 'info', WORKERS: String(Math.min(availableParallelism(), MOST_WORKERS)), ...given }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, withDefaults))
  const errors = [...Value.Errors(ConfigSchema, converted)]
  if (errors.length > 0) {
    // Values are left out: a mistyped secret would otherwise end up in whatever collects the server's output.
    const lines = new Map<string, string>()
    for (const error of errors) {
      const name = error.instancePath.slice(1)
      const accepted = acceptedBy((ConfigSchema.properties as Record<string, SettingSchema>)[name] ?? {})
      if (!lines.has(name)) lines.set(name, `${name} ${accepted === undefined ? error.message : `must be ${accepted}`}`)
    }
    throw new ConfigError([...lines.values()].join('\n'))
  }
  const config = converted as Static<typeof ConfigSchema>
  return Object.freeze({ ...config, SITE_URL: config.SITE_URL.replace(/\/+$/, ''), API_URL: config.API_URL.replace(/\/+$/, '') })
}
