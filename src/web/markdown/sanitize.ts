/**
 * Every piece of rendered model output passes DOMPurify before it touches the DOM. marked already shows
 * raw HTML as text (markdown-html.ts); this is the second layer, so one missed case is not an exploit.
 * On top of DOMPurify's default HTML profile (no SVG, no MathML, no `on*`, no `javascript:`):
 * - links go only to `http:`, `https:`, `mailto:`, relative or `#` targets, and open in a new tab
 *   with `rel="noopener noreferrer"`; any other `href` is removed (the text stays);
 * - nothing is fetched: an image survives only as an inline `data:image/(png|gif|jpeg|webp)` URL,
 *   any other image is replaced by its alt text; no `srcset`, `style`, media, frames, objects or forms;
 * - the only input is marked's disabled task-list checkbox.
 * A private DOMPurify instance, so these hooks never affect other code on the page.
 */
import createDOMPurify, { type DOMPurify } from 'dompurify';

const SAFE_HREF = /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i;
const SAFE_IMAGE_SRC = /^data:image\/(?:png|gif|jpeg|webp);base64,/i;

const CONFIG = {
  USE_PROFILES: { html: true },
  ALLOWED_URI_REGEXP: SAFE_HREF,
  FORBID_TAGS: [
    'style',
    'link',
    'meta',
    'base',
    'form',
    'button',
    'select',
    'textarea',
    'iframe',
    'frame',
    'object',
    'embed',
    'video',
    'audio',
    'source',
    'track',
    'picture',
    'svg',
    'math',
  ],
  FORBID_ATTR: ['style', 'srcset', 'sizes', 'ping', 'background', 'poster', 'action', 'formaction', 'xlink:href'],
  ALLOW_DATA_ATTR: false,
};

let purifier: DOMPurify | undefined;

function instance(): DOMPurify {
  if (purifier !== undefined) return purifier;
  const purify = createDOMPurify(window);
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'A') {
      const href = node.getAttribute('href');
      if (href !== null && !SAFE_HREF.test(href.replace(/[\s\p{Cc}]/gu, ''))) node.removeAttribute('href');
      node.setAttribute('rel', 'noopener noreferrer');
      node.setAttribute('target', '_blank');
    } else if (node.nodeName === 'IMG') {
      const src = node.getAttribute('src') ?? '';
      if (!SAFE_IMAGE_SRC.test(src))
        node.replaceWith(node.ownerDocument.createTextNode(node.getAttribute('alt') ?? ''));
    } else if (node.nodeName === 'INPUT') {
      if (node.getAttribute('type') !== 'checkbox') node.remove();
      else node.setAttribute('disabled', '');
    }
  });
  // Set once: parsing the configuration on every call would cost more than many small blocks do.
  purify.setConfig({ ...CONFIG, RETURN_DOM_FRAGMENT: true });
  purifier = purify;
  return purify;
}

/** Sanitised HTML as a fragment of this document, ready to insert (no second parse of a string). */
export function sanitizeToFragment(html: string): DocumentFragment {
  return instance().sanitize(html) as unknown as DocumentFragment;
}

/** Sanitised HTML as a string. */
export function sanitizeHtml(html: string): string {
  const container = document.createElement('div');
  container.append(sanitizeToFragment(html));
  return container.innerHTML;
}
