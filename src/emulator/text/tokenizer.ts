/**
 * The emulator's one token rule, used for input tokens, output tokens, usage fields and metrics alike,
 * so every count the emulator reports agrees with every other.
 *
 * A token is a word (letters, marks, digits, apostrophes) with its leading whitespace, or one other
 * character (punctuation, symbol, emoji code point) with its leading whitespace, or trailing whitespace.
 * Tokens concatenate back to the text exactly, and the tokens of any prefix that ends on a token boundary
 * are the first tokens of the whole text.
 */
const TOKEN_PATTERN = /\s*[\p{L}\p{M}\p{N}'’]+|\s*[^\s\p{L}\p{M}\p{N}'’]|\s+/gu;

/** Splits text into tokens; `tokens.join('') === text`. */
export function tokenize(text: string): string[] {
  return text.match(TOKEN_PATTERN) ?? [];
}

/** How many tokens `text` holds, without building the token list. */
export function countTokens(text: string): number {
  // One shared global regex: exec() is synchronous, so resetting lastIndex first is enough.
  TOKEN_PATTERN.lastIndex = 0;
  let count = 0;
  while (TOKEN_PATTERN.exec(text) !== null) count++;
  return count;
}
