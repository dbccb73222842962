/**
 * Markdown to (unsanitised) HTML with marked, configured for model output: raw HTML in the answer is
 * shown as text (a model has no business writing markup into the page), images become their alt text
 * unless they are inline `data:` images, code blocks carry their language for the lazy highlighter.
 */
import { Marked, type Token, type Tokens } from 'marked';

const SAFE_IMAGE = /^data:image\/(?:png|gif|jpeg|webp);base64,[a-z0-9+/=\s]+$/i;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const markdown = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html({ text, block }: Tokens.HTML | Tokens.Tag): string {
      return block === true ? `<p>${escapeHtml(text)}</p>` : escapeHtml(text);
    },
    image({ href, text }: Tokens.Image): string {
      // A remote image would make the browser fetch a URL the model chose (and leak the conversation in it).
      return SAFE_IMAGE.test(href) ? `<img src="${escapeHtml(href)}" alt="${escapeHtml(text)}">` : escapeHtml(text);
    },
    code({ text, lang }: Tokens.Code): string {
      const language = (lang ?? '').trim().split(/\s+/)[0] ?? '';
      const attribute = language === '' ? '' : ` class="language-${escapeHtml(language)}"`;
      return `<pre><code${attribute}>${escapeHtml(text)}</code></pre>\n`;
    },
  },
});

/** Top-level tokens of `source` (each with its `raw` text). */
export function lexBlocks(source: string): Token[] {
  return markdown.lexer(source);
}

/** The HTML of one top-level token. */
export function blockHtml(token: Token): string {
  return markdown.parser([token]);
}
