import type { Config } from '../../config.js'
import type { CommentStatus } from '../../db/schema/index.js'
import { linksIn } from '../../text/comment.js'

export type Rule = 'default' | 'links' | 'blocklist' | 'ban' | 'returning-commenter' | 'trusted-key'

export interface Decision {
  status: CommentStatus
  rule: Rule
}

/** What the rules need to know about the commenter, looked up before the comment is stored. */
export interface CommenterFacts {
  banned: boolean
  hasApprovedComment: boolean
  /** Posted with a moderator's or staff key: the newsroom answering its readers. */
  trustedKey: boolean
}

// Invisible format characters (zero-width spaces and joiners, soft hyphens, bidi controls) go before matching:
// "c\u200Basino" shows as "casino" and must be blocked as such.
const INVISIBLE = /\p{Cf}/gu

function foldForMatching (text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(INVISIBLE, '').toLowerCase()
}

export function moderationRules (config: Pick<Config, 'COMMENT_MAX_LINKS' | 'COMMENT_BLOCKLIST' | 'COMMENT_APPROVE_RETURNING'>) {
  const blocklist = config.COMMENT_BLOCKLIST.split(',').map((word) => foldForMatching(word.trim())).filter((word) => word !== '')
  // Whole words, case- and accent-insensitive: "casino" blocks "Casino!" but not "casinos-royale" inside another word.
  const blocked = blocklist.length === 0
    ? undefined
    : new RegExp(`(?<![\\p{L}\\p{N}])(?:${blocklist.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![\\p{L}\\p{N}])`, 'u')

  return {
    /** The stored status of a new comment, and the rule that chose it; the first rule that speaks wins. */
    decide (comment: { authorName: string, body: string, authorUrl?: string | null | undefined }, facts: CommenterFacts): Decision {
      if (facts.trustedKey) return { status: 'approved', rule: 'trusted-key' }
      if (facts.banned) return { status: 'spam', rule: 'ban' }
      if (blocked?.test(foldForMatching(`${comment.authorName}\n${comment.body}\n${comment.authorUrl ?? ''}`))) return { status: 'spam', rule: 'blocklist' }
      if (linksIn(comment.body).length > config.COMMENT_MAX_LINKS) return { status: 'pending', rule: 'links' }
      if (config.COMMENT_APPROVE_RETURNING && facts.hasApprovedComment) return { status: 'approved', rule: 'returning-commenter' }
      return { status: 'pending', rule: 'default' }
    }
  }
}

/**
 * What the submitter is told. It must never depend on the email or on the
 * address (a ban, a returning commenter), nor say that a comment was judged
 * spam: only a trusted key's comment reads `approved`.
 */
export function answeredStatus (decision: Decision): 'pending' | 'approved' {
  return decision.rule === 'trusted-key' ? 'approved' : 'pending'
}
