// Public dashboard: turnout (total, by province, by gender, over time) and, after the
// tally, the results as bar and pie charts, marked verified when the proof checked.
// Refreshes every 3 s without reloading; charts are updated in place.
import {
  initPage, api, t, el, intParam, errorMessage, formatNumber, formatPercent, formatTime, phaseLabel,
  genderLabel, showMessage, onLangChange, locale,
} from "../app.js";

await initPage({ page: "dashboard" });

const REFRESH_MS = 3000;
const PALETTE = ["#0b4f9c", "#c75000", "#1a6b2a", "#7b3fa0", "#b0001e", "#00727d", "#6d4c41", "#b0306a"];
const sel = document.getElementById("election");
const errorEl = document.getElementById("dash-error");
const live = document.getElementById("phase-live");
let elections = [];
let current = null;
let data = null; // { election, turnout, results }
let charts = { time: null, bar: null, pie: null };
let lastAnnounced = "";
let timer = null;

const Chart = window.Chart;
if (Chart) {
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#1a1a1a";
  Chart.defaults.animation = false;
}

function optionLabel(e) {
  return `#${e.id} — ${e.title} (${phaseLabel(e.phase)})`;
}

function fillPicker() {
  sel.replaceChildren(...elections.map((e) => el("option", { value: e.id }, optionLabel(e))));
  if (current !== null) sel.value = String(current);
}

function destroyCharts() {
  for (const k of Object.keys(charts)) {
    charts[k]?.destroy();
    charts[k] = null;
  }
}

function makeChart(key, canvasId, config) {
  if (!Chart) return null;
  if (!charts[key]) charts[key] = new Chart(document.getElementById(canvasId), config);
  return charts[key];
}

function setChartData(chart, labels, values, label) {
  if (!chart) return;
  chart.data.labels = labels;
  chart.data.datasets[0].data = values;
  if (label) chart.data.datasets[0].label = label;
  chart.update("none");
}

function renderTurnout() {
  const { election, turnout } = data;
  document.getElementById("turnout").hidden = false;
  document.getElementById("stat-voted").textContent = formatNumber(turnout.voted);
  document.getElementById("stat-registered").textContent = formatNumber(turnout.registered_voters);
  document.getElementById("stat-pct").textContent = formatPercent(turnout.voted, turnout.registered_voters);
  document.getElementById("stat-chain").textContent = formatNumber(turnout.ballots_on_chain ?? election.ballots_on_chain);
  document.getElementById("stat-phase").textContent = phaseLabel(election.phase);

  const prov = (turnout.by_province || []).filter((p) => p.voted > 0).sort((a, b) => b.voted - a.voted || a.name.localeCompare(b.name, "es"));
  document.getElementById("by-province").replaceChildren(
    ...(prov.length
      ? prov.map((p) => el("tr", { "data-province": p.code }, el("td", {}, p.name), el("td", { class: "num" }, formatNumber(p.voted))))
      : [el("tr", {}, el("td", { colspan: 2, class: "muted" }, t("dashboard.noVotes")))]),
  );
  const gen = (turnout.by_gender || []).filter((g) => g.voted > 0);
  document.getElementById("by-gender").replaceChildren(
    ...(gen.length
      ? gen.map((g) =>
          el(
            "tr",
            { "data-gender": g.gender },
            el("td", {}, genderLabel(g.gender)),
            el("td", { class: "num" }, formatNumber(g.voted)),
            el("td", { class: "num" }, formatPercent(g.voted, turnout.voted)),
          ),
        )
      : [el("tr", {}, el("td", { colspan: 3, class: "muted" }, t("dashboard.noVotes")))]),
  );

  const points = turnout.over_time || [];
  const canvas = document.getElementById("time-chart");
  document.getElementById("time-empty").hidden = points.length > 0;
  canvas.parentElement.hidden = points.length === 0;
  if (points.length) {
    const fmt = new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit" });
    // Start the line from zero one bucket (a minute) before the first vote.
    const first = new Date(points[0].at);
    const zero = { at: new Date(first.getTime() - 60_000).toISOString(), cumulative: 0 };
    const series = points[0].cumulative - points[0].voted === 0 ? [zero, ...points] : points;
    const labels = series.map((p) => fmt.format(new Date(p.at)));
    const values = series.map((p) => p.cumulative);
    const chart = makeChart("time", "time-chart", {
      type: "line",
      data: { labels: [], datasets: [{ label: "", data: [], borderColor: PALETTE[0], backgroundColor: "rgba(11,79,156,0.15)", fill: true, tension: 0.2, pointRadius: 3 }] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: false } },
      },
    });
    setChartData(chart, labels, values, t("dashboard.overTime.label"));
    canvas.setAttribute(
      "aria-label",
      t("dashboard.chart.summary", { summary: `${t("dashboard.overTime.label")}: ${labels.map((l, i) => `${l} ${values[i]}`).join(", ")}` }),
    );
  }
}

