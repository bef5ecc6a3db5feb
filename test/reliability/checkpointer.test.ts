import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import t from 'tap'
import { startCheckpointer } from '../../src/db/checkpointer.js'
import { openDatabase } from '../../src/db/client.js'
import { tempDir } from './fixtures/processes.js'

/** The rows the database file itself holds, without its WAL: a copy of the file alone, opened on its own. */
function rowsInFile (path: string, copy: string): number {
  copyFileSync(path, copy)
  const alone = new Database(copy, { readonly: true })
  try {
    const table = alone.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'notes'").pluck().get() as number
    return table === 0 ? 0 : alone.prepare('SELECT count(*) FROM notes').pluck().get() as number
  } finally {
    alone.close()
  }
}

t.test('the checkpointer copies what writers commit from the WAL into the database file, from its own thread', async (t) => {
  const dir = tempDir(t)
  const path = join(dir, 'cms.db')
  const db = openDatabase(path)
  t.teardown(() => db.$client.close())
  // Writers that never checkpoint by themselves: whatever reaches the file is the checkpointer's work.
  db.$client.pragma('wal_autocheckpoint = 0')
  db.$client.exec('CREATE TABLE notes (body TEXT NOT NULL)')
  const insert = db.$client.prepare('INSERT INTO notes (body) VALUES (?)')
  db.$client.transaction(() => { for (let index = 0; index < 500; index++) insert.run(`note ${index}`) })()
  t.equal(rowsInFile(path, join(dir, 'before.db')), 0, 'committed rows are in the WAL only')

  const errors: string[] = []
  const checkpointer = startCheckpointer(path, (message) => errors.push(message))
  const deadline = Date.now() + 10_000
  while (rowsInFile(path, join(dir, 'after.db')) < 500 && Date.now() < deadline) await sleep(50)
  t.equal(rowsInFile(path, join(dir, 'after.db')), 500, 'the file holds every committed row')

  // More commits while it runs reach the file too.
  db.$client.transaction(() => { for (let index = 0; index < 500; index++) insert.run(`later ${index}`) })()
  while (rowsInFile(path, join(dir, 'later.db')) < 1000 && Date.now() < deadline + 10_000) await sleep(50)
  t.equal(rowsInFile(path, join(dir, 'later.db')), 1000, 'and those committed later')

  await checkpointer.stop()
  t.same(errors, [], 'no failure reported')
})

t.test('a checkpointer that cannot open the database reports it, and stops', async (t) => {
  const dir = tempDir(t)
  const errors: string[] = []
  const checkpointer = startCheckpointer(join(dir, 'missing', 'cms.db'), (message) => errors.push(message))
  const deadline = Date.now() + 10_000
  while (errors.length === 0 && Date.now() < deadline) await sleep(20)
  t.match(errors, [/directory does not exist|unable to open/i], 'the error reaches onError')
  await checkpointer.stop()
})
