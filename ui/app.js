// The collectors page: a grid of every collector with sort, filter and auto-refresh; an add/modify
// form; an actions menu per row; details on demand. Every action is one management API call —
// the page adds no rule of its own. Rendering is lit-html (served from the app's own
// node_modules), which patches only what changed, so focus, open menus and typed text survive
// each refresh; dialogs are the browser's <dialog>, menus its popover.
import { html, nothing, render } from "./vendor/lit-html/lit-html.js";
import { live } from "./vendor/lit-html/directives/live.js";
import { repeat } from "./vendor/lit-html/directives/repeat.js";
import { api, ApiError, forgetKey, onKeyNeeded } from "./api.js";
import { COLUMNS, duration, fieldText, filtered, fromUtcInput, relative, sorted, stateLabel, toUtcInput, utc } from "./format.js";

const REFRESH_MS = 5000;
const FORM_FIELDS = ["dataType", "id", "friendlyName", "apiKeySecretName", "pollIntervalSeconds", "startTime", "families", "bucketWidth", "compliance", "compliance.workspaceId", "compliance.organizationId", "compliance.eventTypes"];

const state = {
  collectors: [],
  /** dataType → registry entry (GET /api/data-types). */
  types: {},
  typeList: [],
  loaded: false,
  loadError: null,
  updatedAt: null,
  sort: { key: "friendlyName", dir: "ascending" },
  filter: "",
  autoRefresh: true,
  notice: "",
  /** The row whose actions menu is open: { collector, button }. */
  menu: null,
  /** The open dialog: { kind: "form" | "reset" | "delete" | "details" | "test", ... }. */
  dialog: null,
  /** The function-key prompt: { resolve, reject, value }. */
  keyPrompt: null,
};
let returnFocus = null;

const root = document.getElementById("app");
const byId = (id) => document.getElementById(id);

function update() {
  render(view(), root);
  const dialog = byId("dialog");
  if (state.dialog && !dialog.open) dialog.showModal();
  if (!state.dialog && dialog.open) dialog.close();
  const keyDialog = byId("key-dialog");
  if (state.keyPrompt && !keyDialog.open) keyDialog.showModal();
  if (!state.keyPrompt && keyDialog.open) keyDialog.close();
}

function say(text) {
  state.notice = text;
  update();
}

function message(error) {
  return error instanceof ApiError ? error.message : `The request failed: ${error?.message ?? error}`;
}

// ---------------------------------------------------------------- data

async function load() {
  try {
    if (state.typeList.length === 0) {
      const { body } = await api("GET", "data-types");
      state.typeList = body.dataTypes;
      state.types = Object.fromEntries(body.dataTypes.map((t) => [t.dataType, t]));
    }
    const { body } = await api("GET", "collectors");
    state.collectors = body.collectors;
    state.loaded = true;
    state.loadError = null;
    state.updatedAt = new Date().toISOString();
  } catch (error) {
    state.loadError = message(error);
  }
  update();
}

let timer;
function scheduleRefresh() {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    if (state.autoRefresh && !document.hidden) await load();
    scheduleRefresh();
  }, REFRESH_MS);
}

// ---------------------------------------------------------------- actions

async function simpleAction(collector, verb) {
  closeMenu();
  try {
    const { status, body } = await api("POST", `collectors/${encodeURIComponent(collector.id)}/${verb}`);
    const shown = stateLabel(body.status)[0].toLowerCase();
    say(verb === "start" ? `Started “${collector.friendlyName}” (${shown}).` : `Stop requested for “${collector.friendlyName}” (${status === 202 ? "in-flight pages finish first" : shown}).`);
  } catch (error) {
    say(`${verb === "start" ? "Start" : "Stop"} of “${collector.friendlyName}” failed: ${message(error)}`);
  }
  await load();
}

function openDialog(dialog) {
  closeMenu(false);
  state.dialog = dialog;
  update();
}

function closeDialog() {
  state.dialog = null;
  update();
  const target = returnFocus;
  returnFocus = null;
  if (target?.isConnected) target.focus();
}

