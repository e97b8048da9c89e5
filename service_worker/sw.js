// Nära's service worker. Its scope is the whole site; /sw.js is served by webapp/pwa.
// Pages are always fetched from the network (they hold personal data and must be fresh);
// only the shell below is kept, so a phone without a connection gets a helpful page.
const VERSION = "__VERSION__";
const SHELL_CACHE = `nara-shell-${VERSION}`;
const OFFLINE_URL = "/offline";
const SHELL = [
  OFFLINE_URL,
  "/static/css/app.css",
  "/static/css/selfcare.css",
  "/static/js/app.js",
  "/static/js/offline.js",
  "/static/js/offline-page.js",
  "/static/js/passkeys.js",
  "/static/js/reminders.js",
  "/static/js/checkin.js",
  "/static/icons/icon-192.png",
  "/manifest.webmanifest",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  const outdated = (name) => name.startsWith("nara-shell-") && name !== SHELL_CACHE;
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter(outdated).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(request, event));
    return;
  }
  if (SHELL.includes(new URL(request.url).pathname)) {
    // Shell files: the network when it answers (fresh after a deploy), the cache when not.
    event.respondWith(fetch(request).catch(() => caches.match(request)));
  }
});

// --- Offline reading of the plan, for one person (the agreement area owns this part) ---
// Only when the patient has turned on "Spara planen i den här telefonen" (static/js/
// agreement.js creates her cache; its existence is the switch) are these pages kept:
// refreshed on every online visit, shown from the cache when the network is gone.
// A phone can be shared: the copy is kept under the person's opaque key (webapp/pwa/
// offline.py), and every page the server sends says whose it is. A page for anyone else, or
// for nobody (signed out), makes the device forget every other copy before it is shown.
// static/js/offline.js does the same from the page, for pages this worker did not serve.
const PLAN_CACHE_PREFIX = "nara-offline-plan:";
const PLAN_PAGES = ["/", "/overenskommelse/nar-jag-blir-samre"];
const KEY_HEADER = "Nara-Offline-Key";
const SIGNED_OUT = "signed-out";
const CHECKIN_PAGE = /^\/egenvard\/\d+\/logga$/;

// Whose page a response is: a key, "" for a signed-out visitor, null when it does not say
// (a redirect, or an error page from something in front of Nära).
function whose(response) {
  const value = response.headers.get(KEY_HEADER);
  if (value === null) return null;
  return value === SIGNED_OUT ? "" : value;
}

async function forgetCopiesNotOf(key) {
  const names = await caches.keys();
  const others = names.filter(
    (name) => name.startsWith(PLAN_CACHE_PREFIX) && name !== PLAN_CACHE_PREFIX + key,
  );
  await Promise.all(others.map((name) => caches.delete(name)));
}

// The copy of `path` kept for the last person this device saw online; none if it is not
// exactly one person's (forgetCopiesNotOf keeps it so).
async function keptCopy(path) {
  const kept = (await caches.keys()).filter((name) => name.startsWith(PLAN_CACHE_PREFIX));
  if (kept.length !== 1) return undefined;
  return caches.match(path, { cacheName: kept[0], ignoreVary: true });
}

async function navigate(request, event) {
  const url = new URL(request.url);
  const path = url.pathname;
  // The check-in page of a goal is kept with the plan (and only then): logging works offline.
  const isPlanPage = PLAN_PAGES.includes(path) || (CHECKIN_PAGE.test(path) && !url.search);
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return (isPlanPage && (await keptCopy(path))) || caches.match(OFFLINE_URL);
  }
  const key = whose(response);
  if (key === null) return response;
  await forgetCopiesNotOf(key); // before anything of this page is shown
  // The network is back: check-ins this person logged without it go now.
  if (key && response.ok) event.waitUntil(sendCheckIns(key).catch(() => undefined));
  // Signed-in pages carry no-store (webapp/security.py); redirects never replace a copy.
  const personal = (response.headers.get("Cache-Control") || "").includes("no-store");
  if (key && isPlanPage && response.ok && !response.redirected && personal) {
    const name = PLAN_CACHE_PREFIX + key;
    if (await caches.has(name)) {
      const cache = await caches.open(name);
      await cache.put(path, response.clone());
    }
  }
  return response;
}

// --- Reminders (Web Push) ---------------------------------------------------------------
// The server sends Declarative Web Push JSON (`"web_push": 8030`): Safari 18.4+ shows it by
// itself; here the same fields are shown in Chromium and Firefox. A tap opens `navigate`,
// only ever inside Nära, in a window already open when there is one.
const ICON = "/static/icons/icon-192.png";

function notificationOf(data) {
  let message = null;
  try {
    message = data ? data.json() : null;
  } catch (error) {
    message = null;
  }
  const fields = message && message.web_push === 8030 ? message.notification : null;
  if (!fields || !fields.title) return null;
  return fields;
}

function insideNara(url) {
  try {
    const target = new URL(url, self.location.origin);
    return target.origin === self.location.origin ? target.href : self.location.origin + "/";
  } catch (error) {
    return self.location.origin + "/";
  }
}

