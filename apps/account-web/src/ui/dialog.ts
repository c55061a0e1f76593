import { Child, h, replaceChildren } from './dom';

/**
 * A modal built on <dialog>: the browser traps focus inside, Escape cancels, and focus returns
 * to where it was when the dialog closes.
 */
export class Dialog {
  readonly element: HTMLDialogElement;
  readonly body: HTMLElement;
  private readonly returnFocus: Element | null;

  constructor(title: string, options: { testId?: string } = {}) {
    this.returnFocus = document.activeElement;
    const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`;
    this.body = h('div', { class: 'dialog-body' });
    this.element = h('dialog', { class: 'dialog', 'aria-labelledby': titleId, 'data-testid': options.testId }, h('h2', { id: titleId }, title), this.body);
    this.element.addEventListener('close', () => {
      this.element.remove();
      if (this.returnFocus instanceof HTMLElement && this.returnFocus.isConnected) this.returnFocus.focus();
    });
    document.body.appendChild(this.element);
  }

  show(...children: Child[]): this {
    replaceChildren(this.body, ...children);
    if (!this.element.open) this.element.showModal();
    const first = this.body.querySelector<HTMLElement>('[autofocus], input, button');
    first?.focus();
    return this;
  }

  close(): void {
    if (this.element.open) this.element.close();
    else this.element.remove();
  }
}

/** Buttons for a dialog's foot: the action first, then Cancel. */
export function dialogActions(...buttons: HTMLButtonElement[]): HTMLElement {
  return h('div', { class: 'dialog-actions' }, ...buttons);
}
