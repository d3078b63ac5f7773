// Administration: the admin token (this tab only), creating an election, and the
// status of the elections (GET /api/admin/elections/{id}).
import {
  initPage, api, t, el, errorMessage, showMessage, showFormError, clearFieldErrors, showFieldErrors,
  phaseLabel, formatNumber, onLangChange, getMeta,
} from "../app.js";

await initPage({ page: "admin" });

// Development: offer the key whose secret the dev node's tallier holds (scripts/run.sh).
getMeta()
  .then((meta) => {
    const field = document.getElementById("create-form")?.elements?.public_key;
    if (meta && meta.dev_election_public_key && field && !field.value) field.value = meta.dev_election_public_key;
  })
  .catch(() => {});

const TOKEN_KEY = "electx.adminToken";
const tokenForm = document.getElementById("token-form");
const tokenInput = document.getElementById("admin_token");
const tokenMsg = document.getElementById("token-message");
const createForm = document.getElementById("create-form");
const createMsg = document.getElementById("create-message");
const createSubmit = document.getElementById("create-submit");
const listMsg = document.getElementById("list-message");
const tbody = document.getElementById("admin-elections-body");
const known = new Map(); // id → admin view of the election
const extraIds = new Set(); // looked up or created here

const token = () => sessionStorage.getItem(TOKEN_KEY) || "";
tokenInput.value = token();

/** `datetime-local` value (local time) → RFC 3339 in UTC, whole seconds. */
export function toRfc3339(local) {
  if (!local) return "";
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return "";
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A Date as a `datetime-local` value in local time. */
function toLocalInput(d) {
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// Sensible defaults: opens in 5 minutes, closes an hour later.
{
  const opens = new Date(Date.now() + 5 * 60_000);
  createForm.opens_at.value = toLocalInput(opens);
  createForm.closes_at.value = toLocalInput(new Date(opens.getTime() + 60 * 60_000));
}

tokenForm.addEventListener("submit", (ev) => {
  ev.preventDefault();
  clearFieldErrors(tokenForm);
  const v = tokenInput.value.trim();
  if (!v) {
    showFieldErrors(tokenForm, { admin_token: { code: "required" } });
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, v);
  showMessage(tokenMsg, t("admin.token.saved"), "success");
  refreshList();
});

document.getElementById("token-forget").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  tokenInput.value = "";
  showMessage(tokenMsg, "");
  known.clear();
  renderList();
});

function needToken() {
  if (token()) return false;
  clearFieldErrors(tokenForm);
  const p = document.getElementById("admin_token-error");
  p.textContent = t("admin.token.missing");
  p.hidden = false;
  tokenInput.setAttribute("aria-invalid", "true");
  tokenInput.focus();
  return true;
}

function onAdminError(e, summaryEl) {
  if (e.code === "admin_unauthorized") {
    clearFieldErrors(tokenForm);
    const p = document.getElementById("admin_token-error");
    p.textContent = t("error.admin_unauthorized");
    p.hidden = false;
    tokenInput.setAttribute("aria-invalid", "true");
  }
  showMessage(summaryEl, errorMessage(e), "error");
}

createForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearFieldErrors(createForm);
  showMessage(createMsg, "");
  if (needToken()) return;
  const f = createForm;
  const body = {
    title: f.title.value.trim(),
    options: f.options.value.split("\n").map((s) => s.trim()).filter(Boolean),
    opens_at: toRfc3339(f.opens_at.value),
    closes_at: toRfc3339(f.closes_at.value),
    allow_revote: f.allow_revote.checked,
    public_key: f.public_key.value.trim(),
  };
  const missing = {};
  for (const k of ["title", "opens_at", "closes_at", "public_key"]) if (!body[k]) missing[k] = { code: "required" };
  if (!body.options.length) missing.options = { code: "required" };
  if (Object.keys(missing).length) {
    showFieldErrors(createForm, missing);
    showMessage(createMsg, t("errors.summary"), "error");
    return;
  }
  createSubmit.disabled = true;
  try {
    const r = await api("/api/admin/elections", { method: "POST", body, adminToken: token() });
    showMessage(
      createMsg,
      t("admin.created", { id: r.id, hash: r.block_hash, opens: formatNumber(r.opens_at_block), closes: formatNumber(r.closes_at_block) }),
      "success",
    );
    createMsg.dataset.electionId = r.id;
    createMsg.focus();
    extraIds.add(r.id);
    f.title.value = "";
    f.options.value = "";
    await refreshList();
  } catch (e) {
    if (e.code === "admin_unauthorized") onAdminError(e, createMsg);
    else showFormError(createForm, createMsg, e);
  } finally {
    createSubmit.disabled = false;
  }
});

function renderList() {
  if (!token()) {
    showMessage(listMsg, t("admin.list.needToken"), "info");
    tbody.replaceChildren();
    return;
  }
  const rows = [...known.values()].sort((a, b) => b.id - a.id);
  if (!rows.length) {
    showMessage(listMsg, t("admin.list.empty"), "info");
    tbody.replaceChildren();
    return;
  }
  showMessage(listMsg, "");
  tbody.replaceChildren(
    ...rows.map((e) =>
      el(
        "tr",
        { "data-election": e.id },
        el("td", { class: "num" }, String(e.id)),
        el("td", {}, el("a", { href: `dashboard.html?election=${e.id}` }, e.title)),
        el("td", {}, el("span", { class: `badge badge-${e.phase}` }, phaseLabel(e.phase))),
        el("td", {}, `#${e.opens_at_block} → #${e.closes_at_block}`),
        el("td", { class: "num" }, formatNumber(e.registered_voters)),
        el("td", { class: "num" }, formatNumber(e.votes_pending)),
        el("td", { class: "num" }, formatNumber(e.votes_finalized)),
        el("td", { class: "num" }, formatNumber(e.votes_failed)),
        el("td", { class: "num" }, formatNumber(e.ballots_on_chain)),
      ),
    ),
  );
}

let refreshing = false;
async function refreshList() {
  if (!token()) return renderList();
  if (refreshing) return;
  refreshing = true;
  try {
    const ids = new Set(extraIds);
    for (const e of await api("/api/elections")) ids.add(e.id);
    const views = await Promise.all(
      [...ids].map((id) => api(`/api/admin/elections/${id}`, { adminToken: token() }).catch((e) => e)),
    );
    const bad = views.find((v) => v instanceof Error && v.code === "admin_unauthorized");
    if (bad) {
      known.clear();
      renderList();
      onAdminError(bad, listMsg);
      return;
    }
    for (const v of views) if (!(v instanceof Error)) known.set(v.id, v);
    renderList();
  } catch (e) {
    showMessage(listMsg, errorMessage(e), "error");
  } finally {
    refreshing = false;
  }
}

document.getElementById("lookup-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (needToken()) return;
  const v = document.getElementById("lookup").value;
  if (!/^\d+$/.test(v)) return;
  try {
    const e = await api(`/api/admin/elections/${v}`, { adminToken: token() });
    extraIds.add(e.id);
    known.set(e.id, e);
    renderList();
  } catch (e) {
    onAdminError(e, listMsg);
  }
});
document.getElementById("list-refresh").addEventListener("click", refreshList);

onLangChange(renderList);
refreshList();
setInterval(() => {
  if (!document.hidden) refreshList();
}, 5000);
