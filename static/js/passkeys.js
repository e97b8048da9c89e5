// The browser's half of the passkey ceremonies. The server decides; this only carries messages.
const texts = document.getElementById("passkey-texts")?.dataset ?? {};
const messageBox = document.getElementById("passkey-message");
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

// An error whose message is written for the user (the server's or one of ours).
class Said extends Error {}

const toBytes = (value) => {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
};
const toBase64url = (buffer) => {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) {
    return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: toBytes(json.challenge),
    user: { ...json.user, id: toBytes(json.user.id) },
    excludeCredentials: (json.excludeCredentials ?? []).map((c) => ({ ...c, id: toBytes(c.id) })),
  };
}

function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) {
    return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: toBytes(json.challenge),
    allowCredentials: (json.allowCredentials ?? []).map((c) => ({ ...c, id: toBytes(c.id) })),
  };
}

function credentialJSON(credential) {
  const response = credential.response;
  const json = {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    response: { clientDataJSON: toBase64url(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    json.response.attestationObject = toBase64url(response.attestationObject);
    json.response.transports = response.getTransports ? response.getTransports() : [];
  } else {
    json.response.authenticatorData = toBase64url(response.authenticatorData);
    json.response.signature = toBase64url(response.signature);
    if (response.userHandle) json.response.userHandle = toBase64url(response.userHandle);
  }
  return json;
}

async function post(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    // fetch's own TypeError ("Failed to fetch") is English and says nothing to a patient.
    throw new Said(texts.network);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Said(data.error || texts.network);
  return data;
}

function say(text) {
  messageBox.textContent = text;
}

async function register(button) {
  const options = await post("/passkeys/api/register/options", { invitation: button.dataset.invitation ?? "" });
  const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
  return post("/passkeys/api/register/verify", { credential: credentialJSON(credential) });
}

async function login(button) {
  const options = await post("/passkeys/api/login/options", {});
  const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
  return post("/passkeys/api/login/verify", { credential: credentialJSON(credential), next: button.dataset.next ?? "" });
}

// A signed-in user's fresh check: their own passkey again, before changing their passkeys.
async function confirm() {
  const options = await post("/passkeys/api/confirm/options", {});
  const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
  return post("/passkeys/api/confirm/verify", { credential: credentialJSON(credential) });
}

const ceremonies = { login, register, confirm };

async function run(button) {
  if (!window.PublicKeyCredential) {
    say(texts.unsupported);
    return;
  }
  button.disabled = true;
  say("");
  messageBox.classList.remove("passkey-message-info");
  try {
    const ceremony = ceremonies[button.dataset.passkey] ?? register;
    const result = await ceremony(button);
    window.location.assign(result.redirect);
  } catch (error) {
    // The browser's own errors (cancelled, timed out, no authenticator) say nothing useful.
    const fromServer = error instanceof Said && error.message;
    // InvalidStateError: this device already holds a passkey for this account.
    const alreadyHere = error?.name === "InvalidStateError" && texts.exists;
    say(fromServer || alreadyHere || texts.cancelled);
  } finally {
    button.disabled = false;
  }
}

// The buttons come disabled from the server: this module is loaded after the page (app.js
// imports it), and a tap before the handler is attached would do nothing at all, leaving a
// patient on a slow phone waiting for something that never starts. Ready now: say so.
for (const button of document.querySelectorAll("[data-passkey]")) {
  button.addEventListener("click", () => run(button));
  button.disabled = false;
}
document.documentElement.dataset.passkeys = "ready";
