import { and, eq, gt, isNotNull, isNull, lt, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { badRequest } from '../http/problem.js'

/** One key of a list's order. SQLite puts NULLs first going up and last going down. */
export interface SortKey {
  key: SQLWrapper
  descending: boolean
}

type CursorValue = string | number | null

function equalTo (key: SQLWrapper, value: CursorValue): SQL {
  return value === null ? isNull(key) : eq(key, value)
}

function after ({ key, descending }: SortKey, value: CursorValue): SQL | undefined {
  if (descending) return value === null ? undefined : or(lt(key, value), isNull(key))
  return value === null ? isNotNull(key) : gt(key, value)
}

/**
 * The rows that come after a cursor in this order: (k1, k2, …) strictly after
 * (v1, v2, …), lexicographically. Unlike an offset, it stays right while rows
 * are inserted before the cursor.
 */
export function afterCursor (keys: readonly SortKey[], values: readonly CursorValue[]): SQL {
  const branches = keys.map((sortKey, index) => and(
    ...keys.slice(0, index).map((previous, at) => equalTo(previous.key, values[at] ?? null)),
    after(sortKey, values[index] ?? null)
  ))
  return or(...branches) ?? sql`0`
}

/** An opaque cursor: the order it belongs to and the last row's sort values. */
export function encodeCursor (order: string, values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify([order, ...values])).toString('base64url')
}

/** The sort values a cursor holds; a 400 naming `cursor` when it is not one of ours or belongs to another order. */
export function decodeCursor (cursor: string, order: string, arity: number): CursorValue[] {
  let decoded: unknown
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    decoded = undefined
  }
  const valid = Array.isArray(decoded) && decoded.length === arity + 1 && decoded[0] === order &&
    decoded.slice(1).every((value) => value === null || typeof value === 'string' || typeof value === 'number')
  if (!valid) badRequest([{ path: '/querystring/cursor', message: 'is not a cursor of this list in this order: take it from meta.nextCursor' }])
  return (decoded as CursorValue[]).slice(1)
}

/**
 * Reads one more row than the page holds to know whether another page follows;
 * returns the page and the cursor to it.
 */
export function pageWithCursor<Row> (rows: Row[], limit: number, order: string, valuesOf: (row: Row) => CursorValue[]) {
  if (rows.length <= limit) return { rows, nextCursor: null }
  const pageRows = rows.slice(0, limit)
  return { rows: pageRows, nextCursor: encodeCursor(order, valuesOf(pageRows[pageRows.length - 1]!)) }
}

/** The ORDER BY that matches a list of sort keys. */
export function orderBy (keys: readonly SortKey[]): SQL[] {
  return keys.map(({ key, descending }) => descending ? sql`${key} DESC` : sql`${key} ASC`)
}
