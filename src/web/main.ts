/**
 * The chat page's entry: the stylesheet (bundled by esbuild) and the three views, chosen by the address's
 * fragment (app/page-route.ts). Each view is built the first time it is shown, so a watcher who opens a
 * share link never loads the chat's model list or asks for an API key; the compare and watch views are
 * separate chunks, loaded then, so the chat (what most visits open) does not download them.
 */
import './styles.css';
import { ApiKeyStore } from './app/api-key.js';
import { ChatApp } from './app/chat-app.js';
import type { ComparePage } from './app/compare-page.js';
import { loadSettings } from './app/conversation-store.js';
import { byId } from './app/dom.js';
import { routeFrom, type PageRoute } from './app/page-route.js';
import { SettingsPanel } from './app/settings-panel.js';
import type { WatchPage } from './app/watch-page.js';

const keys = new ApiKeyStore();
let chat: ChatApp | undefined;
let compare: ComparePage | undefined;
let watcher: WatchPage | undefined;
const settings = new SettingsPanel(loadSettings(), () => chat?.settingsChanged());

let current: PageRoute = routeFrom(location.hash);

function show(route: PageRoute): void {
  current = route;
  document.body.dataset.view = route.view;
  byId('compare-view').hidden = route.view !== 'compare';
  byId('watch-view').hidden = route.view !== 'watch';
  for (const [id, view] of [
    ['nav-chat', 'chat'],
    ['nav-compare', 'compare'],
  ] as const) {
    if (route.view === view) byId(id).setAttribute('aria-current', 'page');
    else byId(id).removeAttribute('aria-current');
  }
  if (route.view === 'chat' && chat === undefined) {
    chat = new ChatApp(keys, settings);
    void chat.start();
  }
  if (route.view === 'compare') void showCompare(route);
  if (route.view === 'watch') void showWatch(route);
  else watcher?.close();
  document.title =
    route.view === 'compare'
      ? 'Compare models · Bedrock chat'
      : route.view === 'watch'
        ? 'Shared answer · Bedrock chat'
        : 'Bedrock chat';
}

// The view's chunk may arrive after the reader moved on: act only if the route is still the one asked for.
async function showCompare(route: PageRoute): Promise<void> {
  const { ComparePage } = await import('./app/compare-page.js');
  if (current !== route) return;
  compare ??= new ComparePage(keys, settings);
  compare.show();
}

async function showWatch(route: PageRoute & { view: 'watch' }): Promise<void> {
  const { WatchPage } = await import('./app/watch-page.js');
  if (current !== route) return;
  watcher ??= new WatchPage();
  watcher.open(route.id, route.share);
}

addEventListener('hashchange', () => show(routeFrom(location.hash)));
show(current);
