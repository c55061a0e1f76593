/**
 * The page's only way to build markup: elements and text nodes. Nothing here (or anywhere in
 * the page) assigns `innerHTML`, so a device name such as `<img src=x onerror=…>` stays text.
 */
export type Child = Node | string | number | null | undefined | false;

export interface Attributes {
  [name: string]: string | number | boolean | null | undefined | EventListener;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything inside `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let idCounter = 0;
/** A page-unique id, for `for=`/`aria-describedby=` pairs. */
export function uniqueId(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A labelled form field; the label is always there (visible), so every control has a name. */
export function field(label: string, input: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  input.id ||= uniqueId('field');
  const hintElement = hint ? h('p', { class: 'hint', id: `${input.id}-hint` }, hint) : null;
  if (hintElement) input.setAttribute('aria-describedby', hintElement.id);
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, hintElement);
}

/** Shows a message in a live region, so screen readers announce it. */
export function announce(region: Element, message: string, tone: 'info' | 'error' | 'success' = 'info'): void {
  region.className = `notice notice-${tone}`;
  region.textContent = message;
  (region as HTMLElement).hidden = message === '';
}
