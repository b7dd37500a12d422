// Placeholder until the editor webview lands.
export {};
