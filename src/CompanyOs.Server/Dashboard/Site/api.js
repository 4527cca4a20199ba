// The dashboard's only way to the server: /v1 calls with the signed-in key as a Bearer token, and the run event stream
// read with fetch (EventSource cannot send an Authorization header).

const KEY = 'companyos.key';

export const session = {
  get key() { return sessionStorage.getItem(KEY); },
  set key(value) { value ? sessionStorage.setItem(KEY, value) : sessionStorage.removeItem(KEY); },
};

/** An error the API answered with: its status and the message of its OpenAI-shaped error body. */
export class ApiError extends Error {
  constructor(status, message, param) {
    super(message);
    this.status = status;
    this.param = param;
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(handler) { onUnauthorized = handler; }

/** Calls the API; returns the parsed JSON body or throws ApiError. */
export async function api(path, { method = 'GET', body, key = session.key, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store' });
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = null; }
  if (!response.ok) {
    const error = parsed?.error;
    const message = error?.message ?? (text || `${response.status} ${response.statusText}`);
    if (response.status === 401 && key === session.key) onUnauthorized(message);
    throw new ApiError(response.status, message, error?.param);
  }
  return parsed;
}

/**
 * Reads GET /v1/runs/{id}/events as Server-Sent Events from lastEventId on, calling onEvent({event, id, data}) for each
 * (data parsed as JSON). Resolves when the server ends the stream; rejects on HTTP or network errors.
 */
export async function readEvents(runId, lastEventId, onEvent, signal) {
  const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${session.key}` };
  if (lastEventId !== null && lastEventId !== undefined) headers['Last-Event-ID'] = String(lastEventId);
  const response = await fetch(`/v1/runs/${encodeURIComponent(runId)}/events`, { headers, signal, cache: 'no-store' });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json())?.error?.message ?? message; } catch { /* not JSON */ }
    if (response.status === 401) onUnauthorized(message);
    throw new ApiError(response.status, message);
  }

  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { event: 'message', id: null, data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let newline;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (event.data.length) {
          let data;
          try { data = JSON.parse(event.data.join('\n')); } catch { data = { text: event.data.join('\n') }; }
          onEvent({ event: event.event, id: event.id, data });
        }
        event = { event: 'message', id: null, data: [] };
        continue;
      }
      if (line.startsWith(':')) continue; // heartbeat or comment
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let val = colon < 0 ? '' : line.slice(colon + 1);
      if (val.startsWith(' ')) val = val.slice(1);
      if (field === 'event') event.event = val;
      else if (field === 'data') event.data.push(val);
      else if (field === 'id') event.id = val;
    }
  }
}
