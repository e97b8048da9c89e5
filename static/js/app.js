// Registers the service worker and loads passkey buttons where a page has them.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
    // Without a service worker the app still works online; nothing to tell the user.
  });
}
if (document.querySelector("[data-passkey]")) {
  import("./passkeys.js");
}