function openForm(mode, collector) {
  const first = state.typeList[0]?.dataType ?? "";
  const c = collector?.compliance ?? {};
  const compliance = { "compliance.workspaceId": c.workspaceId ?? "", "compliance.organizationId": c.organizationId ?? "", "compliance.eventTypes": (c.eventTypes ?? []).join(", "), includeConversationMessages: c.includeConversationMessages === true };
  const values = collector
    ? { dataType: collector.dataType, id: collector.id, friendlyName: collector.friendlyName, apiKeySecretName: collector.apiKeySecretName, pollIntervalSeconds: String(collector.pollIntervalSeconds), startTime: toUtcInput(collector.startTime),
      families: collector.families ?? null, bucketWidth: collector.bucketWidth ?? "", ...compliance }
    : { dataType: first, id: "", friendlyName: "", apiKeySecretName: "", pollIntervalSeconds: "", startTime: "", families: null, bucketWidth: "", ...compliance };
  openDialog({ kind: "form", mode, values, errors: {}, formError: null, busy: false, test: null });
}

function formBody(values) {
  const body = { dataType: values.dataType, friendlyName: values.friendlyName, apiKeySecretName: values.apiKeySecretName };
  if (values.pollIntervalSeconds.trim() !== "") body.pollIntervalSeconds = Number(values.pollIntervalSeconds);
  const startTime = fromUtcInput(values.startTime);
  if (startTime) body.startTime = startTime;
  if (values.dataType === "complianceLogs") body.compliance = complianceBody(values);
  // Fields only some data types take (the registry's choices): families as chosen, all when none was chosen yet.
  const choices = state.types[values.dataType]?.choices ?? {};
  if (choices.families) body.families = values.families ?? choices.families;
  if (choices.bucketWidths && values.bucketWidth !== "") body.bucketWidth = values.bucketWidth;
  return body;
}

/** The `compliance` part of a ChatGPT compliance-logs collector: only the fields filled in. */
function complianceBody(values) {
  const compliance = {};
  if (values["compliance.workspaceId"].trim()) compliance.workspaceId = values["compliance.workspaceId"].trim();
  if (values["compliance.organizationId"].trim()) compliance.organizationId = values["compliance.organizationId"].trim();
  const types = values["compliance.eventTypes"].split(/[\s,]+/).filter(Boolean);
  if (types.length > 0) compliance.eventTypes = types;
  if (values.includeConversationMessages) compliance.includeConversationMessages = true;
  return compliance;
}

function showFieldError(dialog, error) {
  // Every field the API names gets its message (the first for each input); the first is focused.
  // An element ("families.1", "compliance.eventTypes.0") is shown at its field; "compliance" as a
  // whole (no workspace or organization id) at the workspace id.
  const inputOf = (field) => {
    const name = FORM_FIELDS.filter((f) => field === f || field.startsWith(`${f}.`)).sort((a, b) => b.length - a.length)[0];
    return name === "compliance" ? "compliance.workspaceId" : name;
  };
  const named = error instanceof ApiError ? error.details.map((d) => ({ ...d, at: inputOf(String(d.field ?? "")) })).filter((d) => d.at !== undefined) : [];
  if (named.length > 0) {
    dialog.errors = {};
    for (const d of named) dialog.errors[d.at] ??= d.message;
    dialog.formError = null;
    update();
    byId(`f-${named[0].at}`)?.focus();
  } else {
    dialog.errors = {};
    dialog.formError = message(error);
    update();
  }
}

