/**
 * Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), as a
 * character-class body that a JSON schema `pattern` can use too. They make text
 * display in another order than it is stored ("Trojan Source"): a name or a
 * title holding them can pass for another, or reorder the page around it.
 */
export const BIDI_CONTROL_RANGES = '\\u202A-\\u202E\\u2066-\\u2069'

const BIDI_CONTROL = new RegExp(`[${BIDI_CONTROL_RANGES}]`, 'gu')

/** Text without bidi embeddings, overrides and isolates. */
export function withoutBidiControls (text: string): string {
  return text.replace(BIDI_CONTROL, '')
}
