// Check-ins (/egenvard/<goal>/logga): the on-screen keypad, and logging without internet.
// Without a network a check-in is kept in this phone (IndexedDB) with the UUID made here, shown
// as "Väntar på att skickas", and sent to /egenvard/skicka when the network returns (the
// "online" event, Background Sync through the service worker, or the next page opened). An
// item is forgotten only once the server has answered for it, so a lost answer means the same
// UUID is sent again, and the server saves it once. The service worker (service_worker/sw.js)
// sends from the same store with the same rules; its copy of the store's names must match.
// The texts are in the page (translated with everything else); this only picks which shows.
const DB_NAME = "nara-checkins";
const QUEUE = "queue";
const OUTCOMES = "outcomes";
const SYNC_TAG = "nara-checkins";
const LOCK = "nara-checkins-send";
const SYNC_URL = "/egenvard/skicka";
const ANSWERED = new Set(["saved", "already_saved", "refused", "goal_archived"]);

const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content ?? "";
// The queue belongs to one person: a shared phone shows and sends only the signed-in one's.
const personKey = () => meta("nara-offline-key");

// --- the store ---------------------------------------------------------------------------

function openStore() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(QUEUE, { keyPath: "client_uuid" });
      request.result.createObjectStore(OUTCOMES, { keyPath: "client_uuid" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// One transaction over `names`; `work(stores)` may return an IDBRequest whose result is given.
async function inStore(names, mode, work) {
  const db = await openStore();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(names, mode);
      const stores = Object.fromEntries(names.map((name) => [name, transaction.objectStore(name)]));
      const request = work(stores);
      transaction.oncomplete = () => resolve(request ? request.result : undefined);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

const allOf = async (name) =>
  ((await inStore([name], "readonly", (s) => s[name].getAll())) ?? []).filter(
    (item) => item.key === personKey(),
  );

// --- the page ----------------------------------------------------------------------------

const section = document.getElementById("checkin-queue");
const texts = section?.dataset ?? {};
const form = document.querySelector("[data-checkin-form]");

function newUuid() {
  const field = form?.querySelector("[data-client-uuid]");
  if (field && crypto.randomUUID) field.value = crypto.randomUUID();
}

function whenWords(iso) {
  const lang = document.documentElement.lang || "sv";
  return new Date(iso).toLocaleString(lang === "en" ? "en-GB" : "sv-SE", {
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
  });
}

function line(item, state, detail) {
  const li = document.createElement("li");
  li.className = "ci-queue-item";
  const what = document.createElement("p");
  const strong = document.createElement("strong");
  strong.textContent = `${item.goal_title}: ${item.label}`;
  what.append(strong, `, ${whenWords(item.taken_at)}`);
  const status = document.createElement("p");
  status.className = "ci-queue-state";
  status.textContent = state;
  li.append(what, status);
  if (detail) li.append(detail);
  return li;
}

function outcomeDetail(outcome) {
  if (outcome.flagged) {
    const box = document.createElement("div");
    // What to do now first, then why, as on the page a check-in made online opens.
    for (const words of [outcome.flagged.advice, outcome.flagged.reason]) {
      if (!words) continue;
      const p = document.createElement("p");
      p.className = "ci-advice";
      p.textContent = words;
      box.append(p);
    }
    const link = document.createElement("a");
    link.href = outcome.flagged.url;
    link.textContent = texts.flagged;
    const p = document.createElement("p");
    p.append(link);
    box.append(p);
    return box;
  }
  if (outcome.message) {
    const p = document.createElement("p");
    p.className = "error-message";
    p.textContent = outcome.message;
    return p;
  }
  return null;
}

const STATE_WORDS = {
  saved: () => texts.saved,
  already_saved: () => texts.already,
  goal_archived: () => texts.archived,
  refused: () => texts.refused,
};

async function render(statusText) {
  if (!section) return;
  const [waiting, outcomes] = await Promise.all([allOf(QUEUE), allOf(OUTCOMES)]);
  const list = section.querySelector("[data-queue-list]");
  list.replaceChildren(
    ...waiting.map((item) => line(item, texts.waiting, null)),
    ...outcomes.map((item) => line(item, STATE_WORDS[item.status](), outcomeDetail(item))),
  );
  section.querySelector("[data-queue-seen]").hidden = outcomes.length === 0;
  section.hidden = waiting.length + outcomes.length === 0;
  if (statusText !== undefined) section.querySelector("[data-queue-status]").textContent = statusText;
}

// --- sending -----------------------------------------------------------------------------

const withLock = (work) =>
  navigator.locks ? navigator.locks.request(LOCK, work) : work();

const FIELDS = ["client_uuid", "goal_id", "taken_at", "done", "value", "value2", "note"];

async function send() {
  if (!navigator.onLine || !("indexedDB" in window)) return;
  await withLock(async () => {
    const waiting = await allOf(QUEUE);
    if (waiting.length === 0) return;
    await render(texts.sending);
    let answer;
    try {
      const response = await fetch(SYNC_URL, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": meta("csrf-token"), Accept: "application/json" },
        body: JSON.stringify({
          check_ins: waiting.map((item) => Object.fromEntries(FIELDS.map((f) => [f, item[f]]))),
        }),
      });
      const json = response.headers.get("Content-Type")?.includes("json");
      answer = response.ok && !response.redirected && json ? await response.json() : null;
    } catch (error) {
      answer = null; // no network after all: everything waits for the next chance
    }
    const results = Array.isArray(answer?.results) ? answer.results : [];
    const byUuid = new Map(waiting.map((item) => [item.client_uuid, item]));
    await inStore([QUEUE, OUTCOMES], "readwrite", (s) => {
      for (const result of results) {
        const item = byUuid.get(result.client_uuid);
        if (!item || !ANSWERED.has(result.status)) continue;
        s[QUEUE].delete(item.client_uuid);
        s[OUTCOMES].put({ ...item, status: result.status, message: result.message ?? "", flagged: result.flagged ?? null });
      }
    });
  });
  await render("");
}

async function keep(item) {
  await inStore([QUEUE], "readwrite", (s) => s[QUEUE].put(item));
  try {
    const registration = await navigator.serviceWorker?.ready;
    await registration?.sync?.register(SYNC_TAG);
  } catch (error) {
    // No Background Sync here: the "online" event or the next page opened sends it.
  }
}

// --- the form ----------------------------------------------------------------------------

function labelOf(data, submitter) {
  const set = form.dataset;
  if (set.measure === "done") return submitter?.value === "yes" ? set.doneWords : set.notDoneWords;
  if (set.scaleTemplate) return set.scaleTemplate.replace("{}", data.get("value"));
  if (set.measure === "blood_pressure") return `${data.get("value")}/${data.get("value2")} mmHg`;
  return `${data.get("value")} ${set.unitWords}`.trim();
}

function takenAt(data) {
  const day = data.get("day") || "";
  const time = data.get("time") || "";
  if (!day && !time) return new Date().toISOString();
  const today = new Date();
  const [year, month, date] = day
    ? day.split("-").map(Number)
    : [today.getFullYear(), today.getMonth() + 1, today.getDate()];
  const [hours, minutes] = (time || "12:00").split(":").map(Number);
  const moment = new Date(year, month - 1, date, hours, minutes);
  return Number.isNaN(moment.getTime()) ? new Date().toISOString() : moment.toISOString();
}

function keepOffline(event) {
  if (navigator.onLine || !("indexedDB" in window)) return; // online: the form posts as usual
  event.preventDefault();
  const submitter = event.submitter;
  const data = new FormData(form, submitter?.name ? submitter : undefined);
  const done = data.get("done");
  const item = {
    client_uuid: data.get("client_uuid"),
    goal_id: Number(form.dataset.goalId),
    goal_title: form.dataset.goalTitle,
    taken_at: takenAt(data),
    done: done === "yes" ? true : done === "no" ? false : null,
    value: data.get("value") ?? "",
    value2: data.get("value2") ?? "",
    note: data.get("note") ?? "",
    label: labelOf(data, submitter),
    key: personKey(),
    csrf: meta("csrf-token"), // for the service worker, which has no page to read it from
  };
  keep(item)
    .then(() => {
      form.reset();
      newUuid();
      return render(texts.kept);
    })
    .then(() => section.querySelector("[data-queue-status]").focus?.());
}

function keypad() {
  const pad = document.querySelector("[data-keypad]");
  const targets = [...document.querySelectorAll("[data-keypad-target]")];
  if (!pad || targets.length === 0) return;
  let active = targets[0];
  for (const input of targets) input.addEventListener("focus", () => (active = input));
  pad.addEventListener("click", (event) => {
    const key = event.target.closest("[data-key]")?.dataset.key;
    if (!key) return;
    active.value = key === "erase" ? active.value.slice(0, -1) : active.value + key;
    active.dispatchEvent(new Event("input", { bubbles: true }));
  });
  pad.hidden = false;
}

if (form) {
  newUuid();
  form.addEventListener("submit", keepOffline);
}
keypad();
section?.querySelector("[data-queue-status]")?.setAttribute("tabindex", "-1");
section?.querySelector("[data-queue-seen]")?.addEventListener("click", async () => {
  const seen = await allOf(OUTCOMES);
  await inStore([OUTCOMES], "readwrite", (s) => seen.forEach((item) => s[OUTCOMES].delete(item.client_uuid)));
  await render("");
});
window.addEventListener("online", () => send().catch(() => undefined));
navigator.serviceWorker?.addEventListener("message", (event) => {
  if (event.data?.type === "nara-checkins") render("").catch(() => undefined);
});
if ("indexedDB" in window) {
  render().then(send).catch(() => {
    // Storage the browser will not open (a private window): nothing was kept here either.
  });
}
