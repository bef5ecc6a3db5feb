import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { openDatabase } from './db/client.js'
import { runMigrations } from './db/migrate.js'

/** The OpenAPI document as committed in `openapi/openapi.json`: built from an app on the default settings, so it never depends on the environment. */
export async function generateOpenApi (): Promise<string> {
  const db = openDatabase(':memory:')
  runMigrations(db)
  const app = await buildApp({ config: loadConfig({}), db })
  await app.ready()
  const document = `${JSON.stringify(app.swagger(), null, 2)}\n`
  await app.close()
  return document
}
