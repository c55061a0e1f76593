import { h } from '../ui/dom';

/** What a kids profile sees here: that it cannot manage the account, and nothing of the account. */
export function kidsView(profileName: string | undefined): HTMLElement {
  return h(
    'section',
    { class: 'panel kids', 'data-testid': 'kids-notice', 'aria-labelledby': 'kids-title' },
    h('h2', { id: 'kids-title' }, 'This is a kids profile'),
    h('p', {}, `${profileName ? `${profileName} is a kids profile. ` : ''}Kids profiles can’t see or change the account’s devices or settings.`),
    h('p', {}, 'To manage the account, ask a grown-up to switch to their profile above. It needs the account password.'),
  );
}
