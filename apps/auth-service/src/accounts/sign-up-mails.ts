import { MailToQueue } from '../mail/mail-outbox';

/**
 * The two mails a sign-up sends. Exactly one goes out per sign-up, so the work done (and the
 * time taken) is the same whether the address was free or taken; only the mailbox's owner
 * learns which.
 */
export function welcomeMail(to: string, baseUrl: string): MailToQueue {
  return {
    to,
    subject: 'Welcome to Signoff',
    text: [
      'Your Signoff account is ready.',
      '',
      `Every device you sign in on is listed at ${accountPage(baseUrl)}, where you can sign`,
      'out any one of them, or all of them at once.',
      '',
      'If you did not create this account, someone used your address: reset the password at',
      `${accountPage(baseUrl)} ("Forgot password") and sign out of all devices.`,
      '',
    ].join('\n'),
  };
}

export function alreadyRegisteredMail(to: string, baseUrl: string): MailToQueue {
  return {
    to,
    subject: 'You already have a Signoff account',
    text: [
      'Someone tried to create a Signoff account with this address, which already has one.',
      'Nothing was changed.',
      '',
      `If it was you, sign in at ${accountPage(baseUrl)}, or choose "Forgot password" there`,
      'if you do not remember it.',
      '',
      'If it was not you, you can ignore this mail: your account and its devices are as they were.',
      '',
    ].join('\n'),
  };
}

function accountPage(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/account`;
}
