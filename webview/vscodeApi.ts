/** The webview's handle on VS Code: typed messages out and the small persisted view state. */
import type { WebviewToHost } from '../src/protocol/messages';
import type { SortSpec } from './model/rowQuery';

export interface ViewState {
  readonly filter: string;
  readonly onlyUnmapped: boolean;
  readonly grouped: boolean;
  readonly sort?: SortSpec;
  readonly scrollTop: number;
  readonly selected?: string;
  /** Group ids the user expanded (true) or collapsed (false). */
  readonly expanded: readonly (readonly [string, boolean])[];
}

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): ViewState | undefined;
  setState(state: ViewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();

export const INITIAL_VIEW_STATE: ViewState = { filter: '', onlyUnmapped: false, grouped: false, scrollTop: 0, expanded: [] };
