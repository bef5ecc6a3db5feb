import { readFileSync } from 'node:fs'
import semver from 'semver'
import t from 'tap'

const root = new URL('../', import.meta.url)
const { engines } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } }
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { engines?: unknown }> }

// The first release of each maintained Node line that package.json accepts. Node 20 is past its end of life: it is
// still accepted, but some dependencies already ask for 22 (npm warns, they run).
const MAINTAINED = ['22.13.0', '24.0.0']

/** The installed packages whose `engines.node` the Node `version` does not satisfy: npm ci would warn about each. */
function engineWarnings (packages: typeof lock.packages, version: string): string[] {
  return Object.entries(packages).flatMap(([path, entry]) => {
    const range = (entry.engines as { node?: unknown } | undefined)?.node
    return typeof range === 'string' && !semver.satisfies(version, range) ? [`${path.replace(/^node_modules\//, '') || 'the package itself'} wants node ${range}`] : []
  })
}

t.test('package.json accepts Node 20.19+, 22.13+ and 24, and what comes before each of them in its line is refused', async (t) => {
  for (const version of ['20.19.0', ...MAINTAINED, '25.0.0']) t.ok(semver.satisfies(version, engines.node), `${version} is accepted`)
  for (const version of ['18.20.0', '20.18.3', '21.7.3', '22.12.0']) t.notOk(semver.satisfies(version, engines.node), `${version} is refused`)
})

t.test('npm ci on the first release of Node 22 and 24 we accept warns about no engine', async (t) => {
  for (const version of MAINTAINED) t.same(engineWarnings(lock.packages, version), [], `Node ${version}: every installed package accepts it`)
})

t.test('the engine check does find a package that wants a newer Node', async (t) => {
  const packages = { ...lock.packages, 'node_modules/from-the-future': { engines: { node: '>=24.1' } } }
  t.same(engineWarnings(packages, '24.0.0'), ['from-the-future wants node >=24.1'])
})
