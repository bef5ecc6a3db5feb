import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { promisify } from 'node:util'
import { validate } from 'dockerfile-utils'
import t from 'tap'
import { loadConfig } from '../src/config.js'

const root = new URL('../', import.meta.url)
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8')
const dockerignore = readFileSync(new URL('.dockerignore', root), 'utf8')
const packageJson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { bin: Record<string, string>, scripts: Record<string, string> }

// LSP severities, as dockerfile-utils reports them (vscode-languageserver-types' DiagnosticSeverity).
const ERROR = 1
const WARNING = 2

interface Instruction { keyword: string, args: string, line: number }

/** The Dockerfile's instructions, continuation lines joined and comments dropped, as the builder reads them. */
function instructionsOf (text: string): Instruction[] {
  const instructions: Instruction[] = []
  let current = ''
  let start = 0
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line.startsWith('#') || (current === '' && line === '')) return
    if (current === '') start = index + 1
    const continued = line.endsWith('\\')
    current += (current === '' ? '' : ' ') + (continued ? line.slice(0, -1).trim() : line)
    if (continued) return
    const [keyword = '', ...rest] = current.split(/\s+/)
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: start })
    current = ''
  })
  return instructions
}

/** The JSON (exec) form of an instruction's arguments, or undefined when they are in shell form or not valid JSON. */
function execForm (args: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(args)
    return Array.isArray(parsed) && parsed.length > 0 && parsed.every((part) => typeof part === 'string') ? parsed : undefined
  } catch {
    return undefined
  }
}

/** The command of the last HEALTHCHECK, its flags left out. */
function healthcheckCommand (instructions: Instruction[]): string[] | undefined {
  const healthcheck = instructions.filter((instruction) => instruction.keyword === 'HEALTHCHECK').at(-1)
  const match = /^(?:--\S+\s+)*CMD\s+(.*)$/s.exec(healthcheck?.args ?? '')
  return match?.[1] === undefined ? undefined : execForm(match[1])
}

