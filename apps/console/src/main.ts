// The operator console: sign in as an admin, then the console state refreshes
// every few seconds (GET /api/console/state, the same on the server and the
// gateway). A customer's token is answered 403 and said so.
import { ApiError, loadState, retryDelivery, session, signIn } from './api.js';
import { render } from './render.js';
import type { Delivery } from './types.js';

const REFRESH_MS = 3_000;

const form = document.getElementById('sign-in') as HTMLFormElement;
const main = document.getElementById('console')!;
const message = document.getElementById('message')!;
const signOut = document.getElementById('sign-out') as HTMLButtonElement;
let timer: number | undefined;

function say(text: string | undefined, kind: 'error' | 'info' = 'error'): void {
  message.hidden = !text;
  message.textContent = text ?? '';
  message.className = kind;
}

function showSignIn(): void {
  window.clearTimeout(timer);
  main.hidden = true;
  signOut.hidden = true;
  form.hidden = false;
}

async function refresh(): Promise<void> {
  window.clearTimeout(timer);
  try {
    const state = await loadState();
    form.hidden = true;
    main.hidden = false;
    signOut.hidden = false;
    say(undefined);
    document.getElementById('source')!.textContent = `via ${state.answeredBy}`;
    document.getElementById('updated')!.textContent =
      `updated ${new Date(state.at).toLocaleTimeString()}`;
    render(state, { retry: (delivery) => void retry(delivery) });
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      if (error.status === 401) session.token = null;
      showSignIn();
      say(
        error.status === 403
          ? `Forbidden (403): ${error.message}. Sign in with an admin account.`
          : `Please sign in (${error.message}).`,
      );
      return;
    }
    say(`The console state could not be loaded: ${(error as Error).message}`);
  }
  timer = window.setTimeout(() => void refresh(), REFRESH_MS);
}

async function retry(delivery: Delivery): Promise<void> {
  try {
    await retryDelivery(delivery);
    say(`Delivery ${delivery.id} to ${delivery.subscriber} is queued again.`, 'info');
  } catch (error) {
    say(`Retry failed: ${(error as Error).message}`);
  }
  await refresh();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(form);
  void signIn(String(data.get('email')), String(data.get('password')))
    .then(refresh)
    .catch((error: Error) => say(`Sign-in failed: ${error.message}`));
});

signOut.addEventListener('click', () => {
  session.token = null;
  showSignIn();
  say(undefined);
});

if (session.token) void refresh();
else showSignIn();
