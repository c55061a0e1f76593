import type { ApiClient } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { announce, field, h } from '../ui/dom';
import { waitLabel } from '../ui/format';

/**
 * Change password. Signing every other device out is ticked by default: a password is usually
 * changed because someone else may know it.
 */
export function passwordForm(api: ApiClient, onChanged: (revocationId: string | undefined) => void): HTMLElement {
  const current = h('input', { type: 'password', name: 'currentPassword', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', name: 'newPassword', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 256 });
  const repeat = h('input', { type: 'password', name: 'repeatPassword', autocomplete: 'new-password', required: true });
  const signOutOthers = h('input', { type: 'checkbox', name: 'signOutAllDevices', id: 'sign-out-others', checked: true });
  const message = h('p', { class: 'notice', role: 'alert', hidden: true, 'data-testid': 'password-message' });
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Change password');
  const form = h(
    'form',
    { class: 'panel password', 'aria-labelledby': 'password-title' },
    h('h2', { id: 'password-title' }, 'Change password'),
    field('Current password', current),
    field('New password', next, 'At least 8 characters.'),
    field('New password again', repeat),
    h('div', { class: 'field field-check' }, signOutOthers, h('label', { for: 'sign-out-others' }, 'Sign out of every other device (recommended)')),
    message,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (next.value !== repeat.value) {
      announce(message, 'The two new passwords are not the same.', 'error');
      repeat.focus();
      return;
    }
    submit.disabled = true;
    announce(message, '', 'info');
    try {
      const { reauthToken } = await api.stepUp({ password: current.value });
      const reply = await api.changePassword(reauthToken, current.value, next.value, signOutOthers.checked);
      form.reset();
      signOutOthers.checked = true;
      announce(message, reply.revocationId ? 'Password changed. Every other device is being signed out; follow it above.' : 'Password changed. Your other devices stay signed in.', 'success');
      onChanged(reply.revocationId);
    } catch (error) {
      announce(message, describePasswordError(error), 'error');
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function describePasswordError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong; your password was not changed. Try again.';
  switch (error.code) {
    case 'STEP_UP_FAILED':
    case 'INVALID_CREDENTIALS':
      return 'Your current password is not right. Your password was not changed.';
    case 'RATE_LIMITED':
      return `Too many tries. ${waitLabel(error.extra.retryAfterSeconds ?? null)}, then try again.`;
    case 'VALIDATION_FAILED':
      return `Your password was not changed: ${error.message}.`;
    default:
      return `Your password was not changed: ${error.message}. Try again in a minute.`;
  }
}
