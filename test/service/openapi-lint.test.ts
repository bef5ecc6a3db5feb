import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { createConfig, lintFromString } from '@redocly/openapi-core'
import { Document, Spectral } from '@stoplight/spectral-core'
import spectralParsers from '@stoplight/spectral-parsers'
import { oas } from '@stoplight/spectral-rulesets'
import t from 'tap'

// A CommonJS module whose named exports Node cannot see from ESM.
const { Json } = spectralParsers

const specUrl = new URL('../../openapi/openapi.json', import.meta.url)

t.test('Redocly\'s recommended rules find no error and no warning in the committed spec', async (t) => {
  const problems = await lintFromString({
    source: await readFile(specUrl, 'utf8'),
    absoluteRef: fileURLToPath(specUrl),
    config: await createConfig({ extends: ['recommended'] })
  })
  const found = problems.map((problem) => `${problem.severity} ${problem.ruleId}: ${problem.message} at ${problem.location.map((where) => where.pointer).join(', ')}`)
  t.same(found, [], 'redocly recommended')
})

t.test('Spectral\'s spectral:oas rules find no error and no warning in the committed spec', async (t) => {
  const spectral = new Spectral()
  spectral.setRuleset({ extends: [[oas, 'recommended']] } as unknown as Parameters<Spectral['setRuleset']>[0])
  const results = await spectral.run(new Document(await readFile(specUrl, 'utf8'), Json, fileURLToPath(specUrl)))
  // Spectral's severities: 0 error, 1 warning, 2 information, 3 hint.
  const found = results.filter((result) => result.severity <= 1).map((result) => `${result.severity === 0 ? 'error' : 'warning'} ${String(result.code)}: ${result.message} at /${result.path.join('/')}`)
  t.same(found, [], 'spectral:oas')
})
