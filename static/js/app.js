// Registers the service worker, keeps only the signed-in person's offline copy of the plan,
// and loads passkey buttons where a page has them.
import { forgetCopiesNotOf, offlineKey, rememberCall } from "./offline.js";

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
    // Without a service worker the app still works online; nothing to tell the user.
  });
}
forgetCopiesNotOf(offlineKey())
  .then(() => rememberCall(offlineKey()))
  .catch(() => {
    // Storage the browser will not open (a private window) holds no copy either.
  });
if (document.querySelector("[data-passkey]")) {
  // The passkey buttons stay disabled until passkeys.js has attached its handlers. Should it
  // not arrive (no connection), say so rather than leave a button that never wakes up.
  import("./passkeys.js").catch(() => {
    const message = document.getElementById("passkey-message");
    const network = document.getElementById("passkey-texts")?.dataset.network;
    if (message && network) message.textContent = network;
  });
}
if (document.getElementById("this-device")) {
  import("./reminders.js").catch(() => {
    const message = document.getElementById("reminder-message");
    const network = document.getElementById("reminder-texts")?.dataset.network;
    if (message && network) message.textContent = network;
  });
}
