import { App } from './app.js';
import { textsFor } from './i18n.js';
import { showServerInfo } from './server-info.js';
import { Shell } from './shell.js';

/** The chat's WebSocket: the same host and port as the page, `wss:` when the page is `https:`. */
function socketUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

const texts = textsFor(navigator.languages.length > 0 ? navigator.languages : [navigator.language]);
const shell = new Shell(texts);
const app = new App(texts, shell, socketUrl());
shell.attach(app);
app.start();
void showServerInfo(texts);