function renderResults() {
  const { results } = data;
  document.getElementById("results").hidden = false;
  const tallied = !!results?.tallied;
  document.getElementById("results-pending").hidden = tallied;
  document.getElementById("results-body").hidden = !tallied;
  document.getElementById("results-verified").hidden = !(tallied && results.proof_verified);
  document.getElementById("results-unverified").hidden = !(tallied && !results.proof_verified);
  if (!tallied) return;
  document.getElementById("results-proof").textContent = results.proof_verified
    ? t("dashboard.results.verifiedText")
    : t("dashboard.results.unverifiedText");
  document.getElementById("results-proof").className = `message message-${results.proof_verified ? "success" : "error"}`;
  document.getElementById("results-meta").textContent = t("dashboard.results.meta", {
    ballots: formatNumber(results.ballots),
    block: formatNumber(results.tallied_at_block),
  });
  const counts = results.counts || [];
  const total = counts.reduce((s, c) => s + c.votes, 0);
  document.getElementById("results-table").replaceChildren(
    ...counts.map((c) =>
      el("tr", {}, el("td", {}, c.option), el("td", { class: "num" }, formatNumber(c.votes)), el("td", { class: "num" }, formatPercent(c.votes, total))),
    ),
  );
  const labels = counts.map((c) => c.option);
  const values = counts.map((c) => c.votes);
  const colors = labels.map((_, i) => PALETTE[i % PALETTE.length]);
  const bar = makeChart("bar", "bar-chart", {
    type: "bar",
    data: { labels: [], datasets: [{ label: "", data: [], backgroundColor: colors }] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { display: false } },
    },
  });
  setChartData(bar, labels, values, t("dashboard.col.votes"));
  const pie = makeChart("pie", "pie-chart", {
    type: "pie",
    data: { labels: [], datasets: [{ label: "", data: [], backgroundColor: colors, borderColor: "#fff", borderWidth: 2 }] },
    options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } },
  });
  setChartData(pie, labels, values, t("dashboard.col.votes"));
  const summary = t("dashboard.chart.summary", { summary: counts.map((c) => `${c.option}: ${c.votes}`).join(", ") });
  document.getElementById("bar-chart").setAttribute("aria-label", summary);
  document.getElementById("pie-chart").setAttribute("aria-label", summary);
}

function render() {
  if (!data) return;
  renderTurnout();
  renderResults();
  const e = elections.find((x) => x.id === data.election.id);
  if (e && e.phase !== data.election.phase) {
    e.phase = data.election.phase;
    fillPicker();
  }
  const announce = `${phaseLabel(data.election.phase)}${data.results?.tallied ? ` — ${t("dashboard.results")}` : ""}`;
  if (lastAnnounced && announce !== lastAnnounced) live.textContent = announce;
  lastAnnounced = announce;
  document.getElementById("updated").textContent = t("dashboard.updated", { time: formatTime(new Date()) });
}

async function refresh() {
  clearTimeout(timer);
  const id = current;
  if (id === null) return;
  try {
    const [election, turnout, results] = await Promise.all([
      api(`/api/elections/${id}`),
      api(`/api/elections/${id}/turnout`),
      api(`/api/elections/${id}/results`).catch(() => null),
    ]);
    if (id !== current) return; // the picker changed meanwhile
    data = { election, turnout, results };
    showMessage(errorEl, "");
    render();
  } catch (e) {
    showMessage(errorEl, `${t("dashboard.updateError")} ${errorMessage(e)}`);
  } finally {
    if (id === current) timer = setTimeout(refresh, REFRESH_MS);
  }
}

sel.addEventListener("change", () => {
  current = Number(sel.value);
  history.replaceState(null, "", `?election=${current}`);
  data = null;
  lastAnnounced = "";
  destroyCharts();
  refresh();
});

onLangChange(() => {
  fillPicker();
  destroyCharts(); // labels and locale-formatted axes are rebuilt
  render();
});

try {
  elections = (await api("/api/elections")).sort((a, b) => a.id - b.id);
} catch (e) {
  showMessage(errorEl, errorMessage(e));
}
if (!elections.length) {
  document.getElementById("dash-empty").hidden = !!errorEl.textContent;
} else {
  const wanted = intParam("election");
  current =
    (elections.find((e) => e.id === wanted) ||
      elections.find((e) => e.phase === "open") ||
      elections[elections.length - 1]).id;
  fillPicker();
  refresh();
}
