// One run: its facts, its pending decisions and its timeline, read from GET /v1/runs/{id}/events (stored steps replayed
// from the last seen version, then live ones and the model's text as it streams). The stream ends when the run ends or
// waits; the page then polls the run and reopens the stream (from the last version, so nothing twice) when it moves on.
import { api, readEvents } from './api.js';
import { count, emulatedBadge, h, json, money, replace, statusBadge, when } from './dom.js';
import { syncCards } from './decisions.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'incomplete', 'max_iterations', 'budget_exceeded']);
const isWaiting = (status) => /^(awaiting|waiting)/.test(status ?? '');

export function runView(main, runId) {
  const title = h('h1', { tabindex: -1 }, `Run ${runId}`);
  const facts = h('dl.facts', { id: 'run-facts' });
  const error = h('p.error', { role: 'alert' });
  const pending = h('div', { id: 'run-decisions' });
  const timeline = h('ol.timeline', { id: 'timeline', 'aria-label': 'Steps of the run' });
  const live = h('p.live', { id: 'stream-state', role: 'status' });
  const cancel = h('button.danger', { type: 'button', hidden: true }, 'Cancel run');
  let run = null;
  let lastVersion = null;
  let streaming = false;
  let seenUpdatedAt = null;
  let textStep = null;
  let failures = 0;
  let stopped = false;
  const abort = new AbortController();

  replace(main,
    h('p', null, h('a', { href: '#/runs' }, '← All runs')),
    title, error,
    h('section.panel', { 'aria-label': 'Run summary' }, facts, h('p', null, cancel)),
    pending,
    h('h2', null, 'Timeline'), live, timeline);

  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try {
      run = await api(`/v1/runs/${encodeURIComponent(runId)}/cancel`, { method: 'POST', body: { reason: 'cancelled from the dashboard' } });
      showRun();
      poll();
    } catch (err) {
      error.textContent = `Could not cancel: ${err.message}`;
    } finally {
      cancel.disabled = false;
    }
  });

  function showRun() {
    const rows = [
      ['Status', [statusBadge(run.status), run.emulated ? [' ', emulatedBadge()] : null]],
      ['Agent', run.agent],
      ['Task', run.task],
      ['Iterations', count(run.iterations)],
      ['Tokens', `${count(run.usage?.input_tokens)} in · ${count(run.usage?.output_tokens)} out · ${count(run.usage?.total_tokens)} total`],
      ['Cost', money(run.cost_usd)],
      ['Started', when(run.created_at)],
      ['Updated', when(run.updated_at)],
      run.ended_at ? ['Ended', when(run.ended_at)] : null,
      run.result ? ['Result', run.result] : null,
      run.error ? ['Error', typeof run.error === 'string' ? run.error : json(run.error)] : null,
    ].filter(Boolean);
    replace(facts, rows.map(([k, v]) => [h('dt', null, k), h('dd', { 'data-fact': k.toLowerCase() }, v ?? '')]));
    replace(title, `Run ${runId} `, statusBadge(run.status));
    cancel.hidden = TERMINAL.has(run.status);
    syncCards(pending, run.pending ?? [], () => poll(), { showRun: false });
  }

  async function poll() {
    try {
      run = await api(`/v1/runs/${encodeURIComponent(runId)}`);
      if (stopped) return;
      showRun();
      if (!streaming && (!TERMINAL.has(run.status) && !isWaiting(run.status) || run.updated_at !== seenUpdatedAt)) openStream();
      else if (!streaming) live.textContent = TERMINAL.has(run.status) ? `Run ${run.status}.` : 'Waiting for a decision.';
    } catch (err) {
      if (!stopped) error.textContent = err.status === 404 ? 'No such run in your organisation.' : `Could not load the run: ${err.message}`;
    }
  }

  function openStream() {
    streaming = true;
    live.textContent = 'Live: following the run…';
    readEvents(runId, lastVersion, onEvent, abort.signal).then(async () => {
      failures = 0;
      streaming = false;
      dropText();
      if (stopped) return;
      // What the run looked like when its stream ended: reopen only when it moves on from here.
      run = await api(`/v1/runs/${encodeURIComponent(runId)}`).catch(() => run);
      seenUpdatedAt = run?.updated_at ?? null;
      if (run) showRun();
      live.textContent = run && TERMINAL.has(run.status) ? `Run ${run.status}.` : 'Waiting for a decision.';
    }, (err) => {
      streaming = false;
      if (stopped || err.name === 'AbortError') return;
      failures++;
      live.textContent = `Stream interrupted (${err.message}); retrying.`;
      if (err.status === 404 || err.status === 401 || failures > 5) { streaming = true; live.textContent = `Stream stopped: ${err.message}`; }
    });
  }

  function onEvent({ event, id, data }) {
    if (event === 'delta') {
      if (data.restart) { dropText(); return; }
      if (!textStep) {
        textStep = { text: h('p.text.streaming', { 'data-streaming': 'true' }) };
        textStep.li = h('li.step.model', { 'data-type': 'streaming' }, h('div.step-head', null, h('span.step-title', null, 'Model (streaming)')), textStep.text);
        timeline.append(textStep.li);
      }
      textStep.text.append(document.createTextNode(data.text ?? ''));
      return;
    }
    if (event === 'end') return;
    if (id !== null && id !== undefined && id !== '') {
      const version = Number(id);
      if (lastVersion !== null && version <= lastVersion) return;
      lastVersion = version;
    }
    const type = data.type ?? event;
    if (type === 'assistant_message') dropText();
    timeline.append(step(type, data, id));
  }

  function dropText() {
    textStep?.li.remove();
    textStep = null;
  }

  function step(type, d, version) {
    const emulated = d.emulated ?? run?.emulated ?? false;
    const [kind, titleText, meta, body] = describe(type, d, emulated);
    return h('li.step', { class: kind, 'data-type': type, 'data-version': version ?? '' },
      h('div.step-head', null, h('span.step-title', null, titleText), meta.filter(Boolean).map((m) => h('span.step-meta', null, m)),
        h('span.step-meta', null, when(d.at))),
      body,
      h('details', null, h('summary', null, 'Event JSON'), h('pre', null, json(d))));
  }

  poll();
  const timer = setInterval(poll, 2000);
  return () => { stopped = true; clearInterval(timer); abort.abort(); };
}

