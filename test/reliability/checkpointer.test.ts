import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import t from 'tap'
import { startCheckpointer } from '../../src/db/checkpointer.js'
import { openDatabase } from '../../src/db/client.js'
import { tempDir } from './fixtures/processes.js'

/**
 * The rows the database file itself holds, without its WAL: a copy of the file alone, opened on its own. A copy taken
 * while the checkpointer writes the file may catch a page half written: that is "not there yet" (undefined), and the
 * caller looks again; once the checkpointer has stopped, the copy is whole.
 */
function rowsInFile (path: string, copy: string): number | undefined {
  copyFileSync(path, copy)
  const alone = new Database(copy, { readonly: true })
  try {
    const table = alone.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'notes'").pluck().get() as number
    return table === 0 ? 0 : alone.prepare('SELECT count(*) FROM notes').pluck().get() as number
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('SQLITE_CORRUPT') || (error as { code?: string }).code === 'SQLITE_NOTADB') return undefined
    throw error
  } finally {
    alone.close()
  }
}

/** Looks at the file until it holds `rows` rows, or the deadline passes: what it saw last. */
async function untilFileHolds (path: string, copy: string, rows: number, deadline: number): Promise<number | undefined> {
  let seen = rowsInFile(path, copy)
  while (seen !== rows && Date.now() < deadline) {
    await sleep(50)
    seen = rowsInFile(path, copy)
  }
  return seen
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
  t.equal(await untilFileHolds(path, join(dir, 'after.db'), 500, Date.now() + 10_000), 500, 'the file holds every committed row')

  // More commits while it runs reach the file too.
  db.$client.transaction(() => { for (let index = 0; index < 500; index++) insert.run(`later ${index}`) })()
  t.equal(await untilFileHolds(path, join(dir, 'later.db'), 1000, Date.now() + 10_000), 1000, 'and those committed later')

  // Stopped, it writes no more: a copy now is whole, and still holds every row (the writer, still open, never checkpoints).
  await checkpointer.stop()
  t.equal(rowsInFile(path, join(dir, 'stopped.db')), 1000, 'a copy of the file once the checkpointer has stopped holds them all')
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
