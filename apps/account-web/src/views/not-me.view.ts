import type { NotMeReply } from '@signoff/contracts';
import type { ApiClient } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { announce, Child, h } from '../ui/dom';
import { approximatePlace, deviceKind, fullTime, timeAgo, waitLabel } from '../ui/format';
import { LinkPanel, newLinkOffer, stepHeading } from './link-view';
import { resetRequestForm } from './reset-request.form';

const TITLE_ID = 'not-me-title';

/**
 * /account/not-me?token=…, opened from a sign-in alert's "this wasn't me" link. Opening the page
 * changes nothing (mail scanners open links too): it says what will happen and asks. Confirmed,
 * the device is signed out and the page shows which one, when and where it had signed in, then
 * leads on to the password reset that was mailed at the same time.
 */
export function notMeView(api: ApiClient, token: string | null): LinkPanel {
  const panel = new LinkPanel('not-me-view', TITLE_ID);
  if (!token) panel.show(...invalidStep(api, 'This page opens from the “this wasn’t me” link in a sign-in alert email, and that link was not complete.'));
  else panel.show(...confirmStep(api, panel, token));
  return panel;
}

function confirmStep(api: ApiClient, panel: LinkPanel, token: string): Child[] {
  const message = h('p', { class: 'notice', role: 'alert', hidden: true, 'data-testid': 'not-me-message' });
  const confirm = h('button', { type: 'button', class: 'button button-danger', 'data-testid': 'not-me-confirm' }, 'Sign that device out');
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    announce(message, '', 'info');
    try {
      panel.show(...doneStep(api, await api.notMe(token)));
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'NOT_ME_TOKEN_INVALID' || error.invalidFields.includes('token'))) {
        panel.show(...invalidStep(api, 'Nothing was signed out just now.'));
        return;
      }
      announce(message, describeNotMeError(error), 'error');
      confirm.focus();
    } finally {
      confirm.disabled = false;
    }
  });
  return [
    stepHeading(TITLE_ID, 'Not you? Sign that device out'),
    h('p', {}, 'You opened the “this wasn’t me” link of a sign-in alert we emailed you. If you confirm:'),
    h(
      'ul',
      { class: 'consequences', 'data-testid': 'not-me-consequences' },
      h('li', {}, 'The device from the alert is signed out at once: anything it is playing stops, and it has to sign in again.'),
      h('li', {}, 'We email you a link to choose a new password. Setting it signs out every device, so whoever signed in cannot come back with your old password.'),
      h('li', {}, 'Your other devices stay signed in until you set the new password.'),
    ),
    message,
    h('div', { class: 'link-view-actions' }, confirm, h('a', { class: 'button button-secondary', href: '/account/' }, 'It was me')),
  ];
}

function doneStep(api: ApiClient, reply: NotMeReply): Child[] {
  const signIn = reply.signIn;
  const facts = signIn
    ? h(
        'dl',
        { class: 'device-details not-me-facts', 'data-testid': 'not-me-facts' },
        h('dt', {}, 'Device'),
        h('dd', {}, h('span', { class: 'not-me-device' }, signIn.device.name ?? 'The device from the alert'), ` (${deviceKind(signIn.device)})`),
        h('dt', {}, 'Signed in'),
        h('dd', {}, h('time', { datetime: signIn.at }, fullTime(signIn.at)), timeAgo(signIn.at) ? ` (${timeAgo(signIn.at)})` : null),
        h('dt', {}, 'Where'),
        h('dd', {}, approximatePlace(signIn.location)),
        signIn.ip ? h('dt', {}, 'Address') : null,
        signIn.ip ? h('dd', {}, signIn.ip) : null,
      )
    : null;
  const mailedTo = reply.resetMailedTo ? `to ${reply.resetMailedTo}` : 'to your account’s address';
  return [
    stepHeading(TITLE_ID, 'That device is signed out'),
    h('p', { class: 'notice notice-success', role: 'status', 'data-testid': 'not-me-done' }, 'The device from the alert is signed out. It cannot use your account until it signs in again.'),
    facts,
    h(
      'section',
      { class: 'next-step', 'aria-labelledby': 'not-me-next-title', 'data-testid': 'not-me-next' },
      h('h3', { id: 'not-me-next-title' }, 'Next: choose a new password'),
      h(
        'p',
        {},
        `We emailed a link to choose a new password ${mailedTo}. Open it and set a new password: that signs out every device, so whoever signed in is locked out even if they know your old password.`,
      ),
      h(
        'details',
        { class: 'resend' },
        h('summary', {}, 'Didn’t get the email?'),
        h('p', {}, 'Look in your spam folder. Or ask for a new link (earlier links then stop working):'),
        resetRequestForm(api, { title: 'Email me a new link' }),
      ),
    ),
  ];
}

function invalidStep(api: ApiClient, why: string): Child[] {
  return [
    stepHeading(TITLE_ID, 'This link no longer works'),
    h(
      'p',
      { 'data-testid': 'not-me-invalid' },
      `${why} A “this wasn’t me” link works once, for a limited time. If you used it already, that device was signed out then and we emailed you a link to choose a new password.`,
    ),
    h('p', {}, 'If someone else may be using your account, choose a new password now: it signs out every device.'),
    ...newLinkOffer(api),
  ];
}

function describeNotMeError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong; nothing was signed out. Try again.';
  switch (error.code) {
    case 'RATE_LIMITED':
      return `Too many tries from your network. ${waitLabel(error.extra.retryAfterSeconds ?? null)}, then try again. Nothing was signed out.`;
    case 'NETWORK':
      return 'We could not reach Signoff. Check your connection and try again. Nothing was signed out.';
    default:
      return `Nothing was signed out: ${error.message}. Try again in a minute.`;
  }
}
