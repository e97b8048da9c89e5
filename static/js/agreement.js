// The print button, and the per-device switch "Spara planen i den här telefonen".
// Turning it on stores the plan and the "när jag blir sämre" page in a cache of the signed-in
// person's own (static/js/offline.js), which the service worker then keeps fresh and shows
// when the phone is offline. Turning it off deletes that cache. Signing out clears it too
// (Clear-Site-Data), and a page for anyone else makes the device forget it.
import { KEY_HEADER, PLAN_PAGES, forgetCopiesNotOf, offlineKey, planCacheName } from "./offline.js";

for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

const section = document.querySelector("[data-offline]");
const key = offlineKey();
if (section && key && "caches" in window && "serviceWorker" in navigator) {
  const toggle = section.querySelector("[data-offline-toggle]");
  const status = section.querySelector("[data-offline-status]");
  const cacheName = planCacheName(key);
  const show = (on, failed = false) => {
    toggle.textContent = on ? toggle.dataset.off : toggle.dataset.on;
    status.textContent = failed ? status.dataset.failed : on ? status.dataset.on : status.dataset.off;
    section.dataset.state = on ? "on" : "off";
  };

  // Only pages the server says are this person's go into this person's copy.
  const keep = async () => {
    const cache = await caches.open(cacheName);
    for (const path of PLAN_PAGES) {
      const response = await fetch(path, { credentials: "same-origin" });
      if (!response.ok || response.redirected || response.headers.get(KEY_HEADER) !== key) {
        throw new Error(`not this person's page: ${path}`);
      }
      await cache.put(path, response);
    }
  };

  toggle.addEventListener("click", async () => {
    toggle.disabled = true;
    try {
      if (await caches.has(cacheName)) {
        await caches.delete(cacheName);
        show(false);
      } else {
        await keep();
        show(true);
      }
    } catch {
      await caches.delete(cacheName);
      show(false, true);
    } finally {
      toggle.disabled = false;
    }
  });

  forgetCopiesNotOf(key)
    .catch(() => {})
    .then(() => caches.has(cacheName))
    .then((on) => {
      show(on);
      section.hidden = false;
    });
}
