// The offline copy of the plan belongs to one person (see service_worker/sw.js): kept under
// the signed-in person's opaque key from <meta name="nara-offline-key">, and forgotten by
// any page that is not theirs. The service worker does this before it hands over a page;
// this is for pages it did not serve (the first visit, a hard reload).
export const PLAN_PAGES = ["/", "/overenskommelse/nar-jag-blir-samre"];
export const KEY_HEADER = "Nara-Offline-Key";
const PREFIX = "nara-offline-plan";

// The signed-in person's key; "" on a signed-out page.
export const offlineKey = () => document.querySelector('meta[name="nara-offline-key"]')?.content ?? "";

export const planCacheName = (key) => `${PREFIX}:${key}`;

// The fixed care contact's name and number, for the offline page's "Vem ringer jag?" even
// when the plan is not kept in the phone. The same person's only, like the plan's copy.
export const CALL_KEY = "nara-call";

export function rememberCall(key) {
  const card = document.querySelector("[data-offline-call-phone]");
  if (!key || !card) return;
  const { offlineCallName: name, offlineCallPhone: phone, offlineCallTel: tel } = card.dataset;
  localStorage.setItem(CALL_KEY, JSON.stringify({ key, name, phone, tel }));
}

export async function forgetCopiesNotOf(key) {
  try {
    if (JSON.parse(localStorage.getItem(CALL_KEY) || "{}").key !== key) localStorage.removeItem(CALL_KEY);
  } catch {
    localStorage.removeItem(CALL_KEY);
  }
  if ("caches" in window) {
    const names = await caches.keys();
    const others = names.filter((name) => name.startsWith(PREFIX) && (!key || name !== planCacheName(key)));
    await Promise.all(others.map((name) => caches.delete(name)));
  }
}
