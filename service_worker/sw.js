// Nära's service worker. Its scope is the whole site; /sw.js is served by webapp/pwa.
// Pages are always fetched from the network (they hold personal data and must be fresh);
// only the shell below is kept, so a phone without a connection gets a helpful page.
const VERSION = "__VERSION__";
const SHELL_CACHE = `nara-shell-${VERSION}`;
const OFFLINE_URL = "/offline";
const SHELL = [
  OFFLINE_URL,
  "/static/css/app.css",
  "/static/js/app.js",
  "/static/js/passkeys.js",
  "/static/icons/icon-192.png",
  "/manifest.webmanifest",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("nara-shell-") && k !== SHELL_CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (PLAN_PAGES.includes(new URL(request.url).pathname)) {
      event.respondWith(planPageNavigate(request));
      return;
    }
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
    return;
  }
  if (SHELL.includes(new URL(request.url).pathname)) {
    // Shell files: the network when it answers (fresh after a deploy), the cache when not.
    event.respondWith(fetch(request).catch(() => caches.match(request)));
  }
});

// --- Offline reading of the plan (the agreement area owns this part) ---
// Only when the patient has turned on "Spara planen i den här telefonen" (static/js/
// agreement.js creates the cache below; its existence is the switch) are these pages kept:
// refreshed on every online visit, shown from the cache when the network is gone.
const PLAN_CACHE = "nara-offline-plan";
const PLAN_PAGES = ["/", "/overenskommelse/nar-jag-blir-samre"];

async function planPageNavigate(request) {
  const key = new URL(request.url).pathname;
  const kept = await caches.has(PLAN_CACHE);
  try {
    const response = await fetch(request);
    // Signed-in pages carry no-store (webapp/security.py); the signed-out welcome page and
    // redirects must never replace the patient's copy.
    const personal = (response.headers.get("Cache-Control") || "").includes("no-store");
    if (kept && response.ok && !response.redirected && personal) {
      const cache = await caches.open(PLAN_CACHE);
      await cache.put(key, response.clone());
    }
    return response;
  } catch (error) {
    const copy = kept ? await caches.match(key, { cacheName: PLAN_CACHE, ignoreVary: true }) : undefined;
    return copy || caches.match(OFFLINE_URL);
  }
}
