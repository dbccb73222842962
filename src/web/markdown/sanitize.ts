/**
 * Every piece of rendered model output passes DOMPurify before it touches the DOM. On top of its default
 * profile: no SVG/MathML, no styles, no forms or frames, links only to http(s), mailto, relative or hash
 * targets and opened safely, and no image but inline `data:` images, so output never fetches anything.
 */
import DOMPurify from 'dompurify';

const SAFE_HREF = /^(?:https?:|mailto:|#|\/(?!\/)|\.{0,2}\/|[^:/?#]+(?:[/?#]|$))/i;
const SAFE_IMAGE = /^data:image\/(?:png|gif|jpeg|webp);base64,/i;

let configured = false;

function configure(): void {
  if (configured) return;
  configured = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      const href = node.getAttribute('href') ?? '';
      if (!SAFE_HREF.test(href.trim())) node.removeAttribute('href');
      node.setAttribute('rel', 'noopener noreferrer');
      node.setAttribute('target', '_blank');
    }
    if (node.tagName === 'IMG' && !SAFE_IMAGE.test(node.getAttribute('src') ?? '')) {
      node.replaceWith(document.createTextNode(node.getAttribute('alt') ?? ''));
    }
  });
}

export function sanitizeHtml(html: string): string {
  configure();
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: [
      'style',
      'form',
      'input',
      'button',
      'textarea',
      'select',
      'iframe',
      'object',
      'embed',
      'link',
      'meta',
      'base',
    ],
    FORBID_ATTR: ['style', 'srcset', 'formaction', 'action', 'background', 'poster'],
    ALLOW_DATA_ATTR: false,
  });
}
