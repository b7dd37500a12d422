import * as vscode from 'vscode';

/**
 * A multi-step QuickInput: one prompt at a time with a step counter in the title, a back
 * button, and validation as the user types. Steps decide whether they apply from the state
 * the earlier answers built, so the counter follows the answers.
 */

export type Outcome<T> = { readonly value: T } | 'back' | 'cancel';

export interface StepFrame {
  /** "Convert to HF AST (3/12)". */
  readonly title: string;
  readonly canGoBack: boolean;
  /** Why the flow came back to this step (a combination found invalid after the last step). */
  readonly error?: string;
}

export interface Step<S> {
  readonly id: string;
  applies(state: S): boolean;
  /** Asks, stores the answer in `state`, and says where to go. */
  run(frame: StepFrame, state: S): Promise<'next' | 'back' | 'cancel'>;
}

/** Live feedback on a typed value; `ok: false` keeps the prompt open on Enter. */
export interface TextCheck {
  readonly ok: boolean;
  readonly message?: string | vscode.InputBoxValidationMessage;
  /** Replaces the prompt while this value is typed (e.g. the grid it gives). */
  readonly prompt?: string;
}

export interface TextSpec {
  readonly value: string;
  readonly prompt: string;
  readonly placeholder?: string;
  check(value: string): TextCheck;
}

export interface PickItem<T> extends vscode.QuickPickItem {
  readonly value: T;
  /** Why this choice cannot be taken now; shown in its detail, Enter on it does nothing. */
  readonly blocked?: string;
}

export interface PickSpec<T> {
  readonly items: readonly PickItem<T>[];
  readonly active?: T;
  readonly placeholder: string;
}

function backButtons(frame: StepFrame): vscode.QuickInputButton[] {
  return frame.canGoBack ? [vscode.QuickInputButtons.Back] : [];
}

export function askText(frame: StepFrame, spec: TextSpec): Promise<Outcome<string>> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    let settled = false;
    const finish = (outcome: Outcome<string>): void => {
      if (settled) return;
      settled = true;
      box.dispose();
      resolve(outcome);
    };
    const refresh = (value: string): boolean => {
      const check = spec.check(value);
      box.validationMessage = check.message;
      box.prompt = check.prompt ?? spec.prompt;
      return check.ok;
    };
    box.title = frame.title;
    box.value = spec.value;
    box.placeholder = spec.placeholder;
    box.ignoreFocusOut = true;
    box.buttons = backButtons(frame);
    refresh(spec.value);
    if (frame.error) box.validationMessage = frame.error;
    box.onDidChangeValue(refresh);
    box.onDidAccept(() => { if (refresh(box.value)) finish({ value: box.value }); });
    box.onDidTriggerButton((b) => { if (b === vscode.QuickInputButtons.Back) finish('back'); });
    box.onDidHide(() => finish('cancel'));
    box.show();
  });
}

export function askPick<T>(frame: StepFrame, spec: PickSpec<T>): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    const pick = vscode.window.createQuickPick<PickItem<T>>();
    let settled = false;
    const finish = (outcome: Outcome<T>): void => {
      if (settled) return;
      settled = true;
      pick.dispose();
      resolve(outcome);
    };
    pick.title = frame.title;
    pick.placeholder = frame.error ?? spec.placeholder;
    pick.ignoreFocusOut = true;
    pick.matchOnDescription = true;
    pick.matchOnDetail = true;
    pick.buttons = backButtons(frame);
    pick.items = spec.items.map((item) =>
      item.blocked ? { ...item, detail: `$(error) ${item.blocked}` } : item);
    const active = pick.items.find((item) => item.value === spec.active) ?? pick.items.find((item) => !item.blocked);
    if (active) pick.activeItems = [active];
    pick.onDidAccept(() => {
      const chosen = pick.selectedItems[0] ?? pick.activeItems[0];
      if (!chosen) return;
      if (chosen.blocked) pick.placeholder = chosen.blocked;
      else finish({ value: chosen.value });
    });
    pick.onDidTriggerButton((b) => { if (b === vscode.QuickInputButtons.Back) finish('back'); });
    pick.onDidHide(() => finish('cancel'));
    pick.show();
  });
}

/** Where the flow must return after the last step, or undefined when everything is consistent. */
export type FinalCheck<S> = (state: S) => { readonly stepId: string; readonly message: string } | undefined;

export type FlowEnd = { readonly done: true } | { readonly done: false; readonly unresolved?: string };

/**
 * Runs the applicable steps in order with back navigation. After the last one, `finalCheck`
 * may send the user back to a step with a message; when that step does not apply (its answer
 * was given by the caller) the flow ends with that message unresolved.
 */
export async function runSteps<S>(title: string, steps: readonly Step<S>[], state: S, finalCheck: FinalCheck<S>): Promise<FlowEnd> {
  const history: number[] = [];
  let index = 0;
  let error: string | undefined;
  for (;;) {
    if (index >= steps.length) {
      const problem = finalCheck(state);
      if (!problem) return { done: true };
      const target = steps.findIndex((s) => s.id === problem.stepId);
      if (target < 0 || !steps[target].applies(state)) return { done: false, unresolved: problem.message };
      index = target;
      error = problem.message;
      while (history.length > 0 && history[history.length - 1] >= target) history.pop();
    }
    const step = steps[index];
    if (!step.applies(state)) { index++; continue; }
    const applicable = steps.filter((s) => s.applies(state));
    const frame: StepFrame = {
      title: `${title} (${applicable.indexOf(step) + 1}/${applicable.length})`,
      canGoBack: history.length > 0,
      error,
    };
    error = undefined;
    const outcome = await step.run(frame, state);
    if (outcome === 'cancel') return { done: false };
    if (outcome === 'back') { index = history.pop() ?? 0; continue; }
    history.push(index);
    index++;
  }
}
