import type { ListProfilesReply } from '@signoff/contracts';
import type { ApiClient } from '../api/api-client';
import { Dialog } from '../ui/dialog';
import { field, h } from '../ui/dom';
import { stepUpForm } from './step-up.form';

/**
 * "Who's using this browser": a profile picker. Leaving a kids profile for a grown-up one asks
 * for the account's password (or an emailed code) first, as the API does.
 */
export function profileSwitcher(api: ApiClient, profiles: ListProfilesReply, onSwitched: () => void): HTMLElement {
  const current = profiles.profiles.find((p) => p.profileId === profiles.selectedProfileId);
  const select = h('select', { name: 'profile' }, ...profiles.profiles.map((p) => h('option', { value: p.profileId, selected: p.profileId === profiles.selectedProfileId }, p.kids ? `${p.name} (kids)` : p.name)));
  if (!current) select.prepend(h('option', { value: '', selected: true, disabled: true }, 'Choose a profile'));
  const button = h('button', { type: 'submit', class: 'button button-secondary' }, 'Switch');
  const form = h('form', { class: 'profile-switcher' }, field('Profile', select), button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const target = profiles.profiles.find((p) => p.profileId === select.value);
    if (!target || target.profileId === profiles.selectedProfileId) return;
    if (current?.kids && !target.kids) {
      const dialog = new Dialog(`Switch to ${target.name}?`);
      dialog.show(
        stepUpForm(api, {
          intro: 'Grown-up profiles need the account password (or a code sent by email).',
          submitLabel: `Switch to ${target.name}`,
          onCancel: () => dialog.close(),
          onVerified: async (reauthToken) => {
            await api.selectProfile(target.profileId, reauthToken);
            dialog.close();
            onSwitched();
          },
        }),
      );
      return;
    }
    button.disabled = true;
    try {
      await api.selectProfile(target.profileId);
      onSwitched();
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
