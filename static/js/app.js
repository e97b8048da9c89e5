// Registers the service worker and loads passkey buttons where a page has them.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
    // Without a service worker the app still works online; nothing to tell the user.
  });
}
if (document.querySelector("[data-passkey]")) {
  // The passkey buttons stay disabled until passkeys.js has attached its handlers. Should it
  // not arrive (no connection), say so rather than leave a button that never wakes up.
  import("./passkeys.js").catch(() => {
    const message = document.getElementById("passkey-message");
    const network = document.getElementById("passkey-texts")?.dataset.network;
    if (message && network) message.textContent = network;
  });
}
