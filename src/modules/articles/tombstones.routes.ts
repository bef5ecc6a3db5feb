import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { fromIso, ref } from '../../http/common.js'
import { metaOf, pageOf } from '../../http/pagination.js'
import { problemResponses } from '../../http/problem.js'
import { PUBLIC_OR_KEY } from '../../plugins/auth.js'
import type { ArticlesRepository } from './articles.repository.js'
import { TombstoneListSchema, TombstoneQuerySchema } from './articles.schemas.js'

/** For apps that keep articles offline: what to drop since their last sync (what to refresh is `updatedAfter`). */
const routes: FastifyPluginAsyncTypebox<{ articles: ArticlesRepository }> = async (app, { articles }) => {
  app.get('', {
    schema: {
      tags: ['articles'],
      operationId: 'listTombstones',
      summary: 'Removed articles',
      description: 'Articles deleted or taken out of the public\'s sight (unpublished) after `since`, oldest first, so that an offline app can drop them. An article that comes back is listed again by `GET /v1/articles?updatedAfter=`.',
      security: PUBLIC_OR_KEY,
      querystring: TombstoneQuerySchema,
      response: { 200: ref(TombstoneListSchema), ...problemResponses }
    }
  }, async (request) => {
    const page = pageOf(request.query)
    const { data, total, nextCursor } = await articles.tombstones(fromIso(request.query.since), page)
    return { data, meta: metaOf(page, total, nextCursor) }
  })
}

export default routes
