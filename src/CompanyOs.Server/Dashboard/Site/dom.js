// Element building. Every string from the server (model text, tool output, names) becomes a Text node or an attribute
// value, never markup (no HTML-parsing API is used anywhere), so a tool result containing <script> shows as those characters.

const SVG = 'http://www.w3.org/2000/svg';

/** h('tag.class', {attr: value, onclick: fn}, child...): children are nodes or strings (as text); null/false are skipped. */
export function h(spec, attrs, ...children) {
  return build(document.createElement(tagOf(spec)), spec, attrs, children);
}

/** The same for SVG elements. */
export function s(spec, attrs, ...children) {
  return build(document.createElementNS(SVG, tagOf(spec)), spec, attrs, children);
}

function tagOf(spec) { return spec.split('.')[0]; }

function build(el, spec, attrs, children) {
  const classes = spec.split('.').slice(1);
  if (classes.length) el.setAttribute('class', classes.join(' '));
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.setAttribute('class', [...classes, value].join(' '));
    else if (name === 'value') el.value = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces all children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function money(value) {
  if (value === null || value === undefined) return 'unknown';
  const n = Number(value);
  if (n === 0) return '$0';
  return '$' + (Math.abs(n) < 0.01 ? n.toFixed(6) : n.toFixed(4));
}

export function count(value) {
  return value === null || value === undefined ? '–' : Number(value).toLocaleString('en-US');
}

export function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

export function json(value) {
  return JSON.stringify(value, null, 2);
}

export function statusBadge(status) {
  return h('span.status', { class: String(status ?? 'unknown').replace(/[^a-z_]/g, '') }, String(status ?? 'unknown'));
}

export function emulatedBadge() {
  return h('span.emulated', { title: 'Answered by the built-in emulator, not a real provider' }, 'EMULATED');
}
