// Runs list: newest first, filters, polled every 2 s so that status, cost and pending counts stay live.
import { api } from './api.js';
import { count, emulatedBadge, h, money, replace, statusBadge, when } from './dom.js';

const STATUSES = ['', 'running', 'awaiting_approval', 'completed', 'failed', 'cancelled', 'incomplete', 'max_iterations', 'budget_exceeded'];

export function runsView(main) {
  const status = h('select', { id: 'filter-status' }, STATUSES.map((s) => h('option', { value: s }, s || 'any')));
  const agent = h('input', { id: 'filter-agent', type: 'text', placeholder: 'any', size: 14 });
  const body = h('tbody');
  const error = h('p.error', { role: 'alert' });
  const live = h('span.live', { 'aria-live': 'off' });
  const more = h('button', { type: 'button', hidden: true }, 'Show older runs');
  let rows = [];
  let cursor = null;
  let lastRendered = '';
  let timer = null;
  let stopped = false;

  const filters = () => {
    const q = new URLSearchParams({ limit: '50' });
    if (status.value) q.set('status', status.value);
    if (agent.value.trim()) q.set('agent', agent.value.trim());
    return q;
  };

  async function refresh() {
    try {
      const page = await api(`/v1/runs?${filters()}`);
      if (stopped) return;
      // Keep older pages the operator loaded; the newest page replaces its own rows.
      const newest = page.data ?? [];
      const ids = new Set(newest.map((r) => r.id));
      rows = [...newest, ...rows.slice(newest.length).filter((r) => !ids.has(r.id))];
      if (cursor === null) { cursor = page.next_cursor ?? null; more.hidden = !page.has_more; }
      render();
      error.textContent = '';
      live.textContent = `Updated ${new Date().toLocaleTimeString('en-GB')}`;
    } catch (err) {
      if (!stopped) error.textContent = `Could not load runs: ${err.message}`;
    }
  }

  function render() {
    const snapshot = JSON.stringify(rows);
    if (snapshot === lastRendered) return;
    lastRendered = snapshot;
    if (!rows.length) {
      replace(body, h('tr', null, h('td.muted', { colspan: 8 }, 'No runs yet. Start one with POST /v1/runs or companyos run.')));
      return;
    }
    replace(body, rows.map((run) => h('tr', { 'data-run-id': run.id },
      h('td', null, h('a', { href: `#/runs/${encodeURIComponent(run.id)}` }, String(run.id).slice(0, 12))),
      h('td.status-cell', null, statusBadge(run.status), run.emulated ? [' ', emulatedBadge()] : null),
      h('td', null, run.agent ?? ''),
      h('td.task', { title: run.task ?? '' }, run.task ?? ''),
      h('td.num', null, run.pending_count ? String(run.pending_count) : ''),
      h('td.num', null, count(run.usage?.total_tokens)),
      h('td.num', null, money(run.cost_usd)),
      h('td.num', null, when(run.created_at)))));
  }

  more.addEventListener('click', async () => {
    if (!cursor) return;
    try {
      const q = filters();
      q.set('after', cursor);
      const page = await api(`/v1/runs?${q}`);
      rows = [...rows, ...(page.data ?? [])];
      cursor = page.next_cursor ?? null;
      more.hidden = !page.has_more;
      render();
    } catch (err) {
      error.textContent = `Could not load older runs: ${err.message}`;
    }
  });

  const onFilter = () => { rows = []; cursor = null; lastRendered = ''; refresh(); };
  status.addEventListener('change', onFilter);
  agent.addEventListener('change', onFilter);

  replace(main,
    h('h1', { tabindex: -1 }, 'Runs'),
    h('div.row', null, h('label', { for: 'filter-status' }, 'Status', status), h('label', { for: 'filter-agent' }, 'Agent', agent), live),
    error,
    h('div.table-wrap', null, h('table', { id: 'runs' },
      h('caption.muted', { class: 'visually-hidden' }, 'Runs, newest first'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Run'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Agent'),
        h('th', { scope: 'col' }, 'Task'), h('th.num', { scope: 'col' }, 'Pending'), h('th.num', { scope: 'col' }, 'Tokens'),
        h('th.num', { scope: 'col' }, 'Cost'), h('th.num', { scope: 'col' }, 'Started'))),
      body)),
    h('p.pager', null, more));
  refresh();
  timer = setInterval(refresh, 2000);
  return () => { stopped = true; clearInterval(timer); };
}
