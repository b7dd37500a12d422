/**
 * The only module that knows about @vscode/webview-ui-toolkit (archived upstream): views ask for a
 * button, a checkbox or a text field here, so another component set can replace it in one file.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeTextField());

export interface ButtonOptions {
  readonly testId: string;
  readonly appearance?: 'primary' | 'secondary';
  readonly title?: string;
}

export function button(label: string, onClick: () => void, options: ButtonOptions): HTMLElement {
  const el = document.createElement('vscode-button');
  el.textContent = label;
  el.dataset.testid = options.testId;
  el.setAttribute('appearance', options.appearance ?? 'secondary');
  if (options.title) el.title = options.title;
  el.addEventListener('click', onClick);
  return el;
}

export interface Checkbox {
  readonly element: HTMLElement;
  checked: boolean;
}

export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void, testId: string): Checkbox {
  const el = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
  el.textContent = label;
  el.dataset.testid = testId;
  el.checked = checked;
  el.addEventListener('change', () => onChange(el.checked));
  return {
    element: el,
    get checked() {
      return el.checked;
    },
    set checked(v: boolean) {
      el.checked = v;
    },
  };
}

export interface TextField {
  readonly element: HTMLElement;
  value: string;
  focus(): void;
}

export function textField(placeholder: string, value: string, onInput: (value: string) => void, testId: string): TextField {
  const el = document.createElement('vscode-text-field') as HTMLElement & { value: string };
  el.setAttribute('placeholder', placeholder);
  el.dataset.testid = testId;
  el.value = value;
  el.addEventListener('input', () => onInput(el.value));
  return {
    element: el,
    get value() {
      return el.value;
    },
    set value(v: string) {
      el.value = v;
    },
    focus: () => el.focus(),
  };
}
