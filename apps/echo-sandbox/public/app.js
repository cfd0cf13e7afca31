// Echo CRM sandbox sales page: vanilla JS against the /v1 API.
// The API key comes from the sign-in form (or a `#key=` fragment, which never
// reaches the server) and is kept in sessionStorage for this tab only.

const KEY_STORAGE = "echo-sandbox-api-key";
const REFRESH_MS = 5000;
const STATUS_LABELS = {
  inquiry: "Inquiry",
  tentative: "Tentative",
  contract_sent: "Contract sent",
  signed: "Signed",
  cancelled: "Cancelled",
  lost: "Lost",
};
const BEO_LABELS = {
  draft: "Draft",
  pending_approval: "Pending approval",
  approved: "Approved",
  cancelled: "Cancelled",
};

const $ = (id) => document.getElementById(id);
const state = { events: [], editing: null, timer: null };

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

async function api(method, path, body, ifMatch) {
  const headers = { authorization: `Bearer ${apiKey()}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (ifMatch !== undefined) headers["if-match"] = String(ifMatch);
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (response.status === 401) {
    signOut("Your API key was not accepted.");
    throw new ApiError(401, json);
  }
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

function say(message) {
  $("status").textContent = message;
}

// ---- sign-in -------------------------------------------------------------

function takeKeyFromFragment() {
  const match = /(?:^#|&)key=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(KEY_STORAGE, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
}

function showSignIn(message = "") {
  $("sign-in").hidden = false;
  $("workspace").hidden = true;
  $("sign-out").hidden = true;
  $("sign-in-error").textContent = message;
  $("api-key").focus();
}

async function showWorkspace() {
  $("sign-in").hidden = true;
  $("workspace").hidden = false;
  $("sign-out").hidden = false;
  await refresh();
  clearInterval(state.timer);
  state.timer = setInterval(() => {
    if (!document.hidden && !$("event-dialog").open) refresh().catch(() => {});
  }, REFRESH_MS);
}

function signOut(message) {
  sessionStorage.removeItem(KEY_STORAGE);
  clearInterval(state.timer);
  showSignIn(message);
}

$("sign-in-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const key = $("api-key").value.trim();
  if (!key) return;
  sessionStorage.setItem(KEY_STORAGE, key);
  try {
    await api("GET", "/v1/health");
    $("api-key").value = "";
    await showWorkspace();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) showSignIn(error.message);
  }
});
$("sign-out").addEventListener("click", () => signOut(""));

// ---- data ----------------------------------------------------------------

async function loadEvents() {
  const events = [];
  let cursor = null;
  do {
    const query = new URLSearchParams({ limit: "200" });
    if (cursor) query.set("cursor", cursor);
    const page = await api("GET", `/v1/events?${query}`);
    events.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor && events.length < 5000);
  return events;
}

async function refresh() {
  const [events, notifications] = await Promise.all([loadEvents(), api("GET", "/v1/notifications?limit=30")]);
  state.events = events;
  renderEvents();
  renderNotifications(notifications.data);
}

// ---- rendering -------------------------------------------------------------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("aria-") || key === "title") node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const money = (budget) =>
  new Intl.NumberFormat(undefined, { style: "currency", currency: budget.currency, maximumFractionDigits: 0 }).format(
    budget.totalBudget,
  );
const dateLabel = (event) =>
  new Date(`${event.eventDate}T00:00:00`).toLocaleDateString(undefined, {
    weekday: "short",
    month: "short",
    day: "numeric",
    year: "numeric",
  });
const timeLabel = (event) => `${event.eventTime}${event.endTime ? `–${event.endTime}` : ""}`;

function visibleEvents() {
  const filter = $("filter").value.trim().toLowerCase();
  const showDeleted = $("show-deleted").checked;
  return state.events
    .filter((e) => showDeleted || !e.deletedAt)
    .filter(
      (e) =>
        !filter ||
        [e.eventName, e.clientName, e.room, e.venue, e.salesRepName, e.id].some((v) =>
          v?.toLowerCase().includes(filter),
        ),
    )
    .sort((a, b) => `${a.eventDate} ${a.eventTime}`.localeCompare(`${b.eventDate} ${b.eventTime}`));
}

function renderEvents() {
  const rows = visibleEvents().map((event) => {
    const deleted = Boolean(event.deletedAt);
    const actions = el("div", { class: "row-actions" });
    // Fixed order so Edit and Delete stay in place; Sign contract comes last when it applies.
    if (!deleted) {
      actions.append(
        el(
          "button",
          {
            type: "button",
            class: "button button-small",
            "aria-label": `Edit ${event.eventName}`,
            onclick: () => openDialog(event),
          },
          "Edit",
        ),
        el(
          "button",
          {
            type: "button",
            class: "button button-small button-danger",
            "aria-label": `Delete ${event.eventName}`,
            onclick: () => removeEvent(event),
          },
          "Delete",
        ),
      );
      if (
        event.contractStatus !== "signed" &&
        event.contractStatus !== "cancelled" &&
        event.contractStatus !== "lost"
      ) {
        actions.append(
          el(
            "button",
            {
              type: "button",
              class: "button button-small button-primary",
              "aria-label": `Sign contract for ${event.eventName}`,
              onclick: () => signContract(event),
            },
            "Sign contract",
          ),
        );
      }
    }
    const guests = el(
      "td",
      { class: "num" },
      el("div", { class: "strong" }, String(event.guestCount.guaranteed)),
      event.guestCount.expected !== undefined
        ? el("div", { class: "muted small" }, `of ${event.guestCount.expected} expected`)
        : null,
    );
    return el(
      "tr",
      { class: deleted ? "deleted" : "" },
      el(
        "td",
        {},
        el("div", { class: "event-name" }, event.eventName),
        el("div", { class: "muted small" }, [event.clientName, event.salesRepName].filter(Boolean).join(" · ")),
      ),
      el(
        "td",
        { class: "nowrap" },
        el("div", {}, dateLabel(event)),
        el("div", { class: "muted small" }, timeLabel(event)),
      ),
      el("td", {}, el("div", {}, event.room), el("div", { class: "muted small" }, event.venue || "")),
      guests,
      el("td", { class: "num" }, money(event.budget)),
      el(
        "td",
        {},
        el(
          "div",
          { class: "statuses" },
          deleted
            ? el("span", { class: "badge badge-deleted" }, "Deleted")
            : el("span", { class: `badge badge-${event.contractStatus}` }, STATUS_LABELS[event.contractStatus]),
          event.beoStatus
            ? el(
                "span",
                { class: `badge badge-beo-${event.beoStatus}` },
                `BEO ${BEO_LABELS[event.beoStatus].toLowerCase()}`,
              )
            : null,
        ),
      ),
      el("td", {}, actions),
    );
  });
  $("events-body").replaceChildren(...rows);
  $("empty").hidden = rows.length > 0;
}

function renderNotifications(notifications) {
  const items = notifications.map((n) =>
    el(
      "li",
      { class: `notification notification-${n.kind}` },
      el("p", {}, n.message),
      el("time", { dateTime: n.createdAt, class: "muted small" }, new Date(n.createdAt).toLocaleString()),
    ),
  );
  $("notifications-list").replaceChildren(...items);
  $("notifications-empty").hidden = items.length > 0;
}

// ---- actions ---------------------------------------------------------------

const FIELDS = [
  "eventName",
  "eventDate",
  "eventTime",
  "endTime",
  "venue",
  "room",
  "clientName",
  "clientEmail",
  "clientPhone",
  "salesRepName",
  "contractStatus",
  "specialRequests",
];

function openDialog(event) {
  state.editing = event ?? null;
  $("event-dialog-title").textContent = event ? `Edit ${event.eventName}` : "New event";
  $("form-error").textContent = "";
  const form = $("event-form");
  form.reset();
  if (event) {
    for (const name of FIELDS) form.elements[name].value = event[name] ?? "";
    form.elements.expected.value = event.guestCount.expected ?? "";
    form.elements.guaranteed.value = event.guestCount.guaranteed;
    form.elements.totalBudget.value = event.budget.totalBudget;
    form.elements.currency.value = event.budget.currency;
  } else {
    form.elements.contractStatus.value = "inquiry";
  }
  $("event-dialog").showModal();
  form.elements.eventName.focus();
}

function readForm() {
  const form = $("event-form");
  const value = (name) => form.elements[name].value.trim();
  const number = (name) => (value(name) === "" ? undefined : Number(value(name)));
  const optional = (name) => (value(name) === "" ? (state.editing ? null : undefined) : value(name));
  const body = {
    eventName: value("eventName"),
    eventDate: value("eventDate"),
    eventTime: value("eventTime"),
    endTime: optional("endTime"),
    venue: value("venue"),
    room: value("room"),
    guestCount: {
      guaranteed: number("guaranteed") ?? 0,
      expected: number("expected") ?? (state.editing ? null : undefined),
    },
    budget: { totalBudget: number("totalBudget") ?? 0, currency: (value("currency") || "USD").toUpperCase() },
    clientName: value("clientName"),
    clientEmail: optional("clientEmail"),
    clientPhone: optional("clientPhone"),
    salesRepName: value("salesRepName"),
    contractStatus: value("contractStatus"),
    specialRequests: form.elements.specialRequests.value,
  };
  return JSON.parse(JSON.stringify(body)); // drops undefined
}

$("new-event").addEventListener("click", () => openDialog(null));
$("cancel-event").addEventListener("click", () => $("event-dialog").close());

$("event-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = $("event-form");
  if (!form.checkValidity()) {
    form.reportValidity();
    return;
  }
  const body = readForm();
  try {
    const saved = state.editing
      ? await api("PATCH", `/v1/events/${encodeURIComponent(state.editing.id)}`, body, state.editing.version)
      : await api("POST", "/v1/events", body);
    $("event-dialog").close();
    say(`${state.editing ? "Saved" : "Created"} “${saved.eventName}”.`);
    await refresh();
  } catch (error) {
    $("form-error").textContent = describe(error);
  }
});

async function signContract(event) {
  try {
    const signed = await api(
      "POST",
      `/v1/events/${encodeURIComponent(event.id)}/contract/sign`,
      undefined,
      event.version,
    );
    say(`Contract signed for “${signed.eventName}”.`);
  } catch (error) {
    say(describe(error));
  }
  await refresh();
}

async function removeEvent(event) {
  if (!confirm(`Delete “${event.eventName}”? Banquet operations will see it as cancelled.`)) return;
  try {
    await api("DELETE", `/v1/events/${encodeURIComponent(event.id)}`, undefined, event.version);
    say(`Deleted “${event.eventName}”.`);
  } catch (error) {
    say(describe(error));
  }
  await refresh();
}

function describe(error) {
  if (error instanceof ApiError && error.status === 412)
    return "This event was changed by someone else meanwhile. The list has been reloaded; please try again.";
  if (error instanceof ApiError && Array.isArray(error.body?.error?.details)) {
    return `${error.message}: ${error.body.error.details.map((d) => `${d.path || "body"} ${d.message}`).join("; ")}`;
  }
  return error.message;
}

$("filter").addEventListener("input", renderEvents);
$("show-deleted").addEventListener("change", renderEvents);

// ---- start -----------------------------------------------------------------

takeKeyFromFragment();
if (apiKey()) showWorkspace().catch((error) => showSignIn(error.message));
else showSignIn();