/** Everything this project needs of its image, as a list of what is wrong (empty when nothing is). */
function structuralProblems (text: string): string[] {
  const problems: string[] = []
  const instructions = instructionsOf(text)
  const froms = instructions.filter((instruction) => instruction.keyword === 'FROM')
  if (froms.length < 2) problems.push('not a multi-stage build')
  for (const from of froms) {
    if (!/^node:24(?:[.-]|\s|$)\S*/.test(from.args)) problems.push(`line ${from.line}: FROM ${from.args} is not a node:24 image`)
    if (/alpine/.test(from.args)) problems.push(`line ${from.line}: an Alpine (musl) image`)
  }
  const lastFrom = instructions.lastIndexOf(froms.at(-1)!)
  const build = instructions.slice(instructions.indexOf(froms[0]!), froms.length > 1 ? instructions.indexOf(froms[1]!) : undefined)
  const runtime = instructions.slice(lastFrom)
  const runs = build.filter((instruction) => instruction.keyword === 'RUN').map((instruction) => instruction.args).join('\n')
  for (const needed of ['python3', 'make', 'g++', 'npm ci', 'npm run build', 'npm prune --omit=dev']) {
    if (!runs.includes(needed)) problems.push(`the build stage does not run ${needed}`)
  }
  if (!(runs.indexOf('npm ci') < runs.indexOf('npm run build') && runs.indexOf('npm run build') < runs.indexOf('npm prune'))) {
    problems.push('the build stage does not run npm ci, then npm run build, then npm prune')
  }

  // The package's prepare script builds, which needs the sources: an npm ci before they are copied must skip it.
  const sourcesCopied = build.findIndex((instruction) => instruction.keyword === 'COPY' && /(?:^|\s)src(?:\/|\s)/.test(instruction.args))
  const earlyInstall = build.slice(0, sourcesCopied).find((instruction) => instruction.keyword === 'RUN' && instruction.args.includes('npm ci'))
  if (packageJson.scripts.prepare !== undefined && earlyInstall !== undefined &&
    !(earlyInstall.args.includes('--ignore-scripts') && /npm rebuild/.test(earlyInstall.args))) {
    problems.push(`line ${earlyInstall.line}: npm ci runs the prepare script before the sources are copied (use --ignore-scripts, then npm rebuild)`)
  }
  const bin = packageJson.bin.cms!
  if (!runs.includes(`chmod +x ${bin}`)) problems.push(`the build stage does not make ${bin} executable`)

  const copies = runtime.filter((instruction) => instruction.keyword === 'COPY').map((instruction) => instruction.args)
  for (const needed of ['dist', 'migrations', 'package.json', 'node_modules']) {
    if (!copies.some((args) => args.split(/\s+/).slice(0, -1).some((source) => source.replace(/^\/app\//, '').replace(/\/$/, '') === needed))) {
      problems.push(`the runtime stage does not copy ${needed}`)
    }
  }

  const users = runtime.filter((instruction) => instruction.keyword === 'USER')
  if (users.at(-1)?.args !== 'node') problems.push('the runtime stage does not end as USER node')
  const env = runtime.filter((instruction) => instruction.keyword === 'ENV').map((instruction) => instruction.args).join(' ')
  if (!/(?:^|\s)DATABASE_PATH=\/data\/cms\.db(?:\s|$)/.test(env)) problems.push('no ENV DATABASE_PATH=/data/cms.db')
  const volumes = runtime.filter((instruction) => instruction.keyword === 'VOLUME').map((instruction) => instruction.args)
  if (!volumes.some((args) => args === '/data' || execForm(args)?.includes('/data'))) problems.push('no VOLUME /data')
  const runtimeRuns = runtime.filter((instruction) => instruction.keyword === 'RUN').map((instruction) => instruction.args).join('\n')
  if (!/mkdir -p \/data/.test(runtimeRuns) || !/chown (?:-R )?node(?::node)? \/data/.test(runtimeRuns)) problems.push('/data is not created owned by node')
  if (!runtime.some((instruction) => instruction.keyword === 'EXPOSE' && instruction.args.split(/\s+/).includes('3000'))) problems.push('no EXPOSE 3000')

  const workdir = runtime.filter((instruction) => instruction.keyword === 'WORKDIR').at(-1)?.args
  if (!new RegExp(`ln -s ${workdir}/${bin} /usr/local/bin/cms(?:\\s|$)`).test(runtimeRuns)) problems.push(`cms is not on the PATH as a link to ${workdir}/${bin}`)

  const healthcheck = healthcheckCommand(runtime)
  if (healthcheck === undefined) problems.push('no HEALTHCHECK in exec form')
  else if (healthcheck[0] !== 'node' || !healthcheck.join(' ').includes('/healthz') || /curl|wget/.test(healthcheck.join(' '))) {
    problems.push('the HEALTHCHECK does not ask /healthz with node')
  }

  const entrypoint = execForm(runtime.filter((instruction) => instruction.keyword === 'ENTRYPOINT').at(-1)?.args ?? '')
  if (entrypoint === undefined || !/(?:^|\/)(?:tini|dumb-init)$/.test(entrypoint[0]!)) problems.push('no init (tini or dumb-init) as ENTRYPOINT')
  else if (!runtimeRuns.includes(entrypoint[0]!.split('/').at(-1)!)) problems.push(`${entrypoint[0]} is never installed`)

  const cmd = execForm(runtime.filter((instruction) => instruction.keyword === 'CMD').at(-1)?.args ?? '')
  if (cmd?.join(' ') !== 'node dist/server.js') problems.push('CMD is not ["node", "dist/server.js"]')
  return problems
}

t.test('dockerfile-utils finds no error or warning in the Dockerfile', async (t) => {
  const diagnostics = validate(dockerfile)
  t.same(diagnostics.filter((diagnostic) => diagnostic.severity === ERROR || diagnostic.severity === WARNING), [])
})

t.test('dockerfile-utils does report a broken Dockerfile', async (t) => {
  // The lint above is only worth something if the linter speaks up: the same file, damaged in three ways.
  const broken = dockerfile
    .replace('EXPOSE 3000', 'EXPOSE three-thousand')
    .replace('--interval=30s', '--interval=often')
    .replace('WORKDIR /app', 'WORKDIR app')
  t.not(broken, dockerfile)
  const diagnostics = validate(broken).map(({ severity, message }) => ({ severity, message: typeof message === 'string' ? message : message.value }))
  t.ok(diagnostics.some(({ severity, message }) => severity === ERROR && /containerPort/.test(message)), 'a bad port is an error', { diagnostics })
  t.ok(diagnostics.some(({ severity, message }) => severity === ERROR && /duration/.test(message)), 'a bad duration is an error', { diagnostics })
  t.ok(diagnostics.some(({ severity, message }) => severity === WARNING && /absolute/.test(message)), 'a relative WORKDIR is a warning', { diagnostics })
})

t.test('the image is built in stages on Node 24 and runs the compiled server as node', async (t) => {
  t.same(structuralProblems(dockerfile), [])
})

t.test('the structural checks catch a Dockerfile that lost what the image needs', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['USER node', 'USER root', /USER node/],
    ['node:24-bookworm-slim AS runtime', 'node:22-bookworm-slim AS runtime', /not a node:24 image/],
    ['VOLUME /data', 'VOLUME /var/lib/cms', /VOLUME \/data/],
    ['CMD ["node", "dist/server.js"]', 'CMD ["node", "src/server.ts"]', /CMD/],
    ['CMD ["node", "dist/server.js"]', 'CMD ["node", "dist/server.js"', /CMD/],
    ['HEALTHCHECK', '# HEALTHCHECK', /HEALTHCHECK/],
    ['DATABASE_PATH=/data/cms.db', 'DATABASE_PATH=./data/cms.db', /DATABASE_PATH/],
    ['ENTRYPOINT ["/usr/bin/tini", "--"]', '', /init/],
    ['COPY migrations ./migrations', '', /copy migrations/],
    ['npm prune --omit=dev', 'true', /npm prune/],
    ['npm ci --no-audit --no-fund --ignore-scripts', 'npm ci --no-audit --no-fund', /prepare script/],
    ['&& chmod +x dist/cli.js', '', /executable/],
    ['ln -s /app/dist/cli.js /usr/local/bin/cms', 'true', /cms is not on the PATH/]
  ]
  for (const [from, to, problem] of cases) {
    t.ok(dockerfile.includes(from), `the Dockerfile has ${from}`)
    const problems = structuralProblems(dockerfile.replace(from, to))
    t.ok(problems.some((found) => problem.test(found)), `${from} → ${to || 'nothing'} is caught`, { problems })
  }
  const singleStage = dockerfile.slice(dockerfile.indexOf('FROM node:24-bookworm-slim AS runtime'))
  t.ok(structuralProblems(singleStage).includes('not a multi-stage build'), 'a single stage is caught')
})

t.test('the image agrees with the code: compiled layout, default port, database path', async (t) => {
  // src/db/migrate.ts finds ../../migrations from src/db and dist/db alike, and src/app.ts ../package.json:
  // that holds in the image only while the build compiles src/ into dist/ with the same layout.
  const build = JSON.parse(readFileSync(new URL('tsconfig.build.json', root), 'utf8')) as { compilerOptions: { rootDir?: string, outDir?: string } }
  t.equal(build.compilerOptions.rootDir, 'src')
  t.equal(build.compilerOptions.outDir, 'dist')
  const instructions = instructionsOf(dockerfile)
  const cmd = execForm(instructions.filter((instruction) => instruction.keyword === 'CMD').at(-1)?.args ?? '') ?? []
  const entry = cmd.find((part) => part.startsWith('dist/'))
  t.ok(entry !== undefined && existsSync(new URL(entry.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'), root)), `${entry} is compiled from a source file`)
  const cli = packageJson.bin.cms!
  t.match(cli, /^dist\/.*\.js$/, 'the cms command is compiled code')
  t.ok(existsSync(new URL(cli.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'), root)), `${cli}, the cms command in the image, is compiled from a source file`)
  t.match(readFileSync(new URL(cli.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'), root), 'utf8'), /^#!\/usr\/bin\/env node\n/, 'which starts with a node shebang, so the link runs it')
  t.notOk('prestart' in packageJson.scripts, 'npm start does not build (a production install has no compiler)')
  t.equal(packageJson.scripts.start, cmd.join(' '), 'npm start runs what the image runs')

  const defaults = loadConfig({})
  const exposed = instructions.filter((instruction) => instruction.keyword === 'EXPOSE').flatMap((instruction) => instruction.args.split(/\s+/))
  t.ok(exposed.includes(String(defaults.PORT)), `EXPOSE names the default port ${defaults.PORT}`)
  t.match(healthcheckCommand(instructions)?.join(' '), new RegExp(`\\|\\| ${defaults.PORT}\\b`), 'the HEALTHCHECK falls back to the default port')
  const env = Object.fromEntries(instructions.filter((instruction) => instruction.keyword === 'ENV')
    .flatMap((instruction) => [...instruction.args.matchAll(/(\w+)=(\S+)/g)].map((match) => [match[1]!, match[2]!])))
  const config = loadConfig(env)
  t.equal(config.DATABASE_PATH, '/data/cms.db', 'the image\'s settings load, with the database in the volume')
  t.equal(config.PORT, defaults.PORT)
})

t.test('every file the image copies from the context exists and is not in .dockerignore', async (t) => {
  const ignored = dockerignore.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'))
  const sources = instructionsOf(dockerfile)
    .filter((instruction) => instruction.keyword === 'COPY' && !instruction.args.includes('--from='))
    .flatMap((instruction) => instruction.args.split(/\s+/).filter((part) => !part.startsWith('--')).slice(0, -1))
  t.ok(sources.length >= 4, 'the build context is copied from')
  for (const source of sources) {
    const path = source.replace(/\/$/, '')
    t.ok(existsSync(new URL(path, root)), `${path} exists`)
    t.notOk(ignored.includes(path), `${path} is not ignored`)
  }
  for (const kept of ['node_modules', 'dist', '.git', 'data', '*.db']) t.ok(ignored.includes(kept), `${kept} is kept out of the context`)
})

t.test('the HEALTHCHECK command works without curl, on the port the server uses', async (t) => {
  const command = healthcheckCommand(instructionsOf(dockerfile))
  if (command === undefined) throw new Error('no HEALTHCHECK in exec form')
  const [program, ...args] = command
  t.equal(program, 'node')
  const run = async (port: number) => {
    try {
      await promisify(execFile)(process.execPath, args, { env: { ...process.env, PORT: String(port) }, timeout: 10_000 })
      return 0
    } catch (error) {
      return (error as { code?: number }).code
    }
  }
  let status = 200
  const paths: string[] = []
  const server: Server = createServer((request, response) => {
    paths.push(request.url ?? '')
    response.writeHead(status, { 'content-type': 'application/json' }).end('{"status":"ok"}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { if (server.listening) server.close() })
  const { port } = server.address() as AddressInfo

  t.equal(await run(port), 0, 'healthy when /healthz is 200')
  status = 503
  t.equal(await run(port), 1, 'unhealthy when /healthz is not 2xx')
  t.same(paths, ['/healthz', '/healthz'])
  server.close()
  await new Promise((resolve) => server.once('close', resolve))
  t.equal(await run(port), 1, 'unhealthy when nothing listens')
})