async function submitForm(event) {
  event.preventDefault();
  const dialog = state.dialog;
  const { values, mode } = dialog;
  dialog.busy = true;
  dialog.errors = {};
  dialog.formError = null;
  update();
  try {
    if (mode === "add") {
      if (values.id === "") throw new ApiError(400, { error: { code: "InvalidCollectorId", message: "id is required: 1-64 characters of a-z, 0-9 and '-'", field: "id" } });
      // PUT creates or modifies: make sure "add" never silently modifies an existing collector.
      const existing = await api("GET", `collectors/${encodeURIComponent(values.id)}`).then(() => true, (e) => (e instanceof ApiError && e.status === 404 ? false : Promise.reject(e)));
      if (existing) throw new ApiError(409, { error: { code: "CollectorExists", message: `A collector with id "${values.id}" exists already: choose another id, or modify that one.`, field: "id" } });
    }
    const { status } = await api("PUT", `collectors/${encodeURIComponent(values.id)}`, formBody(values));
    closeDialog();
    say(status === 201 ? `Created collector “${values.friendlyName}”; it starts collecting now.` : `Saved “${values.friendlyName}”; a running collector applies it on its next cycle.`);
    await load();
  } catch (error) {
    dialog.busy = false;
    showFieldError(dialog, error);
  }
}

async function testUnsaved() {
  const dialog = state.dialog;
  dialog.test = { busy: true };
  dialog.errors = {};
  update();
  try {
    const v = dialog.values;
    const { body } = await api("POST", "connection-tests", { dataType: v.dataType, apiKeySecretName: v.apiKeySecretName, ...(v.dataType === "complianceLogs" ? { compliance: complianceBody(v) } : {}) });
    dialog.test = body;
  } catch (error) {
    dialog.test = null;
    showFieldError(dialog, error);
  }
  update();
}

async function testSaved(collector) {
  openDialog({ kind: "test", collector, result: null });
  const dialog = state.dialog;
  try {
    dialog.result = (await api("POST", `collectors/${encodeURIComponent(collector.id)}/test`)).body;
  } catch (error) {
    dialog.error = message(error);
  }
  update();
}

async function submitReset(event) {
  event.preventDefault();
  const dialog = state.dialog;
  dialog.busy = true;
  dialog.error = null;
  update();
  try {
    const startTime = fromUtcInput(dialog.startTime);
    await api("POST", `collectors/${encodeURIComponent(dialog.collector.id)}/reset`, startTime ? { startTime } : undefined);
    closeDialog();
    say(`Reset “${dialog.collector.friendlyName}”: collecting again from ${utc(startTime ?? dialog.collector.startTime)}.`);
    await load();
  } catch (error) {
    dialog.busy = false;
    dialog.error = message(error);
    dialog.fieldError = error instanceof ApiError && error.field === "startTime";
    update();
    byId("reset-startTime")?.focus();
  }
}

async function confirmDelete() {
  const dialog = state.dialog;
  dialog.busy = true;
  update();
  try {
    await api("DELETE", `collectors/${encodeURIComponent(dialog.collector.id)}`);
    returnFocus = byId("add-collector");
    closeDialog();
    say(`Deleted “${dialog.collector.friendlyName}”.`);
    await load();
  } catch (error) {
    dialog.busy = false;
    dialog.error = message(error);
    update();
  }
}

async function openDetails(collector, opener) {
  if (opener) returnFocus = opener;
  openDialog({ kind: "details", collector, full: null });
  const dialog = state.dialog;
  try {
    dialog.full = (await api("GET", `collectors/${encodeURIComponent(collector.id)}`)).body;
  } catch (error) {
    dialog.error = message(error);
  }
  update();
}

// One prompt at a time: calls that meet a 401 while it is open wait for the same answer.
let pendingKey = null;
function askForKey() {
  pendingKey ??= new Promise((resolve, reject) => {
    state.keyPrompt = { resolve, reject, value: "" };
    update();
  }).finally(() => { pendingKey = null; });
  return pendingKey;
}
onKeyNeeded(askForKey);

// ---------------------------------------------------------------- menu

function openMenu(collector, button) {
  if (state.menu?.collector.id === collector.id) return closeMenu();
  state.menu = { collector, button };
  returnFocus = button;
  update();
  const menu = byId("row-menu");
  if (!menu.matches(":popover-open")) menu.showPopover();
  const rect = button.getBoundingClientRect();
  menu.style.top = `${Math.min(rect.bottom + 4, window.innerHeight - menu.offsetHeight - 8)}px`;
  menu.style.left = `${Math.max(8, rect.right - menu.offsetWidth)}px`;
  menu.querySelector('[role="menuitem"]')?.focus();
}

