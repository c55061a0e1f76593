import { ACCOUNT_PAGE } from '@signoff/contracts';
import { ApiClient } from './api/api-client';
import { ApiError } from './api/api-error';
import { announce, h, replaceChildren } from './ui/dom';
import { AccountView } from './views/account.view';
import { kidsView } from './views/kids.view';
import type { LinkPanel } from './views/link-view';
import { notMeView } from './views/not-me.view';
import { profileSwitcher } from './views/profile-switcher';
import { resetView } from './views/reset.view';
import { signInView } from './views/sign-in.view';
import './styles.css';

/**
 * The account page: one ApiClient, and whichever view fits who is here (nobody yet, a kids
 * profile, a grown-up). Views are rebuilt, not patched, when that changes.
 */
class AccountPage {
  private readonly api = new ApiClient();
  private view: AccountView | null = null;

  constructor(
    private readonly main: HTMLElement,
    private readonly who: HTMLElement,
  ) {
    this.api.onSessionEnded = (error) => this.showSignIn(endedNotice(error));
  }

  async start(): Promise<void> {
    try {
      if (await this.api.resume()) return await this.showSignedIn();
    } catch {
      // The service is unreachable: the sign-in form will say so when used.
    }
    this.showSignIn();
  }

  private showSignIn(notice?: string): void {
    this.stopView();
    replaceChildren(this.who);
    replaceChildren(this.main, signInView(this.api, () => void this.showSignedIn(), notice));
    this.main.querySelector<HTMLInputElement>('input')?.focus();
  }

  private async showSignedIn(): Promise<void> {
    this.stopView();
    try {
      const [whoami, profiles] = await Promise.all([this.api.whoami(), this.api.profiles()]);
      const profile = profiles.profiles.find((p) => p.profileId === whoami.profileId);
      const signOut = h('button', { type: 'button', class: 'button button-secondary', 'data-testid': 'sign-out-here' }, 'Sign out');
      signOut.addEventListener('click', async () => {
        await this.api.signOut().catch(() => undefined);
        this.showSignIn('You are signed out of this browser.');
      });
      // A kids profile learns nothing of the account: not even its email address.
      const email = whoami.kids ? null : (await this.api.me()).account.email;
      replaceChildren(
        this.who,
        email ? h('span', { class: 'who-email', 'data-testid': 'signed-in-as' }, email) : null,
        profileSwitcher(this.api, profiles, () => void this.showSignedIn()),
        signOut,
      );
      if (whoami.kids) {
        replaceChildren(this.main, kidsView(profile?.name));
        return;
      }
      this.view = new AccountView(this.api);
      replaceChildren(this.main, this.view.element);
    } catch (error) {
      if (error instanceof ApiError && error.endsSession) return; // onSessionEnded shows the sign-in
      const notice = h('p', { class: 'notice notice-error', role: 'alert' });
      announce(notice, 'Your account could not be loaded. Reload the page in a minute.', 'error');
      replaceChildren(this.main, notice);
    }
  }

  private stopView(): void {
    this.view?.stop();
    this.view = null;
  }
}

function endedNotice(error: ApiError): string {
  if (error.code === 'SESSION_EXPIRED') return 'Your sign-in on this browser expired. Sign in again.';
  return 'This browser was signed out (from another device or by a password change). Sign in again to continue.';
}

/**
 * The views the links in mails open (`?token=…`), by path. Each is a page of its own: no sign-in,
 * the token from the link is the credential, and nothing is sent until the holder acts.
 */
interface LinkView {
  title: string;
  view: (api: ApiClient, token: string | null) => LinkPanel;
}
const LINK_VIEWS = new Map<string, LinkView>([
  [ACCOUNT_PAGE.resetPath, { title: 'Reset your password', view: resetView }],
  [ACCOUNT_PAGE.notMePath, { title: 'A sign-in you don’t recognise', view: notMeView }],
]);

/**
 * The token in the address, read once and then taken out of it (history.replaceState): it is not
 * left in the browser's history, and a reload or a shared screenshot does not show it. The page
 * keeps it in memory only.
 */
function takeLinkToken(): string | null {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (url.search || url.hash) history.replaceState(null, '', url.pathname);
  return token && token.trim() !== '' ? token.trim() : null;
}

function showLinkView(main: HTMLElement, link: LinkView): void {
  document.title = `${link.title} · Signoff`;
  const heading = document.querySelector('.site-header h1');
  if (heading) heading.textContent = link.title;
  const panel = link.view(new ApiClient(), takeLinkToken());
  replaceChildren(main, panel.element);
  panel.focus();
}

const main = document.getElementById('main');
const who = document.getElementById('who');
const link = LINK_VIEWS.get(location.pathname.replace(/\/+$/, ''));
if (main && link) showLinkView(main, link);
else if (main && who) void new AccountPage(main, who).start();
