// Entry point: sign-in, hash routes (#/runs, #/runs/{id}, #/approvals, #/spend) and the pending-decisions badge.
import { api, session, whenUnauthorized } from './api.js';
import { h, replace } from './dom.js';
import { runsView } from './runs.js';
import { runView } from './run.js';
import { approvalsView } from './decisions.js';
import { spendView } from './spend.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const signOut = document.getElementById('sign-out');
const pendingCount = document.getElementById('pending-count');
let stopView = () => {};
let badgeTimer = null;

function signInView(message) {
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', required: true, placeholder: 'cos_…', 'aria-describedby': 'signin-error' });
  const error = h('p.error', { id: 'signin-error', role: 'alert' }, message ?? '');
  const button = h('button.primary', { type: 'submit' }, 'Sign in');
  const form = h('form.panel.signin', { 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in'),
    h('p.muted', null, 'Paste an API key of your organisation. It is kept in this tab only (session storage) and sent as a Bearer token.'),
    h('label', { for: 'api-key' }, 'API key', input),
    h('p', null, button),
    error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    button.disabled = true;
    error.textContent = '';
    try {
      await api('/v1/runs?limit=1', { key });
      session.key = key;
      if (!location.hash || location.hash === '#/signin') location.hash = '#/runs';
      route();
    } catch (err) {
      error.textContent = `Sign-in failed: ${err.message}`;
    } finally {
      button.disabled = false;
    }
  });
  replace(main, form);
  input.focus();
  return () => {};
}

function showSignedIn(signedIn) {
  nav.hidden = !signedIn;
  signOut.hidden = !signedIn;
  document.getElementById('who').textContent = signedIn ? `key …${session.key.slice(-4)}` : '';
  clearInterval(badgeTimer);
  badgeTimer = null;
  if (signedIn) {
    refreshBadge();
    badgeTimer = setInterval(refreshBadge, 3000);
  }
}

async function refreshBadge() {
  try {
    const list = await api('/v1/decisions');
    pendingCount.textContent = list?.data?.length ? String(list.data.length) : '';
  } catch { /* shown on the pages themselves */ }
}

function route() {
  stopView();
  stopView = () => {};
  if (!session.key) {
    showSignedIn(false);
    stopView = signInView();
    return;
  }
  if (nav.hidden) showSignedIn(true);
  else refreshBadge();
  const path = (location.hash || '#/runs').slice(1).split('/').filter(Boolean).map(decodeURIComponent);
  const section = path[0] ?? 'runs';
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (section === 'runs' && path[1]) stopView = runView(main, path[1]);
  else if (section === 'approvals') stopView = approvalsView(main);
  else if (section === 'spend') stopView = spendView(main);
  else stopView = runsView(main);
  document.title = `CompanyOS · ${section}`;
}

whenUnauthorized((message) => {
  session.key = null;
  stopView();
  showSignedIn(false);
  stopView = signInView(`Signed out: ${message}`);
});

document.addEventListener('companyos:decided', () => refreshBadge());

signOut.addEventListener('click', () => {
  session.key = null;
  route();
});

window.addEventListener('hashchange', () => {
  route();
  main.focus({ preventScroll: true });
});
route();
