import { ACCOUNT_PAGE } from '@signoff/contracts';
import type { ApiClient } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { announce, Child, h } from '../ui/dom';
import { waitLabel } from '../ui/format';
import { passwordStrength } from '../ui/password-strength';
import { LinkPanel, newLinkOffer, stepHeading } from './link-view';

const TITLE_ID = 'reset-title';
const { min, max } = ACCOUNT_PAGE.passwordLength;

/**
 * /account/reset?token=…, opened from the password-reset mail: a new password twice (with a
 * strength hint), the promise that every device is signed out, then either "done, sign in" or,
 * for a link that no longer works, a way to get a new one. Nothing is sent before the holder
 * submits the form.
 */
export function resetView(api: ApiClient, token: string | null): LinkPanel {
  const panel = new LinkPanel('reset-view', TITLE_ID);
  if (!token) panel.show(...invalidStep(api, 'This page opens from the link in a password-reset email, and that link was not complete.'));
  else panel.show(...formStep(api, panel, token));
  return panel;
}

function formStep(api: ApiClient, panel: LinkPanel, token: string): Child[] {
  const consequence = h(
    'p',
    { class: 'notice notice-info', id: 'reset-consequence', 'data-testid': 'reset-consequence' },
    'Setting a new password signs your account out on every device: TVs, phones, computers and this browser. Anyone using your account is cut off, and you sign in again with the new password.',
  );
  const next = h('input', {
    type: 'password',
    id: 'new-password',
    name: 'newPassword',
    autocomplete: 'new-password',
    required: true,
    minlength: min,
    maxlength: max,
    'data-autofocus': true,
  });
  const repeat = h('input', { type: 'password', id: 'repeat-password', name: 'repeatPassword', autocomplete: 'new-password', required: true, maxlength: max });
  const strength = h('p', { class: 'hint strength', id: 'new-password-strength', 'data-testid': 'password-strength' });
  const nextError = fieldError('new-password-error');
  const repeatError = fieldError('repeat-password-error');
  next.setAttribute('aria-describedby', `${strength.id} ${nextError.id} ${consequence.id}`);
  repeat.setAttribute('aria-describedby', repeatError.id);
  const show = h('input', { type: 'checkbox', id: 'show-passwords', name: 'showPasswords' });
  const message = h('p', { class: 'notice', role: 'alert', hidden: true, 'data-testid': 'reset-message' });
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Set new password');

  const updateStrength = (): void => {
    const hint = passwordStrength(next.value, { min, max });
    strength.textContent = hint.text;
    strength.dataset.level = hint.level;
  };
  updateStrength();
  next.addEventListener('input', () => {
    updateStrength();
    setError(next, nextError, '');
  });
  repeat.addEventListener('input', () => setError(repeat, repeatError, ''));
  show.addEventListener('change', () => {
    next.type = repeat.type = show.checked ? 'text' : 'password';
  });

  // noValidate: the form says what is wrong next to each field, in words, instead of the browser's bubbles.
  const form = h(
    'form',
    { class: 'reset-form', novalidate: true, 'aria-labelledby': TITLE_ID },
    h('div', { class: 'field' }, h('label', { for: next.id }, 'New password'), next, strength, nextError),
    h('div', { class: 'field' }, h('label', { for: repeat.id }, 'New password again'), repeat, repeatError),
    h('div', { class: 'field field-check' }, show, h('label', { for: show.id }, 'Show passwords')),
    message,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    announce(message, '', 'info');
    const lengthProblem = next.value.length < min ? `Use at least ${min} characters.` : next.value.length > max ? `Use at most ${max} characters.` : '';
    setError(next, nextError, lengthProblem);
    setError(repeat, repeatError, !lengthProblem && next.value !== repeat.value ? 'The two passwords are not the same.' : '');
    if (lengthProblem) return next.focus();
    if (next.value !== repeat.value) return repeat.focus();
    submit.disabled = true;
    try {
      await api.confirmPasswordReset(token, next.value);
      panel.show(...doneStep());
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'RESET_TOKEN_INVALID' || error.invalidFields.includes('token'))) {
        panel.show(...invalidStep(api, 'Your password was not changed.'));
        return;
      }
      if (error instanceof ApiError && error.invalidFields.includes('newPassword')) {
        setError(next, nextError, `This password was not accepted: use ${min} to ${max} characters.`);
        next.focus();
      } else {
        announce(message, describeResetError(error), 'error');
      }
    } finally {
      submit.disabled = false;
    }
  });
  return [stepHeading(TITLE_ID, 'Choose a new password', false), consequence, form];
}

function doneStep(): Child[] {
  return [
    stepHeading(TITLE_ID, 'Your password is changed'),
    h(
      'p',
      { class: 'notice notice-success', role: 'status', 'data-testid': 'reset-done' },
      'Every device signed in to your account is being signed out now, this browser too. Sign in again with your new password on the devices you use.',
    ),
    h('a', { class: 'button button-primary', href: '/account/' }, 'Sign in'),
  ];
}

function invalidStep(api: ApiClient, why: string): Child[] {
  return [
    stepHeading(TITLE_ID, 'This link no longer works'),
    h(
      'p',
      { 'data-testid': 'reset-invalid' },
      `${why} A reset link works once, for a short time, and only the newest one you asked for. Ask for a new link below.`,
    ),
    ...newLinkOffer(api),
  ];
}

function fieldError(id: string): HTMLElement {
  return h('p', { class: 'field-error', id, hidden: true, 'data-testid': id });
}

function setError(input: HTMLInputElement, slot: HTMLElement, text: string): void {
  slot.textContent = text;
  slot.hidden = text === '';
  if (text) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function describeResetError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong; your password was not changed. Try again.';
  switch (error.code) {
    case 'RATE_LIMITED':
      return `Too many tries from your network. ${waitLabel(error.extra.retryAfterSeconds ?? null)}, then try again. Your password was not changed.`;
    case 'NETWORK':
      return 'We could not reach Signoff. Check your connection and try again. Your password was not changed.';
    default:
      return `Your password was not changed: ${error.message}. Try again in a minute.`;
  }
}
