/**
 * Where a request made at an article's old slug now belongs: the same path under the current slug (`suffix` is what
 * follows the slug, `/related` or `/comments`), with the same query. An old slug never becomes a 404: links shared
 * before a correction keep working.
 */
export function currentLocation (requestUrl: string, slug: string, suffix = ''): string {
  const query = requestUrl.indexOf('?')
  return `/v1/articles/${encodeURIComponent(slug)}${suffix}${query === -1 ? '' : requestUrl.slice(query)}`
}