function args(value) {
  if (typeof value === 'string') {
    try { return json(JSON.parse(value)); } catch { return value; }
  }
  return json(value ?? {});
}

const ms = (v) => (v === null || v === undefined ? null : `${Math.round(Number(v))} ms`);

/** [css kind, title, meta strings, body nodes] for one stored event; every string goes in as text. */
function describe(type, d, emulated) {
  const tool = d.tool_name ?? d.tool ?? d.name;
  switch (type) {
    case 'run_started':
      return ['start', 'Run started', [d.agent_type ?? d.agent, d.settings?.autonomy, d.settings?.model ?? d.model,
        d.prompt_name ? `prompt ${d.prompt_name}@${d.prompt_version ?? '?'}` : null],
      [h('p.text', null, d.task ?? '')]];
    case 'llm_call':
    case 'llm_call_completed':
    case 'llm_call_interrupted': {
      const usage = d.usage ?? d;
      return [type === 'llm_call_interrupted' ? 'bad' : 'model',
        `${type === 'llm_call_interrupted' ? 'Model call cut off' : 'Model call'} ${d.iteration ?? ''}`.trim(),
        [[d.provider, d.model].filter(Boolean).join(' / '),
          `${count(usage.input_tokens)} in · ${count(usage.output_tokens)} out tokens`,
          money(d.cost_usd), ms(d.latency_ms), d.finish_reason ? `finish: ${d.finish_reason}` : null,
          d.attempts > 1 ? `${d.attempts} attempts` : null, d.cache_hit ? 'cache hit' : null],
        [emulated ? emulatedBadge() : null, d.error ? h('p.error', null, d.error) : null]];
    }
    case 'assistant_message':
      return ['model', d.final ? 'Model (final answer)' : 'Model', [],
        [d.text ? h('p.text', null, d.text) : null,
          (d.tool_calls ?? []).map((c) => [h('div.step-meta', null, `calls ${c.name ?? c.tool_name}`), h('pre', null, args(c.arguments))])]];
    case 'tool_requested':
    case 'tool_call_requested':
      return ['tool', `Tool call: ${tool}`, [d.risk ? `risk ${d.risk}` : null, d.call_id], [h('pre', null, args(d.arguments))]];
    case 'approval_requested':
      return ['decision', `Waiting for approval: ${tool}`, [d.expires_at ? `expires ${when(d.expires_at)}` : null],
        [d.reason ? h('p.muted', null, d.reason) : null, h('pre', null, args(d.proposed_arguments ?? d.arguments))]];
    case 'approval_granted':
      return ['decision', d.edited ? 'Approved with edited arguments' : 'Approved', [d.decided_by ? `by ${d.decided_by}` : null],
        [d.edited ? h('pre', null, args(d.effective_arguments)) : null]];
    case 'approval_rejected':
      return ['bad', 'Rejected', [d.decided_by ? `by ${d.decided_by}` : null], [h('p.text', null, d.reason ?? '')]];
    case 'approval_expired':
      return ['bad', 'Approval expired', [], []];
    case 'question_asked':
      return ['decision', 'Question', [], [h('p.text', null, d.question ?? '')]];
    case 'question_answered':
      return ['decision', 'Answered', [d.answered_by ? `by ${d.answered_by}` : null], [h('p.text', null, d.answer ?? '')]];
    case 'tool_call_started':
    case 'tool_started':
      return ['tool', `Tool started: ${tool}`, [d.attempt > 1 ? `attempt ${d.attempt}` : null], []];
    case 'tool_completed':
    case 'tool_call_completed':
      return [d.is_error ? 'bad' : 'tool', `Tool result: ${tool}`, [ms(d.duration_ms), d.is_error ? 'error' : null,
        d.truncated ? 'truncated' : null, d.output_chars !== undefined ? `${count(d.output_chars)} chars` : null],
      [h('pre.tool-output', null, typeof (d.output ?? d.result) === 'string' ? (d.output ?? d.result) : json(d.output ?? d.result))]];
    case 'tool_failed':
    case 'tool_call_failed':
      return ['bad', `Tool failed: ${tool}`, [ms(d.duration_ms), d.reason], [h('pre.tool-output', null, d.error ?? '')]];
    case 'tool_interrupted':
    case 'tool_call_interrupted':
      return ['bad', `Tool interrupted: ${tool}`, [], []];
    case 'run_completed':
      return ['end', 'Run completed', [d.completed_by ? `by ${d.completed_by}` : null], [h('p.text', null, d.result ?? '')]];
    case 'run_failed':
      return ['bad', 'Run failed', [d.error_kind, d.provider], [h('p.text', null, d.error ?? '')]];
    case 'run_cancelled':
      return ['bad', 'Run cancelled', [d.cancelled_by ? `by ${d.cancelled_by}` : null], [h('p.text', null, d.reason ?? '')]];
    case 'run_incomplete':
    case 'run_max_iterations_reached':
    case 'run_budget_exceeded':
      return ['bad', type.replaceAll('_', ' '), [d.finish_reason, d.limit], [h('p.text', null, d.result ?? '')]];
    default:
      return ['', String(type).replaceAll('_', ' '), [], []];
  }
}
