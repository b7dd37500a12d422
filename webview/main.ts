// Webview entry: everything the page does starts from App (see app.ts).
import { App } from './app';

const root = document.getElementById('app');
if (root) new App(root);