function closeMenu(restoreFocus = true) {
  if (!state.menu) return;
  const { button } = state.menu;
  state.menu = null;
  const menu = byId("row-menu");
  if (menu.matches(":popover-open")) menu.hidePopover();
  update();
  if (restoreFocus && button.isConnected) button.focus();
}

function menuKeys(event) {
  const items = [...event.currentTarget.querySelectorAll('[role="menuitem"]')];
  const at = items.indexOf(document.activeElement);
  const go = (i) => { event.preventDefault(); items[(i + items.length) % items.length].focus(); };
  if (event.key === "ArrowDown") go(at + 1);
  else if (event.key === "ArrowUp") go(at - 1);
  else if (event.key === "Home") go(0);
  else if (event.key === "End") go(items.length - 1);
  else if (event.key === "Escape") { event.preventDefault(); closeMenu(); }
  else if (event.key === "Tab") closeMenu(false);
}

function menuView() {
  const c = state.menu?.collector;
  const item = (label, run) => html`<button type="button" role="menuitem" tabindex="-1" @click=${run}>${label}</button>`;
  return html`<div id="row-menu" role="menu" popover="manual" aria-label=${c ? `Actions for ${c.friendlyName}` : "Actions"} @keydown=${menuKeys}>
    ${c ? html`
      ${item("Modify…", () => openForm("modify", c))}
      ${item("Test connection", () => testSaved(c))}
      ${item("Start", () => simpleAction(c, "start"))}
      ${item("Stop", () => simpleAction(c, "stop"))}
      ${item("Reset…", () => openDialog({ kind: "reset", collector: c, startTime: toUtcInput(c.startTime), busy: false, error: null }))}
      ${item("Delete…", () => openDialog({ kind: "delete", collector: c, busy: false, error: null }))}
      ${item("Details", () => openDetails(c))}` : nothing}
  </div>`;
}

// ---------------------------------------------------------------- views

function sortBy(key) {
  state.sort = state.sort.key === key ? { key, dir: state.sort.dir === "ascending" ? "descending" : "ascending" } : { key, dir: "ascending" };
  update();
}

function errorCell(c) {
  if (!c.lastError) return "–";
  const text = c.lastError.message ?? "";
  return html`<span class="err-kind">${c.lastError.kind}</span>
    <span class="err-msg" title=${text}>${text.length > 90 ? `${text.slice(0, 90)}…` : text}</span>
    <button type="button" class="link" aria-label=${`Full error of ${c.friendlyName}`} @click=${(e) => openDetails(c, e.currentTarget)}>Details</button>`;
}

function row(c, now) {
  const [label, tone] = stateLabel(c.status);
  const time = (iso) => (iso ? html`<time datetime=${iso} title=${utc(iso)}>${relative(iso, now)}</time>` : "–");
  return html`<tr data-id=${c.id}>
    <th scope="row"><span class="name">${c.friendlyName}</span><span class="id">${c.id}</span></th>
    <td>${state.types[c.dataType]?.label ?? c.dataType}</td>
    <td class="url"><code>${c.url}</code></td>
    <td><span class="badge ${tone}">${label}</span></td>
    <td class="num">${typeof c.rowsIngested === "number" ? c.rowsIngested.toLocaleString("en-US") : "–"}</td>
    <td class="num">${duration(c.lag)}</td>
    <td>${time(c.lastSuccessAt)}</td>
    <td>${time(c.nextRunAt)}</td>
    <td class="error-cell">${errorCell(c)}</td>
    <td class="actions"><button type="button" class="menu-button" aria-haspopup="menu" aria-controls="row-menu"
      aria-expanded=${state.menu?.collector.id === c.id ? "true" : "false"} aria-label=${`Actions for ${c.friendlyName}`}
      @click=${(e) => openMenu(c, e.currentTarget)}><span aria-hidden="true">⋯</span></button></td>
  </tr>`;
}

