// Development SMS outbox (GET /api/dev/sms), refreshed every 2 s.
import { initPage, api, t, el, errorMessage, formatDateTime, formatTime, showMessage, onLangChange } from "../app.js";

await initPage({ page: "dev-sms" });

const REFRESH_MS = 2000;
const list = document.getElementById("sms-list");
const wrap = document.getElementById("sms-table-wrap");
const empty = document.getElementById("sms-empty");
const errorEl = document.getElementById("sms-error");
let messages = null;
let stopped = false;

function render() {
  if (!messages) return;
  empty.hidden = messages.length > 0;
  wrap.hidden = messages.length === 0;
  list.replaceChildren(
    ...messages.map((m) => {
      const code = (String(m.body).match(/\b(\d{6})\b/) || [])[1] || "";
      return el(
        "tr",
        { "data-to": m.to, "data-code": code },
        el("td", {}, m.to),
        el("td", {}, el("span", { class: "sms-code" }, code || "—")),
        el("td", {}, m.body),
        el("td", {}, formatDateTime(m.sent_at)),
      );
    }),
  );
  document.getElementById("updated").textContent = t("devSms.updated", { time: formatTime(new Date()) });
}

async function refresh() {
  try {
    messages = await api("/api/dev/sms");
    showMessage(errorEl, "");
    render();
  } catch (e) {
    if (e.status === 404) {
      document.getElementById("sms-unavailable").hidden = false;
      wrap.hidden = true;
      stopped = true;
      return;
    }
    showMessage(errorEl, errorMessage(e));
  }
  if (!stopped) setTimeout(refresh, REFRESH_MS);
}

onLangChange(render);
refresh();
