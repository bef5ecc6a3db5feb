import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { call, childEnv, cli, exitWithin, root, startServer, tempDir, waitForHealth, type Launch } from '../reliability/fixtures/processes.js'

const run = promisify(execFile)

/**
 * The production layout, for real: the repository's tracked files with a
 * hard-linked copy of node_modules, then the Dockerfile's own steps (build,
 * prune the development dependencies), then the server and the cms command
 * run from that tree, without a compiler or tsx left in it.
 */
t.test('after the build and npm prune --omit=dev, npm start serves and npx cms makes a key that works', async (t) => {
  const dir = tempDir(t)
  const tree = join(dir, 'app')
  const tracked = (await run('git', ['ls-files', '-z'], { cwd: root, maxBuffer: 16 * 1024 * 1024 })).stdout.split('\0').filter((path) => path !== '')
  for (const path of tracked) {
    if (!existsSync(join(root, path))) continue
    mkdirSync(dirname(join(tree, path)), { recursive: true })
    copyFileSync(join(root, path), join(tree, path))
  }
  await run('cp', ['-al', join(root, 'node_modules'), join(tree, 'node_modules')])
  // npm rewrites its record of node_modules in place: a linked one would change the checkout's.
  rmSync(join(tree, 'node_modules', '.package-lock.json'))
  copyFileSync(join(root, 'node_modules', '.package-lock.json'), join(tree, 'node_modules', '.package-lock.json'))

  // npx keeps the package it runs in a cache of its own: one for this test, not the user's.
  const npmEnv = { npm_config_cache: join(dir, 'npm-cache'), npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false' }
  await run('npm', ['run', 'build'], { cwd: tree, env: childEnv(npmEnv) })
  await run('npm', ['prune', '--omit=dev', '--offline'], { cwd: tree, env: childEnv(npmEnv) })
  const installed = readdirSync(join(tree, 'node_modules'))
  t.notOk(installed.includes('typescript') || installed.includes('tsx'), 'no compiler and no tsx in the pruned tree')
  t.ok(installed.includes('better-sqlite3') && installed.includes('fastify'), 'the runtime dependencies stay')
  t.ok(existsSync(join(root, 'node_modules', 'typescript')), 'the checkout keeps its own node_modules')

  const databasePath = join(dir, 'data', 'cms.db')
  const npmStart: Launch = { command: 'npm', args: ['start'], cwd: tree }
  const server = await startServer(t, { databasePath, env: npmEnv, launch: npmStart })
  await waitForHealth(server)
  t.equal((await call(server.port, { path: '/readyz' })).status, 200, '/readyz answers 200')

  const npxCms: Launch = { command: 'npx', args: ['cms'], cwd: tree }
  const created = await cli(t, databasePath, ['keys', 'create', '--name', 'First admin', '--role', 'admin'], { launch: npxCms, env: npmEnv })
  t.equal(created.code, 0, 'npx cms keys create exits 0', { stderr: created.stderr })
  t.match(created.stdout, /^cms_[A-Za-z0-9_-]{20,}\n$/, 'and prints the key alone')
  const authorization = `Bearer ${created.stdout.trim()}`
  const keys = await call(server.port, { path: '/v1/api-keys', headers: { authorization } })
  t.equal(keys.status, 200, 'the key works on the API', { body: keys.body })
  t.match(JSON.parse(keys.body), { data: [{ name: 'First admin', role: 'admin' }] })
  const author = await call(server.port, { method: 'POST', path: '/v1/authors', headers: { authorization }, body: { name: 'Salma Idrissi' } })
  t.equal(author.status, 201, 'and writes', { body: author.body })

  const check = await cli(t, databasePath, ['check'], { launch: npxCms, env: npmEnv })
  t.same([check.code, check.stdout], [0, 'ok\n'], 'npx cms check: ok')

  const pid = server.logs.find((line) => line.msg === 'database ready')?.pid
  t.type(pid, 'number', 'the server logged its pid')
  process.kill(pid!, 'SIGTERM')
  t.same(await exitWithin(server, 20_000), [0, null], 'SIGTERM stops the server, and npm start exits 0')
})
