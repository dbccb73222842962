/**
 * Which view the page shows, from the address's fragment: the chat (no fragment), the model comparison
 * (`#compare`) or a shared answer (`#watch=<id>&share=<token>`). The fragment is never sent to the
 * server, so a share token in a link does not end up in access logs or Referer headers.
 */
export type PageRoute = { view: 'chat' } | { view: 'compare' } | { view: 'watch'; id: string; share: string };

export function routeFrom(hash: string): PageRoute {
  const fragment = hash.replace(/^#/, '');
  if (fragment === 'compare') return { view: 'compare' };
  const params = new URLSearchParams(fragment);
  if (params.has('watch')) return { view: 'watch', id: params.get('watch') ?? '', share: params.get('share') ?? '' };
  return { view: 'chat' };
}

/** The link that lets someone else watch a generation: this page, with the id and share token in the fragment. */
export function watchLink(pageUrl: string, id: string, share: string): string {
  const url = new URL(pageUrl);
  url.hash = new URLSearchParams({ watch: id, share }).toString();
  return url.toString();
}