function gridView() {
  const now = Date.now();
  const shown = sorted(filtered(state.collectors, state.filter, state.types), state.sort, state.types);
  const empty = !state.loaded ? "Loading…" : state.collectors.length === 0 ? "No collectors yet: add one." : "No collector matches the filter.";
  return html`
    <div class="toolbar">
      <button type="button" id="add-collector" class="primary" @click=${(e) => { returnFocus = e.currentTarget; openForm("add"); }}>Add collector</button>
      <label class="filter">Filter collectors
        <input type="search" id="filter" .value=${live(state.filter)} @input=${(e) => { state.filter = e.target.value; update(); }}></label>
      <label class="check"><input type="checkbox" id="auto-refresh" .checked=${state.autoRefresh} @change=${(e) => { state.autoRefresh = e.target.checked; update(); }}> Auto-refresh every ${REFRESH_MS / 1000} s</label>
      <button type="button" @click=${() => load()}>Refresh</button>
      <span class="updated">${state.updatedAt ? html`Updated <time datetime=${state.updatedAt}>${utc(state.updatedAt)}</time>` : nothing}</span>
    </div>
    <p class="notice" role="status">${state.notice}</p>
    ${state.loadError ? html`<p class="banner" role="alert">Could not load the collectors: ${state.loadError}</p>` : nothing}
    <div class="table-wrap">
      <table>
        <caption>Collectors <span class="count">(${shown.length} of ${state.collectors.length})</span></caption>
        <thead><tr>
          ${COLUMNS.map((col) => html`<th scope="col" aria-sort=${state.sort.key === col.key ? state.sort.dir : "none"}>
            <button type="button" class="sort" @click=${() => sortBy(col.key)}>${col.label}<span class="arrow" aria-hidden="true">${state.sort.key === col.key ? (state.sort.dir === "ascending" ? "▲" : "▼") : ""}</span></button></th>`)}
          <th scope="col"><span class="visually-hidden">Actions</span></th>
        </tr></thead>
        <tbody>
          ${shown.length === 0 ? html`<tr><td class="empty" colspan=${COLUMNS.length + 1}>${empty}</td></tr>` : repeat(shown, (c) => c.id, (c) => row(c, now))}
        </tbody>
      </table>
    </div>`;
}

function field(dialog, name, label, control, help, after = nothing) {
  const error = dialog.errors[name];
  return html`<div class="field ${error ? "invalid" : ""}">
    <label for=${`f-${name}`}>${label}</label>
    ${control(error ? "true" : "false", [help ? `f-${name}-help` : "", `f-${name}-error`].filter(Boolean).join(" "))}
    ${help ? html`<div class="help" id=${`f-${name}-help`}>${help}</div>` : nothing}
    <p class="error" id=${`f-${name}-error`} ?hidden=${!error}>${error ?? ""}</p>
    ${after}
  </div>`;
}

function testResultView(result) {
  if (!result) return nothing;
  if (result.busy) return html`<p>Testing…</p>`;
  return html`<div class="test-result ${result.ok ? "good" : "bad"}">
    <p><strong>${result.ok ? "Connection works" : `Connection failed (${result.outcome})`}</strong></p>
    <p>${result.message}</p>
    ${result.fix ? html`<p><strong>Fix:</strong> ${result.fix}</p>` : nothing}
  </div>`;
}

