import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import t from 'tap'
import { cli, exitWithin, seedDatabase, startServer, tempDir, unprivilegedUser, type CliRun } from '../reliability/fixtures/processes.js'

/** A directory of the test's own that the unprivileged user may enter and, with `writable`, write in. */
function sharedDir (t: Test, writable: boolean): string {
  const dir = tempDir(t)
  chmodSync(dir, writable ? 0o777 : 0o755)
  return dir
}

interface Setup { what: string, env?: Record<string, string>, databasePath: (t: Test) => Promise<string>, user?: number | undefined, line: RegExp }

const missing = async (t: Test) => join(tempDir(t), 'cms.db')

const mistakes: Setup[] = [
  { what: 'PORT=abc', env: { PORT: 'abc' }, databasePath: missing, line: /^PORT must be a whole number from 0 to 65535$/ },
  { what: 'WORKERS=0', env: { WORKERS: '0' }, databasePath: missing, line: /^WORKERS must be a whole number from 1 to 64$/ },
  { what: 'LOG_LEVEL=loud', env: { LOG_LEVEL: 'loud' }, databasePath: missing, line: /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent$/ },
  { what: 'CORS_ORIGINS that are not origins', env: { CORS_ORIGINS: 'www.example.com, example.org' }, databasePath: missing, line: /^CORS_ORIGINS must be \* or a comma-separated list of origins such as https:\/\/www\.example\.com$/ },
  {
    what: 'a DATABASE_PATH whose directory cannot be created',
    databasePath: async (t) => {
      const file = join(tempDir(t), 'a-file')
      writeFileSync(file, 'not a directory')
      return join(file, 'data', 'cms.db')
    },
    line: /^DATABASE_PATH \S+a-file\/data\/cms\.db: cannot create the directory \S+a-file\/data: a part of the path is a file, not a directory$/
  },
  {
    what: 'a DATABASE_PATH in a directory that cannot be written',
    databasePath: async (t) => {
      const dir = join(sharedDir(t, false), 'data')
      mkdirSync(dir, { mode: 0o755 })
      return join(dir, 'cms.db')
    },
    user: unprivilegedUser,
    line: /^DATABASE_PATH \S+\/data\/cms\.db: the directory \S+\/data is not writable/
  },
  {
    what: 'a read-only DATABASE_PATH',
    databasePath: async (t) => {
      const path = join(sharedDir(t, true), 'cms.db')
      await seedDatabase(path)
      chmodSync(path, 0o444)
      return path
    },
    user: unprivilegedUser,
    line: /^DATABASE_PATH \S+\/cms\.db is read-only/
  },
  {
    what: 'a directory given as DATABASE_PATH',
    databasePath: async (t) => tempDir(t),
    line: /^DATABASE_PATH (\S+) is a directory: give the path of the database file, such as \1\/cms\.db$/
  }
]

/** Exactly one line on stderr, matching `line`; no stack trace; nothing on stdout; a non-zero exit. */
function oneLine (t: Test, what: string, run: { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }, line: RegExp) {
  const lines = run.stderr.split('\n').filter((text) => text !== '')
  t.not(run.code, 0, `${what}: a non-zero exit`)
  t.equal(run.signal, null, `${what}: it stops by itself`)
  t.equal(lines.length, 1, `${what}: one line on stderr`, { stderr: run.stderr })
  t.match(lines[0], line, `${what}: the line names the setting and what it needs`)
  t.notMatch(run.stderr, /^\s+at /m, `${what}: no stack trace`)
  t.equal(run.stdout, '', `${what}: nothing on stdout`)
}

t.test('the server stops at start with one line for each operator mistake', async (t) => {
  const runs = await Promise.all(mistakes.map(async ({ env = {}, databasePath, user }) => {
    const server = await startServer(t, { databasePath: await databasePath(t), env, user })
    const exit = await exitWithin(server, 60_000)
    return { code: exit?.[0] ?? null, signal: exit?.[1] ?? null, stdout: server.lines.join('\n'), stderr: server.stderr() }
  }))
  mistakes.forEach(({ what, line }, index) => oneLine(t, what, runs[index]!, line))
})

t.test('the CLI says the same line, after "cms: "', async (t) => {
  const runs: CliRun[] = await Promise.all(mistakes.map(async ({ env = {}, databasePath, user }) => cli(t, await databasePath(t), ['migrate'], { env, user })))
  mistakes.forEach(({ what, line }, index) => {
    const run = runs[index]!
    oneLine(t, what, { ...run, stderr: run.stderr.replace(/^cms: /, '') }, line)
    t.match(run.stderr, /^cms: /, `${what}: the line says it comes from cms`)
  })
})
