// Spend from GET /v1/stats, grouped by provider, model, agent or day: a table and an inline SVG bar chart (no library).
import { api } from './api.js';
import { count, h, money, replace, s } from './dom.js';

const GROUPS = ['provider', 'model', 'agent', 'key', 'day'];
const FIELDS = { key: 'key_id' };

export function spendView(main) {
  const group = h('select', { id: 'spend-group' }, GROUPS.map((g) => h('option', { value: g }, g)));
  const from = h('input', { id: 'spend-from', type: 'date' });
  const to = h('input', { id: 'spend-to', type: 'date' });
  const error = h('p.error', { role: 'alert' });
  const chart = h('div', { id: 'spend-chart' });
  const table = h('div.table-wrap', { id: 'spend-table' });
  const totals = h('p', { id: 'spend-totals' });
  let stopped = false;

  async function load() {
    const q = new URLSearchParams({ group_by: group.value });
    if (from.value) q.set('from', from.value);
    if (to.value) q.set('to', to.value);
    try {
      const stats = await api(`/v1/stats?${q}`);
      if (stopped) return;
      error.textContent = '';
      show(stats);
    } catch (err) {
      if (!stopped) error.textContent = `Could not load spend: ${err.message}`;
    }
  }

  function show(stats) {
    const key = group.value;
    const rows = (stats?.rows ?? []).map((r) => ({ ...r, label: String(r[FIELDS[key] ?? key] ?? '(none)') }));
    if (key === 'day') rows.sort((a, b) => a.label.localeCompare(b.label));
    else rows.sort((a, b) => Number(b.cost_usd ?? 0) - Number(a.cost_usd ?? 0));
    const t = stats?.totals ?? {};
    replace(totals, `Total: ${money(t.cost_usd)} over ${count(t.calls)} calls, ${count(t.input_tokens)} input and ${count(t.output_tokens)} output tokens.`);
    replace(chart, rows.length ? barChart(rows, key) : h('p.muted', null, 'No spend in this period.'));
    replace(table, h('table', null,
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, key), h('th.num', { scope: 'col' }, 'Calls'),
        h('th.num', { scope: 'col' }, 'Input tokens'), h('th.num', { scope: 'col' }, 'Output tokens'), h('th.num', { scope: 'col' }, 'Cost'))),
      h('tbody', null, rows.map((r) => h('tr', null, h('td', null, r.label), h('td.num', null, count(r.calls)),
        h('td.num', null, count(r.input_tokens)), h('td.num', null, count(r.output_tokens)), h('td.num', null, money(r.cost_usd)))))));
  }

  for (const input of [group, from, to]) input.addEventListener('change', load);
  replace(main,
    h('h1', { tabindex: -1 }, 'Spend'),
    h('div.row', null, h('label', { for: 'spend-group' }, 'Group by', group), h('label', { for: 'spend-from' }, 'From', from),
      h('label', { for: 'spend-to' }, 'To', to)),
    error, totals, chart, h('h2', null, 'Details'), table);
  load();
  return () => { stopped = true; };
}

/** Horizontal bars of cost per group, scaled to the largest; labels and values as SVG text nodes. */
function barChart(rows, key) {
  const width = 800;
  const labelWidth = 220;
  const valueWidth = 110;
  const rowHeight = 26;
  const height = rows.length * rowHeight + 16;
  const max = Math.max(...rows.map((r) => Number(r.cost_usd ?? 0)), 0);
  const span = width - labelWidth - valueWidth;
  return s('svg.chart', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Cost by ${key}` },
    s('title', null, `Cost by ${key}`),
    rows.map((r, i) => {
      const y = 8 + i * rowHeight;
      const cost = Number(r.cost_usd ?? 0);
      const barWidth = max > 0 ? Math.max(1, (cost / max) * span) : 1;
      const label = r.label.length > 30 ? `${r.label.slice(0, 29)}…` : r.label;
      return s('g', null,
        s('text', { x: labelWidth - 8, y: y + 16, 'text-anchor': 'end' }, label),
        s('rect.bar', { x: labelWidth, y: y + 3, width: barWidth.toFixed(1), height: rowHeight - 8, rx: 2 }, s('title', null, `${r.label}: ${money(r.cost_usd)}`)),
        s('text.value', { x: labelWidth + barWidth + 6, y: y + 16 }, money(r.cost_usd)));
    }));
}