/** The controls of the fields only some data types take (usage: families and bucket width). */
function choicesView(dialog, choices, adding) {
  const v = dialog.values;
  const families = choices.families
    ? html`<div class="field ${dialog.errors.families ? "invalid" : ""}">
        <fieldset id="f-families" tabindex="-1" aria-describedby="f-families-help f-families-error">
          <legend>Usage families</legend>
          ${choices.families.map((f) => html`<label class="check"><input type="checkbox" name="families" value=${f} .checked=${live((v.families ?? choices.families).includes(f))}
            @change=${(e) => { const chosen = new Set(v.families ?? choices.families); if (e.target.checked) chosen.add(f); else chosen.delete(f); v.families = choices.families.filter((x) => chosen.has(x)); }}> ${f}</label>`)}
        </fieldset>
        <div class="help" id="f-families-help">One endpoint each (/organization/usage/&lt;family&gt;); a family added later is read from the start time.</div>
        <p class="error" id="f-families-error" ?hidden=${!dialog.errors.families}>${dialog.errors.families ?? ""}</p>
      </div>`
    : nothing;
  const widths = choices.bucketWidths
    ? field(dialog, "bucketWidth", "Bucket width", (invalid, describedBy) => html`<select id="f-bucketWidth" name="bucketWidth" ?disabled=${!adding} aria-invalid=${invalid} aria-describedby=${describedBy}
        .value=${live(v.bucketWidth || choices.bucketWidths[0])} @change=${(e) => { v.bucketWidth = e.target.value; }}>
        ${choices.bucketWidths.map((w) => html`<option value=${w}>${w}</option>`)}
      </select>`, adding ? "Time bucket of each row: 1m, 1h or 1d. It cannot change later." : "The bucket width cannot change.")
    : nothing;
  return html`${families}${widths}`;
}

function formView(dialog) {
  const v = dialog.values;
  const info = state.types[v.dataType];
  const input = (name, attrs = {}) => (invalid, describedBy) => html`<input id=${`f-${name}`} name=${name} type=${attrs.type ?? "text"}
    step=${attrs.step ?? nothing} inputmode=${attrs.inputmode ?? nothing} placeholder=${attrs.placeholder ?? nothing} autocomplete="off"
    ?readonly=${attrs.readonly ?? false} ?autofocus=${attrs.autofocus ?? false}
    aria-invalid=${invalid} aria-describedby=${describedBy} .value=${live(v[name])} @input=${(e) => { v[name] = e.target.value; }}>`;
  const typeHelp = info ? html`<p>${info.description}</p>
      <p>Needs ${info.keyRequirement}. ${info.key.howToGet}</p>
      ${info.prerequisite ? html`<p>Note: ${info.prerequisite}.</p>` : nothing}
      <p>Endpoint: <code>${info.url}</code> → table <code>${info.table}</code></p>` : nothing;
  const adding = dialog.mode === "add";
  return html`<form class="form" novalidate @submit=${submitForm}>
    <h2 id="dialog-title">${adding ? "Add collector" : `Modify “${dialog.values.friendlyName || dialog.values.id}”`}</h2>
    ${dialog.formError ? html`<p class="banner" role="alert">${dialog.formError}</p>` : nothing}
    ${field(dialog, "dataType", "Data type", (invalid, describedBy) => html`<select id="f-dataType" name="dataType" ?disabled=${!adding} ?autofocus=${adding}
        aria-invalid=${invalid} aria-describedby=${describedBy} .value=${live(v.dataType)} @change=${(e) => { v.dataType = e.target.value; dialog.test = null; update(); }}>
        ${state.typeList.map((t) => html`<option value=${t.dataType} ?selected=${t.dataType === v.dataType}>${t.label}</option>`)}
      </select>`, adding ? typeHelp : html`${typeHelp}<p>The data type of a collector cannot change.</p>`)}
    ${field(dialog, "id", "Collector id", input("id", { readonly: !adding }), adding ? "1–64 characters: a-z, 0-9 and -. It cannot change later." : "The id cannot change.")}
    ${field(dialog, "friendlyName", "Friendly name", input("friendlyName", { autofocus: !adding }))}
    ${v.dataType === "complianceLogs" ? complianceFields(dialog, input) : nothing}
    ${field(dialog, "apiKeySecretName", "Key Vault secret name", input("apiKeySecretName", { placeholder: { admin: "openai-admin-key", project: "openai-project-key", compliance: "chatgpt-compliance-key" }[info?.keyKind] ?? "" }),
      "The name of the Key Vault secret that holds the key — never the key itself.",
      html`<button type="button" class="secondary test-button" ?disabled=${dialog.test?.busy} @click=${testUnsaved}>Test connection</button>
        <div class="test-slot" role="status">${testResultView(dialog.test)}</div>`)}
    ${field(dialog, "pollIntervalSeconds", "Poll interval (seconds)", input("pollIntervalSeconds", { type: "number", inputmode: "numeric", placeholder: "300" }), "How often to look for new data; at least 60. Empty: 300.")}
    ${field(dialog, "startTime", "Start time (UTC)", input("startTime", { type: "datetime-local", step: "1" }),
      html`Collection starts here; read as UTC${v.startTime ? html` (<span class="utc">${utc(fromUtcInput(v.startTime))}</span>)` : nothing}. ${adding ? "Empty: 24 hours ago." : "A running collector keeps its cursor; reset uses this time."}`)}
    ${choicesView(dialog, info?.choices ?? {}, adding)}
    <div class="buttons">
      <button type="submit" class="primary" ?disabled=${dialog.busy}>${adding ? "Create collector" : "Save changes"}</button>
      <button type="button" @click=${closeDialog}>Cancel</button>
    </div>
  </form>`;
}

