import type { ApiClient } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { announce, field, h, uniqueId } from '../ui/dom';
import { waitLabel } from '../ui/format';

/**
 * "Email me a new link": the forgot-password request, for a link that no longer works. The
 * answer is the same whether or not the address has an account (the API never says), so the
 * page says what happens if it has one.
 */
export function resetRequestForm(api: ApiClient, options: { title: string; intro?: string }): HTMLElement {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true, maxlength: 254 });
  const message = h('p', { class: 'notice', role: 'alert', hidden: true, 'data-testid': 'reset-request-message' });
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Email me a new link');
  const titleId = uniqueId('reset-request-title');
  const form = h(
    'form',
    { class: 'reset-request', 'aria-labelledby': titleId, 'data-testid': 'reset-request' },
    h('h3', { id: titleId }, options.title),
    options.intro ? h('p', {}, options.intro) : null,
    field('Your email address', email),
    message,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    announce(message, '', 'info');
    try {
      await api.requestPasswordReset(email.value.trim());
      announce(message, 'If an account uses that address, a new link is on its way. Open the newest mail: the link works once, for a short time.', 'success');
    } catch (error) {
      announce(message, describeRequestError(error), 'error');
      email.focus();
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function describeRequestError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Try again.';
  switch (error.code) {
    case 'VALIDATION_FAILED':
      return 'Enter the email address of your Signoff account.';
    case 'RATE_LIMITED':
      return `Too many links asked for. ${waitLabel(error.extra.retryAfterSeconds ?? null)}, then try again.`;
    case 'NETWORK':
      return 'We could not reach Signoff. Check your connection and try again.';
    default:
      return `${error.message}. Try again in a minute.`;
  }
}
