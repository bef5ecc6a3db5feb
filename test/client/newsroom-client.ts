// A front end's code, written against the types openapi-typescript generates from the committed spec.
import createClient from 'openapi-fetch'
import type { paths } from './generated/openapi.js'

export interface NewsroomVisit {
  created: { slug: string, commentsOpen: boolean }
  listed: { ids: string[], titles: (string | undefined)[] }
  read: { title: string, etag: string | null }
  revalidated: { status: number }
  comment: { status: string }
}

/** What a newsroom's site does: publish with its key, then read, revalidate and comment as a reader. */
export async function visitNewsroom (baseUrl: string, key: string, authorId: string): Promise<NewsroomVisit> {
  const client = createClient<paths>({ baseUrl })

  const created = await client.POST('/v1/articles', {
    headers: { Authorization: `Bearer ${key}` },
    body: { title: 'Rabat accueille le sommet africain de la presse', body: 'Les rédactions de tout le continent se retrouvent à Rabat.', authorId, status: 'published' }
  })
  if (created.data === undefined) throw new Error(`createArticle: ${created.response.status}`)

  const listed = await client.GET('/v1/articles', { params: { query: { fields: 'title,url' } } })
  if (listed.data === undefined) throw new Error(`listArticles: ${listed.response.status}`)

  const read = await client.GET('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: created.data.slug } } })
  if (read.data === undefined) throw new Error(`getArticle: ${read.response.status}`)
  const etag = read.response.headers.get('etag')

  const revalidated = await client.GET('/v1/articles/{idOrSlug}', {
    params: { path: { idOrSlug: created.data.slug }, header: { 'If-None-Match': etag ?? '' } }
  })

  const comment = await client.POST('/v1/articles/{idOrSlug}/comments', {
    params: { path: { idOrSlug: created.data.slug } },
    body: { authorName: 'Samira', authorEmail: 'samira@lecteurs.example', body: 'Enfin un sommet sur notre métier.' }
  })
  if (comment.data === undefined) throw new Error(`submitComment: ${comment.response.status}`)

  return {
    created: { slug: created.data.slug, commentsOpen: created.data.commentsOpen },
    listed: { ids: listed.data.data.map((item) => item.id), titles: listed.data.data.map((item) => item.title) },
    read: { title: read.data.title ?? '', etag },
    revalidated: { status: revalidated.response.status },
    comment: { status: comment.data.status }
  }
}
