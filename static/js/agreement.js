// The print button, and the per-device switch "Spara planen i den här telefonen".
// Turning it on stores the plan and the "när jag blir sämre" page in a cache of their own,
// which the service worker then keeps fresh and shows when the phone is offline.
// Turning it off deletes that cache. Signing out clears it too (Clear-Site-Data).
const PLAN_CACHE = "nara-offline-plan";
const PLAN_PAGES = ["/", "/overenskommelse/nar-jag-blir-samre"];
const FLAG = "nara-offline-plan";

for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

const section = document.querySelector("[data-offline]");
if (section && "caches" in window && "serviceWorker" in navigator) {
  const toggle = section.querySelector("[data-offline-toggle]");
  const status = section.querySelector("[data-offline-status]");
  const show = (on, failed = false) => {
    toggle.textContent = on ? toggle.dataset.off : toggle.dataset.on;
    status.textContent = failed ? status.dataset.failed : on ? status.dataset.on : status.dataset.off;
    section.dataset.state = on ? "on" : "off";
  };
  const isOn = async () => localStorage.getItem(FLAG) === "1" && (await caches.has(PLAN_CACHE));

  toggle.addEventListener("click", async () => {
    toggle.disabled = true;
    try {
      if (await isOn()) {
        localStorage.removeItem(FLAG);
        await caches.delete(PLAN_CACHE);
        show(false);
      } else {
        const cache = await caches.open(PLAN_CACHE);
        await cache.addAll(PLAN_PAGES);
        localStorage.setItem(FLAG, "1");
        show(true);
      }
    } catch {
      await caches.delete(PLAN_CACHE);
      localStorage.removeItem(FLAG);
      show(false, true);
    } finally {
      toggle.disabled = false;
    }
  });

  isOn().then((on) => {
    if (!on) {
      // A flag without its cache (or the reverse) is left over: tidy it away.
      localStorage.removeItem(FLAG);
      caches.delete(PLAN_CACHE);
    }
    show(on);
    section.hidden = false;
  });
}
