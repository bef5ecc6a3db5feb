import { mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'
import t from 'tap'
import ts from 'typescript'
import { createAuthor, build } from '../helper.js'

/** What `visitNewsroom` in newsroom-client.ts reports. */
interface Visit {
  created: { slug: string, commentsOpen: boolean }
  listed: { ids: string[], titles: (string | undefined)[] }
  read: { title: string, etag: string | null }
  revalidated: { status: number }
  comment: { status: string }
}

const generated = new URL('./generated/', import.meta.url)
const program = new URL('./newsroom-client.ts', import.meta.url)

/** The compiler's complaints about the client program, under the project's own compiler options. */
function diagnosticsOf (file: string): string[] {
  const configPath = fileURLToPath(new URL('../../tsconfig.json', import.meta.url))
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, fileURLToPath(new URL('../../', import.meta.url)))
  const compiled = ts.createProgram({ rootNames: [file], options: { ...config.options, noEmit: true } })
  return ts.getPreEmitDiagnostics(compiled).map((diagnostic) => {
    const where = diagnostic.file === undefined || diagnostic.start === undefined
      ? ''
      : `${diagnostic.file.fileName}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1}: `
    return `${where}${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`
  })
}

t.test('a client generated from the committed spec type-checks, and works against a live server', async (t) => {
  await mkdir(generated, { recursive: true })
  await writeFile(new URL('openapi.ts', generated), astToString(await openapiTS(new URL('../../openapi/openapi.json', import.meta.url))))
  t.same(diagnosticsOf(fileURLToPath(program)), [], 'test/client/newsroom-client.ts type-checks against the generated types')

  const context = await build(t)
  const author = await createAuthor(context, { name: 'Lequotidien' })
  const editor = (await context.keyFor('editor')).authorization.replace(/^Bearer /, '')
  const address = await context.app.listen({ host: '127.0.0.1', port: 0 })
  // Imported by its address, so that the project's own type check never needs the generated types.
  const { visitNewsroom } = await import(program.href) as { visitNewsroom: (baseUrl: string, key: string, authorId: string) => Promise<Visit> }
  const visit = await visitNewsroom(address, editor, author.id)

  t.equal(visit.created.commentsOpen, true, 'commentsOpen left out is true')
  t.ok(visit.listed.ids.length === 1 && visit.listed.titles[0] === 'Rabat accueille le sommet africain de la presse', 'the list, with fields, has the article')
  t.equal(visit.read.title, 'Rabat accueille le sommet africain de la presse', 'read by its slug')
  t.match(visit.read.etag, /^"/, 'with an ETag')
  t.equal(visit.revalidated.status, 304, 'a conditional GET with that ETag is a 304')
  t.equal(visit.comment.status, 'pending', 'a reader\'s comment is submitted')
})
