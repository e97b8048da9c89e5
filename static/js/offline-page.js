// The offline page names the number to call: the fixed care contact's, remembered by the last
// page of Min plan this person saw (static/js/offline.js), besides 1177 and 112. The page
// itself holds nothing personal; without a remembered number it stays as it is.
import { CALL_KEY } from "./offline.js";

let call = null;
try {
  call = JSON.parse(localStorage.getItem(CALL_KEY) || "null");
} catch {
  call = null;
}
const box = document.querySelector("[data-remembered-call]");
if (box && call && call.phone && call.tel) {
  box.querySelector("[data-call-name]").textContent = call.name || "";
  const link = box.querySelector("a[data-call-link]");
  link.href = `tel:${call.tel}`;
  // In its groups, as templates/_macros/phone.html writes a number: "010-123" and "45 67".
  const [first, ...rest] = call.phone.split(" ");
  const parts = [first, rest.join(" ")].filter(Boolean).map((text) => {
    const part = document.createElement("span");
    part.className = "phone-part";
    part.textContent = text;
    return part;
  });
  const number = link.querySelector(".phone");
  parts.forEach((part, index) => {
    if (index) number.append(" ");
    number.append(part);
  });
  box.hidden = false;
}
