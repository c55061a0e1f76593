import type { ApiClient, StepUpProof } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { announce, field, h } from '../ui/dom';
import { waitLabel } from '../ui/format';

/**
 * "Confirm it's you": the password, or a code mailed to the account's address; on an account
 * with two-step verification the password alone is refused (`SECOND_FACTOR_REQUIRED`) and the
 * form asks for the authenticator code instead. Resolves with a reauth token for one account-wide
 * action; wrong answers stay on the form with what to do.
 */
export function stepUpForm(api: ApiClient, options: { submitLabel: string; intro: string; onVerified: (reauthToken: string) => Promise<void>; onCancel: () => void }): HTMLFormElement {
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, autofocus: true });
  const code = h('input', { type: 'text', name: 'emailCode', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6 });
  const passwordField = field('Your password', password);
  const codeField = field('Code from the email', code, 'Six digits; the code works for 10 minutes.');
  codeField.hidden = true;
  const otp = h('input', { type: 'text', name: 'otpCode', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 11 });
  const otpField = field('Code from your authenticator app', otp, 'Six digits, or one of your recovery codes.');
  otpField.hidden = true;
  const message = h('p', { class: 'notice', role: 'alert', hidden: true, 'data-testid': 'step-up-error' });
  const submit = h('button', { type: 'submit', class: 'button button-danger' }, options.submitLabel);
  let mode: 'password' | 'emailCode' | 'otpCode' = 'password';
  const show = (next: typeof mode): void => {
    mode = next;
    for (const [name, wrapper, input] of [
      ['password', passwordField, password],
      ['emailCode', codeField, code],
      ['otpCode', otpField, otp],
    ] as const) {
      wrapper.hidden = name !== next;
      input.required = name === next;
    }
  };
  const current = (): HTMLInputElement => (mode === 'password' ? password : mode === 'emailCode' ? code : otp);

  const useCode = h('button', { type: 'button', class: 'button button-link' }, 'Email me a code instead');
  useCode.addEventListener('click', async () => {
    useCode.disabled = true;
    try {
      const sent = await api.sendStepUpEmailCode();
      show('emailCode');
      announce(message, `We sent a code to ${sent.sentTo}. It works for ${Math.round(sent.expiresIn / 60)} minutes.`, 'info');
      code.focus();
    } catch (error) {
      announce(message, describeStepUpError(error), 'error');
      useCode.disabled = false;
    }
  });

  const form = h(
    'form',
    { class: 'step-up' },
    h('p', {}, options.intro),
    passwordField,
    codeField,
    otpField,
    message,
    h('div', { class: 'dialog-actions' }, submit, h('button', { type: 'button', class: 'button button-secondary', onclick: () => options.onCancel() }, 'Cancel')),
    h('p', { class: 'hint' }, useCode),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    announce(message, '', 'info');
    try {
      const proof: StepUpProof =
        mode === 'password' ? { password: password.value } : mode === 'emailCode' ? { emailCode: code.value.trim() } : { otpCode: otp.value.trim() };
      const { reauthToken } = await api.stepUp(proof);
      await options.onVerified(reauthToken);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'SECOND_FACTOR_REQUIRED') {
        show('otpCode');
        announce(message, 'Your account uses two-step verification: enter the code from your authenticator app, or email yourself a code. Nothing was changed.', 'info');
        otp.focus();
        return;
      }
      announce(message, describeStepUpError(error), 'error');
      current().select();
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export function describeStepUpError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Nothing was signed out. Try again.';
  switch (error.code) {
    case 'STEP_UP_FAILED':
      return `That isn't right, so nothing was changed.${error.extra.attemptsLeft !== undefined ? ` ${error.extra.attemptsLeft} ${error.extra.attemptsLeft === 1 ? 'try' : 'tries'} left for this code.` : ''} Try again, or use an emailed code.`;
    case 'RATE_LIMITED':
      return `Too many tries. ${waitLabel(error.extra.retryAfterSeconds ?? null)}, then try again. Nothing was changed.`;
    case 'VALIDATION_FAILED':
      return `Check what you typed: ${error.message}. Nothing was changed.`;
    case 'NETWORK':
      return 'We could not reach Signoff, so nothing was signed out. Check your connection and try again.';
    default:
      return `Nothing was signed out or changed (${error.message}). Try again in a minute; if it keeps failing, change your password below: that signs every other device out too.`;
  }
}