self.addEventListener("push", (event) => {
  // A push must show something (userVisibleOnly); one we cannot read says where to look.
  const fields = notificationOf(event.data) ?? {
    title: "Nära",
    body: "Du har en ny påminnelse i Nära.",
    navigate: "/paminnelser/senaste",
  };
  event.waitUntil(
    self.registration.showNotification(fields.title, {
      body: fields.body ?? "",
      tag: fields.tag,
      lang: fields.lang,
      dir: fields.dir ?? "auto",
      silent: fields.silent ?? false,
      icon: ICON,
      badge: ICON,
      data: { navigate: insideNara(fields.navigate ?? "/") },
    }),
  );
});

async function openOrFocus(url) {
  const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const ours = open.find((client) => new URL(client.url).origin === self.location.origin);
  if (ours) {
    // Bringing it to the front may be refused (the browser decides); opening the follow-up
    // in it is what matters.
    await ours.focus().catch(() => undefined);
    return ours.navigate(url);
  }
  return self.clients.openWindow(url);
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openOrFocus(insideNara(event.notification.data?.navigate ?? "/")));
});

// --- Check-ins made without internet (the check-ins area owns this part) -----------------
// static/js/checkin.js keeps them in IndexedDB with the UUID made on the phone, the person's
// opaque key and their CSRF token; they are sent here on Background Sync and after any page
// of that person loads, with the same rules as the page: an item is forgotten only once the
// server answered for it (saved, already saved, refused, goal archived), and what became of
// it is kept for the page to show. The names below must match static/js/checkin.js.
const CHECKIN_DB = "nara-checkins";
const CHECKIN_QUEUE = "queue";
const CHECKIN_OUTCOMES = "outcomes";
const CHECKIN_SYNC_TAG = "nara-checkins";
const CHECKIN_LOCK = "nara-checkins-send";
const CHECKIN_ANSWERED = new Set(["saved", "already_saved", "refused", "goal_archived"]);
const CHECKIN_FIELDS = ["client_uuid", "goal_id", "taken_at", "done", "value", "value2", "note"];

async function checkinStoreExists() {
  if (!self.indexedDB) return false;
  if (!indexedDB.databases) return true;
  return (await indexedDB.databases()).some((database) => database.name === CHECKIN_DB);
}

function checkinStore() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(CHECKIN_DB, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(CHECKIN_QUEUE, { keyPath: "client_uuid" });
      request.result.createObjectStore(CHECKIN_OUTCOMES, { keyPath: "client_uuid" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function checkinTransaction(db, names, mode, work) {
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(names, mode);
    const request = work(transaction);
    transaction.oncomplete = () => resolve(request ? request.result : undefined);
    transaction.onerror = () => reject(transaction.error);
  });
}

// Send the waiting check-ins of one person (`key`), or of everyone, each person's with their
// own token (a token of someone no longer signed in is refused, and their items wait).
async function sendCheckIns(key) {
  if (!(await checkinStoreExists())) return;
  let unanswered = 0;
  const work = async () => {
    const db = await checkinStore();
    try {
      const waiting = (
        await checkinTransaction(db, [CHECKIN_QUEUE], "readonly", (t) =>
          t.objectStore(CHECKIN_QUEUE).getAll(),
        )
      ).filter((item) => !key || item.key === key);
      const people = new Map();
      for (const item of waiting) {
        if (!people.has(item.key)) people.set(item.key, []);
        people.get(item.key).push(item);
      }
      for (const items of people.values()) {
        let answer = null;
        try {
          const response = await fetch("/egenvard/skicka", {
            method: "POST",
            credentials: "same-origin",
            headers: {
              "Content-Type": "application/json",
              "X-CSRFToken": items[items.length - 1].csrf || "",
              Accept: "application/json",
            },
            body: JSON.stringify({
              check_ins: items.map((item) => Object.fromEntries(CHECKIN_FIELDS.map((f) => [f, item[f]]))),
            }),
          });
          const json = (response.headers.get("Content-Type") || "").includes("json");
          answer = response.ok && !response.redirected && json ? await response.json() : null;
        } catch (error) {
          answer = null;
        }
        const results = answer && Array.isArray(answer.results) ? answer.results : [];
        unanswered += items.length - results.length;
        const byUuid = new Map(items.map((item) => [item.client_uuid, item]));
        await checkinTransaction(db, [CHECKIN_QUEUE, CHECKIN_OUTCOMES], "readwrite", (t) => {
          for (const result of results) {
            const item = byUuid.get(result.client_uuid);
            if (!item || !CHECKIN_ANSWERED.has(result.status)) continue;
            t.objectStore(CHECKIN_QUEUE).delete(item.client_uuid);
            t.objectStore(CHECKIN_OUTCOMES).put({
              ...item,
              status: result.status,
              message: result.message || "",
              flagged: result.flagged || null,
            });
          }
        });
      }
    } finally {
      db.close();
    }
    const open = await self.clients.matchAll({ type: "window" });
    for (const client of open) client.postMessage({ type: "nara-checkins" });
  };
  const locks = self.navigator && self.navigator.locks;
  await (locks ? locks.request(CHECKIN_LOCK, work) : work());
  // Background Sync tries again later when this fails (no network after all).
  if (unanswered > 0) throw new Error("check-ins still waiting");
}

self.addEventListener("sync", (event) => {
  if (event.tag === CHECKIN_SYNC_TAG) event.waitUntil(sendCheckIns(null));
});
