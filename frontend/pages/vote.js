// A vote's progress (polling GET /api/votes/{id} every 1.5 s) and then its receipt.
import {
  initPage, api, t, has, errorMessage, formatDateTime, showMessage, redirectToLogin, copyButton,
  onLangChange, formatNumber,
} from "../app.js";

await initPage({ page: "vote", requireAuth: true });

const POLL_MS = 1500;
const voteId = new URLSearchParams(location.search).get("id");
const msg = document.getElementById("vote-message");
const statusEl = document.getElementById("vote-status");
const pollError = document.getElementById("poll-error");
let vote = null;
let electionTitle = null;
let lastStatus = null;

function setStep(id, state, text) {
  const li = document.getElementById(id);
  li.dataset.state = state;
  li.textContent = text;
  if (state === "current") li.setAttribute("aria-current", "step");
  else li.removeAttribute("aria-current");
}

function render() {
  if (!vote) return;
  document.getElementById("progress-section").hidden = false;
  const s = vote.status;
  const inBlock = s === "in_block" || s === "finalized";
  setStep(
    "step-sent",
    s === "pending" ? "current" : s === "failed" && !vote.block_number ? "failed" : "done",
    s === "pending" ? t("vote.step.sending") : t("vote.step.sent"),
  );
  setStep(
    "step-block",
    inBlock ? "done" : s === "failed" && vote.block_number ? "failed" : "todo",
    vote.block_number ? t("vote.step.inBlockN", { n: formatNumber(vote.block_number) }) : t("vote.step.inBlock"),
  );
  setStep("step-final", s === "finalized" ? "done" : s === "in_block" ? "current" : "todo", t("vote.step.finalized"));
  document.getElementById("progress").dataset.status = s;
  if (s !== lastStatus) {
    // Only announce changes (the live region would otherwise repeat every poll).
    statusEl.textContent = has(`vote.status.${s}`) ? t(`vote.status.${s}`) : s;
    lastStatus = s;
  }
  if (s === "failed") {
    const code = vote.error?.code;
    document.getElementById("failed-text").textContent =
      code && has(`voteError.${code}`) ? t(`voteError.${code}`) : vote.error?.message || t("vote.status.failed");
    document.getElementById("failed-back").href = `ballot.html?election=${vote.election}`;
    document.getElementById("failed").hidden = false;
  }
  if (s === "finalized") renderReceipt();
}

function renderReceipt() {
  const r = document.getElementById("receipt");
  const first = r.hidden;
  document.getElementById("r-election").textContent = electionTitle ? `${electionTitle} (#${vote.election})` : `#${vote.election}`;
  document.getElementById("r-tracker").textContent = vote.tracker || "—";
  document.getElementById("r-block").textContent = vote.block_number != null ? `#${formatNumber(vote.block_number)}` : "—";
  document.getElementById("r-block-hash").textContent = vote.block_hash || "—";
  document.getElementById("r-extrinsic").textContent = vote.extrinsic_index ?? "—";
  document.getElementById("r-finalized-at").textContent = formatDateTime(vote.finalized_at);
  const ex = document.getElementById("r-explorer");
  if (vote.explorer_url && /^https?:\/\//.test(vote.explorer_url)) {
    ex.href = vote.explorer_url;
    ex.hidden = false;
  } else {
    ex.hidden = true;
  }
  document.getElementById("r-verify").textContent = vote.verify_command || "—";
  document.getElementById("r-tracker-copy").replaceChildren(copyButton(() => vote.tracker || ""));
  document.getElementById("r-verify-copy").replaceChildren(copyButton(() => vote.verify_command || ""));
  r.hidden = false;
  if (first) r.focus();
}

async function poll() {
  try {
    vote = await api(`/api/votes/${encodeURIComponent(voteId)}`);
    pollError.hidden = true;
    if (electionTitle === null) {
      electionTitle = "";
      api(`/api/elections/${vote.election}`)
        .then((e) => {
          electionTitle = e.title;
          render();
        })
        .catch(() => {});
    }
    render();
  } catch (e) {
    if (e.code === "not_authenticated") return redirectToLogin();
    if (e.code === "vote_not_found") {
      showMessage(msg, t("vote.notFound"));
      return;
    }
    if (e.status === 0 || e.status >= 500) pollError.hidden = false;
    else {
      showMessage(msg, errorMessage(e));
      return;
    }
  }
  if (!vote || (vote.status !== "finalized" && vote.status !== "failed")) setTimeout(poll, POLL_MS);
}

onLangChange(() => {
  lastStatus = null;
  render();
});

if (!voteId) showMessage(msg, t("vote.badId"));
else poll();