/** The fields of a ChatGPT compliance-logs collector: workspace, organization, event types, the conversation-message opt-in. */
function complianceFields(dialog, input) {
  const v = dialog.values;
  return html`${field(dialog, "compliance.workspaceId", "ChatGPT workspace id", input("compliance.workspaceId", { placeholder: "a UUID, from chatgpt.com/admin" }),
      "Sign-in, audit, app, Codex, agent and conversation logs are listed under the workspace.")}
    ${field(dialog, "compliance.organizationId", "API Platform organization id", input("compliance.organizationId", { placeholder: "org-…" }), "Hourly costs (COSTS) are listed under the organization. Give at least one of the two ids.")}
    ${field(dialog, "compliance.eventTypes", "Event types", input("compliance.eventTypes", { placeholder: "all by default" }), "Comma-separated, e.g. AUTH_LOG, AUDIT_LOG. Empty: every type whose id is given.")}
    <div class="field">
      <label class="check"><input type="checkbox" id="f-includeConversationMessages" aria-describedby="f-includeConversationMessages-help" .checked=${live(v.includeConversationMessages)}
        @change=${(e) => { v.includeConversationMessages = e.target.checked; }}> Also collect conversation messages</label>
      <div class="help" id="f-includeConversationMessages-help">CONVERSATION_MESSAGE holds what users wrote: it lands in ChatGPTComplianceLogs_CL. Off unless ticked.</div>
    </div>`;
}

function resetView(dialog) {
  const c = dialog.collector;
  return html`<form class="form" novalidate @submit=${submitReset}>
    <h2 id="dialog-title">Reset “${c.friendlyName}”</h2>
    <p class="warning" id="reset-warning">Reset forgets the cursor and collects again from the start time. Rows after it that were already ingested are ingested again, so Sentinel will hold them twice.</p>
    ${dialog.error && !dialog.fieldError ? html`<p class="banner" role="alert">${dialog.error}</p>` : nothing}
    <div class="field ${dialog.fieldError ? "invalid" : ""}">
      <label for="reset-startTime">Start time (UTC)</label>
      <input id="reset-startTime" type="datetime-local" step="1" autofocus aria-describedby="reset-warning reset-startTime-error" aria-invalid=${dialog.fieldError ? "true" : "false"}
        .value=${live(dialog.startTime)} @input=${(e) => { dialog.startTime = e.target.value; }}>
      <p class="error" id="reset-startTime-error" ?hidden=${!dialog.fieldError}>${dialog.fieldError ? dialog.error : ""}</p>
    </div>
    <div class="buttons">
      <button type="submit" class="danger" ?disabled=${dialog.busy}>Reset collector</button>
      <button type="button" @click=${closeDialog}>Cancel</button>
    </div>
  </form>`;
}

