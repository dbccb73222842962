/**
 * The API key, when the server requires one: asked for in a dialog, kept in memory, and in
 * sessionStorage only if the user opts in (never localStorage: it would outlive the tab).
 */
import { byId } from './dom.js';

const SESSION_KEY = 'bedrock-chat:api-key';

export class ApiKeyStore {
  private key: string | undefined;

  constructor() {
    try {
      this.key = sessionStorage.getItem(SESSION_KEY) ?? undefined;
    } catch {
      this.key = undefined;
    }
  }

  get value(): string | undefined {
    return this.key;
  }

  /** Asks for a key; resolves once one was entered. `problem` says why the last one failed. */
  ask(problem?: string): Promise<string> {
    const dialog = byId<HTMLDialogElement>('key-dialog');
    const form = byId<HTMLFormElement>('key-form');
    const input = byId<HTMLInputElement>('key-input');
    const remember = byId<HTMLInputElement>('key-remember');
    byId<HTMLParagraphElement>('key-error').textContent = problem ?? '';
    input.value = '';
    return new Promise((resolve) => {
      const onSubmit = (event: SubmitEvent) => {
        event.preventDefault();
        const key = input.value.trim();
        if (key === '') return;
        form.removeEventListener('submit', onSubmit);
        this.key = key;
        try {
          if (remember.checked) sessionStorage.setItem(SESSION_KEY, key);
          else sessionStorage.removeItem(SESSION_KEY);
        } catch {
          // sessionStorage off: the key stays in memory only
        }
        dialog.close();
        resolve(key);
      };
      form.addEventListener('submit', onSubmit);
      if (!dialog.open) dialog.showModal();
      input.focus();
    });
  }
}
