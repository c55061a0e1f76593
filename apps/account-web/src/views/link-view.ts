import type { ApiClient } from '../api/api-client';
import { Child, h, replaceChildren } from '../ui/dom';
import { resetRequestForm } from './reset-request.form';

/**
 * What the views opened from a mail's link share: one panel whose content is replaced step by
 * step, focus moved to what each step marks `data-autofocus` (its heading or first field).
 */
export class LinkPanel {
  readonly element: HTMLElement;

  constructor(testId: string, labelledBy: string) {
    this.element = h('section', { class: 'panel link-view', 'aria-labelledby': labelledBy, 'data-testid': testId });
  }

  show(...children: Child[]): void {
    replaceChildren(this.element, ...children);
    this.focus();
  }

  /** Focus where the current step wants it (once the panel is on the page). */
  focus(): void {
    this.element.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }
}

/** A step's heading: the panel's name, focusable by script only (so focus can land on it). */
export function stepHeading(id: string, text: string, autofocus = true): HTMLHeadingElement {
  return h('h2', { id, tabindex: -1, 'data-autofocus': autofocus }, text);
}

/** The way on when a link no longer works: ask for a new reset link, or sign in. */
export function newLinkOffer(api: ApiClient): HTMLElement[] {
  return [
    resetRequestForm(api, { title: 'Get a new link to choose a password', intro: 'We email it to your account’s address.' }),
    h('p', { class: 'link-view-foot' }, h('a', { href: '/account/' }, 'Sign in to manage your devices')),
  ];
}
