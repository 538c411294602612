import { html, type Html } from '../html.js';
import type { Translate } from '../i18n.js';

/** GET /login: the form (inputs `user` and `password`, posted to /login), with the login CSRF nonce. */
export function loginBody(t: Translate, o: { nonce: string; next: string; error?: string }): Html {
  return html`<section class="login" aria-labelledby="login-title">
<h1 id="login-title">${t('login.title')}</h1>
${o.error ? html`<p class="flash error" role="alert">${o.error}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="csrf" value="${o.nonce}">
<input type="hidden" name="next" value="${o.next}">
<label for="login-user">${t('login.user')}<input id="login-user" name="user" autocomplete="username" required autofocus></label>
<label for="login-password">${t('login.password')}<input id="login-password" name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">${t('login.submit')}</button>
</form>
</section>`;
}
