// npm run openapi: writes openapi/openapi.json from the route schemas. A test fails when the committed file is stale.
import { writeFile } from 'node:fs/promises'
import { generateOpenApi } from '../src/openapi-document.js'

await writeFile(new URL('../openapi/openapi.json', import.meta.url), await generateOpenApi())
