// The ballot: options as radio buttons, a confirmation dialog, then
// POST /api/elections/{id}/ballots with a request_id that a retry reuses.
import {
  initPage, api, t, el, intParam, errorMessage, formatDateTime, showMessage, redirectToLogin, onLangChange,
} from "../app.js";

const { session } = await initPage({ page: "ballot", requireAuth: true });

const id = intParam("election");
const title = document.getElementById("ballot-title");
const status = document.getElementById("ballot-status");
const msg = document.getElementById("ballot-message");
const form = document.getElementById("ballot-form");
const optionsBox = document.getElementById("options");
const choiceError = document.getElementById("choice-error");
const dialog = document.getElementById("confirm-dialog");
const ok = document.getElementById("confirm-ok");
const cancel = document.getElementById("confirm-cancel");
const sending = document.getElementById("confirm-sending");
const resultsLink = document.getElementById("results-link");
let election = null;
let sendingNow = false;

const requestKey = () => `electx.ballotRequest.${id}`;

/** The request_id of this election's ballot: kept until the server answers for sure. */
function requestId() {
  let r = sessionStorage.getItem(requestKey());
  if (!r) {
    r = crypto.randomUUID();
    sessionStorage.setItem(requestKey(), r);
  }
  return r;
}

function showAlreadyVoted(vote) {
  form.hidden = true;
  status.hidden = true;
  const sec = document.getElementById("already-voted");
  const link = document.getElementById("already-receipt");
  const voteId = typeof vote === "string" ? vote : vote?.id;
  if (voteId) {
    link.href = `vote.html?id=${encodeURIComponent(voteId)}`;
    link.hidden = false;
  }
  sec.hidden = false;
  sec.focus();
}

function renderStatic() {
  if (!election) return;
  title.textContent = election.title;
  document.title = `${election.title} — ${t("ballot.heading")} — ElectX`;
  if (election.phase === "scheduled") status.textContent = t("ballot.scheduled", { date: formatDateTime(election.opens_at) });
  else if (election.phase === "closed" || election.phase === "tallied") status.textContent = t("ballot.closed");
  else if (election.phase === "cancelled") status.textContent = t("ballot.cancelled");
  const note = document.getElementById("confirm-note");
  note.textContent = election.allow_revote ? t("ballot.confirm.revote") : t("ballot.confirm.final");
}

function renderOptions() {
  const checked = form.querySelector("input[name=choice]:checked")?.value;
  optionsBox.replaceChildren(
    ...election.options.map((name, i) =>
      el(
        "label",
        { class: "option", for: `choice-${i}` },
        el("input", { type: "radio", name: "choice", id: `choice-${i}`, value: i, checked: String(i) === checked }),
        el("span", {}, name),
      ),
    ),
  );
}

async function load() {
  if (id === null) {
    status.hidden = true;
    showMessage(msg, t("ballot.badId"));
    return;
  }
  resultsLink.querySelector("a").href = `dashboard.html?election=${id}`;
  try {
    election = await api(`/api/elections/${id}`);
  } catch (e) {
    status.hidden = true;
    showMessage(msg, e.code === "election_not_found" ? t("ballot.notFound") : errorMessage(e));
    return;
  }
  renderStatic();
  onLangChange(renderStatic);
  const mine = (session.voter?.votes || []).filter((v) => v.election === id && v.status !== "failed");
  if (mine.length && !election.allow_revote) {
    showAlreadyVoted(mine[mine.length - 1]);
    resultsLink.hidden = false;
    return;
  }
  if (election.phase !== "open") {
    resultsLink.hidden = false;
    return;
  }
  status.hidden = true;
  renderOptions();
  form.hidden = false;
}

form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const checked = form.querySelector("input[name=choice]:checked");
  if (!checked) {
    choiceError.textContent = t("ballot.noChoice");
    choiceError.hidden = false;
    optionsBox.querySelector("input")?.focus();
    return;
  }
  choiceError.hidden = true;
  showMessage(msg, "");
  document.getElementById("confirm-choice").textContent = election.options[Number(checked.value)];
  sending.textContent = "";
  ok.disabled = false;
  cancel.disabled = false;
  dialog.showModal();
});

cancel.addEventListener("click", () => dialog.close());
dialog.addEventListener("cancel", (ev) => {
  if (sendingNow) ev.preventDefault(); // Esc does not abandon a ballot in flight
});

ok.addEventListener("click", async () => {
  const checked = form.querySelector("input[name=choice]:checked");
  if (!checked || sendingNow) return;
  sendingNow = true;
  ok.disabled = true;
  cancel.disabled = true;
  sending.textContent = t("ballot.sending");
  try {
    const vote = await api(`/api/elections/${id}/ballots`, {
      method: "POST",
      body: { choice: Number(checked.value), request_id: requestId() },
    });
    sessionStorage.removeItem(requestKey());
    location.assign(`vote.html?id=${encodeURIComponent(vote.id)}`);
    return;
  } catch (e) {
    sendingNow = false;
    dialog.close();
    // A definite answer ends this request; a lost one keeps its id for the retry.
    if (e.status >= 400 && e.status < 500) sessionStorage.removeItem(requestKey());
    if (e.code === "not_authenticated") return redirectToLogin();
    if (e.code === "already_voted") {
      showAlreadyVoted(e.body.vote);
      resultsLink.hidden = false;
      return;
    }
    if (e.code === "election_not_open") {
      form.hidden = true;
      resultsLink.hidden = false;
    }
    const retry = e.status === 0 || e.status >= 500;
    showMessage(msg, retry ? `${t("ballot.retry")} (${errorMessage(e)})` : errorMessage(e), "error");
    msg.focus();
  }
});

await load();