function deleteView(dialog) {
  const c = dialog.collector;
  return html`<h2 id="dialog-title">Delete “${c.friendlyName}”?</h2>
    <p>The collector <code>${c.id}</code> stops and its cursor and history are purged. Rows already in Sentinel stay.</p>
    ${dialog.error ? html`<p class="banner" role="alert">${dialog.error}</p>` : nothing}
    <div class="buttons">
      <button type="button" class="danger" ?disabled=${dialog.busy} @click=${confirmDelete}>Delete collector</button>
      <button type="button" autofocus @click=${closeDialog}>Cancel</button>
    </div>`;
}

function detailsView(dialog) {
  const c = dialog.full ?? dialog.collector;
  const error = c.lastError;
  return html`<h2 id="dialog-title">Details of “${c.friendlyName}”</h2>
    ${dialog.error ? html`<p class="banner" role="alert">${dialog.error}</p>` : nothing}
    <h3>Last error</h3>
    ${error ? html`<dl class="pairs"><dt>At</dt><dd>${utc(error.at)}</dd><dt>Kind</dt><dd>${error.kind}</dd></dl><pre class="full-error">${error.message}</pre>` : html`<p>None.</p>`}
    <h3>All fields</h3>
    ${dialog.full ? html`<dl class="pairs">${Object.entries(c).map(([k, value]) => html`<dt>${k}</dt><dd>${typeof value === "object" && value !== null ? html`<pre>${fieldText(value)}</pre>` : fieldText(value)}</dd>`)}</dl>` : html`<p>Loading…</p>`}
    <div class="buttons"><button type="button" autofocus @click=${closeDialog}>Close</button></div>`;
}

function testView(dialog) {
  return html`<h2 id="dialog-title">Connection test: “${dialog.collector.friendlyName}”</h2>
    <div role="status">${dialog.error ? html`<p class="banner">${dialog.error}</p>` : testResultView(dialog.result ?? { busy: true })}</div>
    <div class="buttons"><button type="button" autofocus @click=${closeDialog}>Close</button></div>`;
}

const DIALOGS = { form: formView, reset: resetView, delete: deleteView, details: detailsView, test: testView };

function keyView() {
  const prompt = state.keyPrompt;
  const finish = (key) => { state.keyPrompt = null; update(); if (key) prompt.resolve(key); else prompt.reject(new Error("No function key was given.")); };
  return html`<dialog id="key-dialog" aria-labelledby="key-title" @cancel=${(e) => { e.preventDefault(); finish(undefined); }}>
    ${prompt ? html`<form class="form" @submit=${(e) => { e.preventDefault(); finish(prompt.value.trim()); }}>
      <h2 id="key-title">Function key needed</h2>
      <p>The management API answered 401. Enter a function key of this app (Azure portal → the function app → App keys, or <code>az functionapp keys list</code>). The page keeps it for this browser tab only.</p>
      <div class="field"><label for="function-key">Function key</label>
        <input id="function-key" type="password" autocomplete="off" autofocus .value=${live(prompt.value)} @input=${(e) => { prompt.value = e.target.value; }}></div>
      <div class="buttons"><button type="submit" class="primary">Use key</button><button type="button" @click=${() => finish(undefined)}>Cancel</button></div>
    </form>` : nothing}
  </dialog>`;
}

function view() {
  const dialog = state.dialog;
  return html`
    ${gridView()}
    ${menuView()}
    <dialog id="dialog" aria-labelledby="dialog-title" @close=${() => { if (state.dialog) closeDialog(); }}>
      ${dialog ? DIALOGS[dialog.kind](dialog) : nothing}
    </dialog>
    ${keyView()}
    <footer><button type="button" class="link" @click=${() => { forgetKey(); say("The function key was forgotten for this tab."); }}>Forget function key</button></footer>`;
}

// Light dismiss for the menu: a click outside it closes it.
document.addEventListener("pointerdown", (event) => {
  if (state.menu && !byId("row-menu").contains(event.target) && event.target !== state.menu.button && !state.menu.button.contains(event.target)) closeMenu(false);
});

update();
void load().then(scheduleRefresh);
