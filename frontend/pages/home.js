// Home: open elections, what to do, the signed-in voter's votes.
import { initPage, api, t, el, errorMessage, formatDateTime, formatNumber, phaseLabel, onLangChange, showMessage } from "../app.js";

const { session } = await initPage({ page: "home" });
let elections = null;
let loadError = null;

function card(e) {
  const actions = el("div", { class: "actions" });
  if (e.phase === "open") {
    actions.append(el("a", { class: "button", href: `ballot.html?election=${e.id}` }, t("home.vote")));
  }
  actions.append(el("a", { class: "button button-secondary", href: `dashboard.html?election=${e.id}` }, t("home.turnout")));
  return el(
    "li",
    { class: "card", "data-election": e.id },
    el("span", { class: `badge badge-${e.phase}` }, phaseLabel(e.phase)),
    el("h3", {}, e.title),
    el("p", {}, t("home.opens", { date: formatDateTime(e.opens_at) })),
    el("p", {}, t("home.closes", { date: formatDateTime(e.closes_at) })),
    el("p", {}, t("home.ballots", { n: formatNumber(e.ballots_on_chain) })),
    actions,
  );
}

function render() {
  const welcome = document.getElementById("welcome");
  if (session.authenticated && session.voter) {
    welcome.textContent = t("home.welcome", { name: session.voter.name });
    welcome.hidden = false;
    const votes = session.voter.votes || [];
    const list = document.getElementById("my-votes-list");
    list.replaceChildren(
      ...(votes.length
        ? votes.map((v) => {
            const title = elections?.find((e) => e.id === v.election)?.title ?? `#${v.election}`;
            return el(
              "li",
              {},
              t("home.myVotes.item", { election: title, status: t(`voteStatus.${v.status}`) }),
              " ",
              el("a", { href: `vote.html?id=${encodeURIComponent(v.id)}` }, t("home.myVotes.receipt")),
            );
          })
        : [el("li", {}, t("home.myVotes.empty"))]),
    );
    document.getElementById("my-votes").hidden = false;
  }
  const status = document.getElementById("elections-status");
  const errorEl = document.getElementById("elections-error");
  const open = document.getElementById("open-elections");
  const other = document.getElementById("other-elections");
  if (loadError) {
    status.hidden = true;
    showMessage(errorEl, `${t("home.loadError")} ${errorMessage(loadError)}`);
    return;
  }
  if (!elections) return;
  showMessage(errorEl, "");
  const opened = elections.filter((e) => e.phase === "open");
  const rest = elections.filter((e) => e.phase !== "open").sort((a, b) => b.id - a.id);
  status.hidden = opened.length > 0;
  status.textContent = t("home.open.empty");
  open.replaceChildren(...opened.map(card));
  other.replaceChildren(...(rest.length ? rest.map(card) : [el("li", { class: "muted" }, t("home.other.empty"))]));
}

try {
  elections = await api("/api/elections");
} catch (e) {
  loadError = e;
}
render();
onLangChange(render);
