// "Den här telefonen" on /paminnelser/: shows what this browser can do, asks for permission
// only when the person presses the button, and gives the server the browser's subscription.
// The texts are in the page (translated with everything else); this only picks which shows.
const section = document.getElementById("this-device");
const texts = document.getElementById("reminder-texts")?.dataset ?? {};
const messageBox = document.getElementById("reminder-message");
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

const toBytes = (value) => {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
};

function show(state) {
  for (const part of section.querySelectorAll("[data-when]")) {
    part.hidden = part.dataset.when !== state;
  }
}

function isIOS() {
  return (
    /iPad|iPhone|iPod/.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1)
  );
}

function isStandalone() {
  return window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
}

function guessName() {
  const agent = navigator.userAgent;
  if (/iPhone/.test(agent)) return "iPhone";
  if (/iPad/.test(agent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1)) {
    return "iPad";
  }
  if (/Android/.test(agent)) return /Mobile/.test(agent) ? "Android-telefon" : "Android-platta";
  if (/Macintosh/.test(agent)) return "Mac";
  if (/Windows/.test(agent)) return "Windows-dator";
  return "Min telefon";
}

async function endpointHash(endpoint) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(endpoint));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function sameKey(subscription, key) {
  const theirs = subscription.options?.applicationServerKey;
  if (!theirs) return true; // the browser does not say: assume it is ours
  const a = new Uint8Array(theirs);
  return a.length === key.length && a.every((byte, i) => byte === key[i]);
}

// Which of the listed devices is this one: marked "(den här)", and its remove button also
// ends the browser's subscription.
async function markThisDevice(subscription) {
  if (!subscription) return false;
  const hash = await endpointHash(subscription.endpoint);
  const card = document.querySelector(`[data-endpoint-hash="${hash}"]`);
  if (!card) return false;
  card.querySelector(".this-device").hidden = false;
  card.querySelector("[data-remove-device]")?.addEventListener("submit", (event) => {
    event.preventDefault();
    subscription.unsubscribe().finally(() => event.target.submit());
  });
  return true;
}

async function subscribe(registration, key) {
  const button = section.querySelector('[data-reminders="subscribe"]');
  button.disabled = true;
  messageBox.textContent = texts.working;
  try {
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      messageBox.textContent = "";
      show("denied");
      return;
    }
    let subscription = await registration.pushManager.getSubscription();
    if (subscription && !sameKey(subscription, key)) {
      await subscription.unsubscribe(); // made for another key: it would refuse our messages
      subscription = null;
    }
    subscription ??= await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: key,
    });
    const response = await fetch(section.dataset.addUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify({
        subscription: subscription.toJSON(),
        name: document.getElementById("device-name").value,
      }),
    });
    if (response.ok) {
      window.location.assign(section.dataset.doneUrl);
      return;
    }
    const answer = await response.json().catch(() => ({}));
    messageBox.textContent = answer.error || texts.failed;
  } catch (error) {
    messageBox.textContent = error instanceof TypeError ? texts.network : texts.failed;
  }
  button.disabled = false;
}

async function start() {
  const supported =
    "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  if (!supported) {
    show(isIOS() ? (isStandalone() ? "ios-update" : "ios-install") : "unsupported");
    return;
  }
  if (Notification.permission === "denied") {
    show("denied");
    return;
  }
  const registration = await navigator.serviceWorker.ready;
  const key = toBytes(section.dataset.vapidKey);
  const subscription = await registration.pushManager.getSubscription();
  if (Notification.permission === "granted" && (await markThisDevice(subscription))) {
    show("on");
    return;
  }
  const name = document.getElementById("device-name");
  if (!name.value) name.value = guessName();
  show("off");
  const button = section.querySelector('[data-reminders="subscribe"]');
  button.addEventListener("click", () => subscribe(registration, key));
  button.disabled = false;
}

start().catch(() => {
  messageBox.textContent = texts.failed;
});
