import type { ApiClient } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { thisBrowser } from '../api/device-identity';
import { announce, field, h } from '../ui/dom';
import { waitLabel } from '../ui/format';

/** Email and password, then the authenticator code when the account asks for one. */
export function signInView(api: ApiClient, onSignedIn: () => void, notice?: string): HTMLElement {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const otp = h('input', { type: 'text', name: 'otpCode', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 16 });
  const otpField = field('Code from your authenticator app', otp, 'Six digits, or one of your recovery codes.');
  otpField.hidden = true;
  const message = h('p', { class: 'notice', role: 'alert', hidden: true, 'data-testid': 'sign-in-error' });
  if (notice) announce(message, notice, 'info');
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Sign in');

  const form = h('form', { class: 'panel sign-in', 'aria-labelledby': 'sign-in-title' }, h('h2', { id: 'sign-in-title' }, 'Sign in to manage your devices'), field('Email', email), field('Password', password), otpField, message, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    announce(message, '', 'info');
    try {
      await api.signIn(email.value.trim(), password.value, thisBrowser(), otpField.hidden ? undefined : otp.value.trim());
      onSignedIn();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'OTP_REQUIRED') {
        otpField.hidden = false;
        otp.required = true;
        announce(message, 'Your account uses two-step verification: enter the code from your authenticator app.', 'info');
        otp.focus();
      } else {
        announce(message, describeSignInError(error), 'error');
      }
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function describeSignInError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Try again.';
  switch (error.code) {
    case 'INVALID_CREDENTIALS':
      return 'The email or password is not right. Check them and try again, or reset your password.';
    case 'INVALID_OTP':
      return 'That code is not right or has expired. Try the newest code from your app.';
    case 'RATE_LIMITED':
      return `Too many attempts. ${waitLabel(error.extra.retryAfterSeconds ?? null)}, then try again.`;
    case 'NETWORK':
      return 'We could not reach Signoff. Check your connection and try again.';
    default:
      return `${error.message}. Try again in a minute.`;
  }
}
