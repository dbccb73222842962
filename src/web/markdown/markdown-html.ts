/**
 * Markdown to (not yet sanitised) HTML with marked, configured for model output.
 *
 * Raw HTML in the answer is ESCAPED, not passed on for DOMPurify to clean: a model has no business
 * writing markup into the page, and `<script>` or `<div>` in an answer is nearly always text the reader
 * should see (an explanation of HTML), so showing it literally is both safer and more faithful. DOMPurify
 * still runs on everything afterwards (sanitize.ts), so one mistake here is not an exploit.
 *
 * Images become their alt text unless they are inline `data:image/*` images: a remote image would make
 * the browser fetch a URL the model chose, which can carry the conversation in its query string.
 */
import { Lexer, Marked, type Token, type Tokens, type TokensList } from 'marked';

/** Link reference definitions by normalised label, as marked keeps them. */
export type Links = TokensList['links'];

export const SAFE_IMAGE_SRC = /^data:image\/(?:png|gif|jpeg|webp);base64,[a-z0-9+/=\s]*$/i;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const markdown = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html({ text, block }: Tokens.HTML | Tokens.Tag): string {
      return block === true ? `<p>${escapeHtml(text.replace(/\n+$/, ''))}</p>\n` : escapeHtml(text);
    },
    image({ href, text }: Tokens.Image): string {
      return SAFE_IMAGE_SRC.test(href) ? `<img src="${escapeHtml(href)}" alt="${escapeHtml(text)}">` : escapeHtml(text);
    },
    // The language goes on <code> for the lazy highlighter; no trailing newline inside the code.
    code({ text, lang }: Tokens.Code): string {
      const language = /^\S+/.exec(lang ?? '')?.[0];
      const attribute = language === undefined ? '' : ` class="language-${escapeHtml(language)}"`;
      return `<pre><code${attribute}>${escapeHtml(text)}</code></pre>\n`;
    },
  },
});

/**
 * Top-level tokens of `source` (each keeps its exact `raw` text), lexed as if the definitions in `links`
 * came earlier in the document. The caller's `links` object is not modified; the definitions found in
 * `source` are in the result's `links`.
 */
export function lexMarkdown(source: string, links?: Links): TokensList {
  const lexer = new Lexer(markdown.defaults);
  if (links !== undefined) Object.assign(lexer.tokens.links, links);
  return lexer.lex(source);
}

/** The HTML of already lexed tokens (their inline tokens included). */
export function tokensHtml(tokens: Token[]): string {
  return markdown.parser(tokens);
}

/** The whole text at once: what the naive renderer does on every update. */
export function markdownHtml(source: string): string {
  return markdown.parse(source, { async: false });
}
