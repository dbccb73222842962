/** The chat page's entry: the stylesheet (bundled by esbuild) and the app. */
import './styles.css';
import { ChatApp } from './app/chat-app.js';

const app = new ChatApp();
void app.start();
