// Pending decisions: approve (optionally with edited arguments, checked by the server against the tool's schema),
// reject with a reason, or answer a question. Used by the approvals page and by a run's page.
import { api } from './api.js';
import { h, json, replace, when } from './dom.js';

let nextId = 0;

/** A card for one pending decision; onDecided(run) is called once it has been decided (by us or, on 409, by someone else). */
export function decisionCard(decision, onDecided, { showRun = true } = {}) {
  const id = `d${++nextId}`;
  const runPath = `/v1/runs/${encodeURIComponent(decision.run_id)}`;
  const error = h('p.error', { id: `${id}-error`, role: 'alert' });
  const done = h('p.muted', { role: 'status' });
  const buttons = [];
  const busy = (on) => { for (const b of buttons) b.disabled = on; };

  async function decide(path, body) {
    busy(true);
    error.textContent = '';
    try {
      const run = await api(`${runPath}/${path}`, { method: 'POST', body });
      done.textContent = 'Decided.';
      document.dispatchEvent(new Event('companyos:decided'));
      onDecided(run);
    } catch (err) {
      if (err.status === 409) {
        done.textContent = `Already decided: ${err.message}`;
        onDecided(null);
      } else {
        error.textContent = err.status === 400 ? `Rejected by the server: ${err.message}` : `Failed: ${err.message}`;
        busy(false);
      }
    }
  }

  const head = h('div.step-head', null,
    h('span.step-title', null, decision.kind === 'question' ? 'Question' : `Approve ${decision.tool ?? 'tool call'}?`),
    showRun ? h('a', { href: `#/runs/${encodeURIComponent(decision.run_id)}` }, `run ${String(decision.run_id).slice(0, 12)}`) : null,
    h('span.step-meta', null, `asked ${when(decision.created_at)}`),
    decision.expires_at ? h('span.step-meta', null, `expires ${when(decision.expires_at)}`) : null);

  if (decision.kind === 'question') {
    const answer = h('textarea', { id: `${id}-answer`, rows: 3, 'aria-describedby': `${id}-error` });
    const send = h('button.primary', { type: 'button' }, 'Answer');
    buttons.push(send);
    send.addEventListener('click', () => {
      if (!answer.value.trim()) { error.textContent = 'Type an answer first.'; answer.focus(); return; }
      decide(`questions/${encodeURIComponent(decision.id)}/answer`, { answer: answer.value });
    });
    return h('section.panel.decision-card', { 'data-decision-id': decision.id, 'aria-label': `Question for run ${decision.run_id}` },
      head, h('p.text', null, decision.question ?? ''),
      h('label', { for: `${id}-answer` }, 'Your answer', answer),
      h('div.actions', null, send), error, done);
  }

  const original = decision.arguments ?? {};
  const editor = h('textarea', { id: `${id}-args`, class: 'arguments', rows: 8, spellcheck: 'false', 'aria-describedby': `${id}-error` });
  editor.value = json(original);
  const reason = h('input', { id: `${id}-reason`, type: 'text', placeholder: 'why not' });
  const approve = h('button.primary', { type: 'button', 'data-action': 'approve' }, 'Approve');
  const reject = h('button.danger', { type: 'button', 'data-action': 'reject' }, 'Reject');
  buttons.push(approve, reject);

  approve.addEventListener('click', () => {
    let edited;
    try {
      edited = JSON.parse(editor.value);
    } catch (err) {
      error.textContent = `The arguments are not valid JSON: ${err.message}`;
      editor.focus();
      return;
    }
    if (edited === null || typeof edited !== 'object' || Array.isArray(edited)) {
      error.textContent = 'The arguments must be a JSON object.';
      editor.focus();
      return;
    }
    const changed = JSON.stringify(edited) !== JSON.stringify(original);
    decide(`approvals/${encodeURIComponent(decision.call_id)}/approve`, changed ? { arguments: edited } : {});
  });
  reject.addEventListener('click', () => {
    if (!reason.value.trim()) { error.textContent = 'Give a reason to reject.'; reason.focus(); return; }
    decide(`approvals/${encodeURIComponent(decision.call_id)}/reject`, { reason: reason.value.trim() });
  });

  return h('section.panel.decision-card', { 'data-decision-id': decision.id, 'aria-label': `Approval of ${decision.tool} for run ${decision.run_id}` },
    head,
    decision.reason ? h('p.muted', null, decision.reason) : null,
    h('label', { for: `${id}-args` }, 'Arguments (JSON; edit before approving to change them)', editor),
    decision.arguments_schema ? h('details', null, h('summary', null, 'Tool schema'), h('pre', null, json(decision.arguments_schema))) : null,
    h('div.actions', null, approve, h('label.reason', { for: `${id}-reason` }, 'Reason to reject', reason), reject),
    error, done);
}

/** Keeps the cards in list in step with decisions: adds new ones, drops decided ones, leaves the rest (and what was typed) alone. */
export function syncCards(list, decisions, onDecided, options) {
  const wanted = new Map(decisions.map((d) => [d.id, d]));
  for (const card of [...list.children]) {
    if (card.dataset.decisionId && !wanted.has(card.dataset.decisionId)) card.remove();
  }
  const present = new Set([...list.children].map((c) => c.dataset.decisionId));
  for (const decision of decisions) {
    if (present.has(decision.id)) continue;
    const card = decisionCard(decision, (run) => { card.dataset.decided = 'true'; onDecided(run); }, options);
    list.append(card);
  }
}

export function approvalsView(main) {
  const list = h('div', { id: 'decisions' });
  const empty = h('p.muted', { hidden: true }, 'Nothing is waiting for a decision.');
  const error = h('p.error', { role: 'alert' });
  let timer = null;
  let stopped = false;

  async function refresh() {
    try {
      const page = await api('/v1/decisions');
      if (stopped) return;
      const decisions = page?.data ?? [];
      syncCards(list, decisions, () => setTimeout(refresh, 300));
      empty.hidden = decisions.length > 0;
      error.textContent = '';
    } catch (err) {
      if (!stopped) error.textContent = `Could not load decisions: ${err.message}`;
    }
  }

  replace(main, h('h1', { tabindex: -1 }, 'Pending approvals and questions'), error, empty, list);
  refresh();
  timer = setInterval(refresh, 3000);
  return () => { stopped = true; clearInterval(timer); };
}
