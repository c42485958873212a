// The operator's board. Plain browser script, served by the app with a
// strict Content-Security-Policy (no inline script, nothing from elsewhere):
// it signs in with an operator key kept in this tab's session storage only,
// reads the operator endpoints with it, and writes every figure as text.
'use strict';

const $ = (id) => document.getElementById(id);

(() => {
  const KEY = 'phone-verification-operator-key';
  const REFRESH_MS = 30_000;
  const charts = {};
  let summary;

  // ---- signing in and out -------------------------------------------------

  function key() {
    return sessionStorage.getItem(KEY);
  }

  function showSignIn(message) {
    sessionStorage.removeItem(KEY);
    $('board').hidden = true;
    $('sign-out').hidden = true;
    $('refresh').hidden = true;
    $('as-of').textContent = '';
    $('sign-in').hidden = false;
    const error = $('sign-in-error');
    error.textContent = message || '';
    error.hidden = !message;
  }

  function showBoard() {
    $('sign-in').hidden = true;
    $('board').hidden = false;
    $('sign-out').hidden = false;
    $('refresh').hidden = false;
  }

  /** An operator endpoint's answer; signs out on a key that is refused. */
  async function api(path, accept = 'application/json') {
    const response = await fetch(path, {
      headers: { authorization: `Bearer ${key()}`, accept },
      cache: 'no-store',
      credentials: 'omit',
    });
    if (response.status === 401 || response.status === 403) {
      showSignIn(
        response.status === 403
          ? 'This key is not an operator key: the board is for operator keys only.'
          : 'This key is not known.',
      );
      throw new Error('signed out');
    }
    if (!response.ok) {
      throw new Error(`${path.split('?')[0]} answered ${response.status}`);
    }
    return accept === 'application/json' ? response.json() : response.blob();
  }

  // ---- figures ------------------------------------------------------------

  function metric(name, value) {
    for (const element of document.querySelectorAll(
      `[data-metric="${name}"]`,
    )) {
      element.textContent =
        value === null || value === undefined ? '–' : String(value);
    }
  }

  /** A time in China (UTC+8), whatever the browser's zone and locale. */
  const CHINA_TIME = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
  function chinaTime(at) {
    return CHINA_TIME.format(new Date(at));
  }

  function money(value) {
    return value === null ? null : value.toFixed(2);
  }

  function chart(id, config) {
    charts[id]?.destroy();
    charts[id] = new Chart($(id), config);
  }

  const COMMON = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
  };

  function renderToday(s) {
    const t = s.today;
    $('day').textContent = `China day ${s.day}`;
    metric('billed-today', t.billed);
    metric('budget-today', t.budget);
    metric('may-have-billed-today', t.may_have_billed);
    metric('upstream-calls-today', t.upstream_calls);
    metric('cache-hits-today', t.cache_hits);
    metric('shared-today', t.shared);
    metric('saved-calls-today', t.saved_calls);
    metric('saved-cny-today', money(t.saved_cny));
    metric('spent-cny-today', money(t.spent_cny));
    metric('budget-refused-today', t.budget_refused);
    metric('rejected-today', t.rejected);
    // No budget, no gauge: a full arc would read as all of it spent.
    const noBudget = t.budget === null || t.budget === undefined;
    $('no-budget').hidden = !noBudget;
    $('gauge').hidden = noBudget;
    if (noBudget) {
      charts['budget-gauge']?.destroy();
      delete charts['budget-gauge'];
      return;
    }
    const limit = t.budget;
    chart('budget-gauge', {
      type: 'doughnut',
      data: {
        labels: ['billed', 'left'],
        datasets: [
          {
            data: [t.billed, Math.max(0, limit - t.billed)],
            backgroundColor: [
              t.billed >= limit * 0.8 ? '#cf222e' : '#1f6feb',
              '#d0d7de',
            ],
            borderWidth: 0,
          },
        ],
      },
      options: {
        ...COMMON,
        rotation: -90,
        circumference: 180,
        cutout: '70%',
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
      },
    });
  }

  function renderOutcomes(s) {
    const o = s.outcomes;
    metric('outcome-consistent', o.consistent);
    metric('outcome-inconsistent', o.inconsistent);
    metric('outcome-no-record', o.no_record);
    metric('outcome-other', o.other);
    metric('outcome-errors', o.errors);
    chart('outcomes-chart', {
      type: 'doughnut',
      data: {
        labels: ['consistent', 'inconsistent', 'no record', 'other', 'errors'],
        datasets: [
          {
            data: [
              o.consistent,
              o.inconsistent,
              o.no_record,
              o.other,
              o.errors,
            ],
            backgroundColor: [
              '#2da44e',
              '#bf8700',
              '#8c959f',
              '#8250df',
              '#cf222e',
            ],
            borderWidth: 0,
          },
        ],
      },
      options: { ...COMMON, plugins: { legend: { position: 'right' } } },
    });
    metric('latency-p50-ms', s.latency_ms?.p50);
    metric('latency-p99-ms', s.latency_ms?.p99);
    metric('circuit', s.circuit);
  }

  function renderDays(s) {
    const budget = s.today.budget;
    chart('days-chart', {
      data: {
        labels: s.days.map((d) => d.day.slice(5)),
        datasets: [
          {
            type: 'bar',
            label: 'billed calls',
            data: s.days.map((d) => d.billed),
            backgroundColor: '#1f6feb',
          },
          {
            type: 'bar',
            label: 'may have billed',
            data: s.days.map((d) => d.may_have_billed),
            backgroundColor: '#bf8700',
          },
          ...(budget === null
            ? []
            : [
                {
                  type: 'line',
                  label: 'daily budget',
                  data: s.days.map(() => budget),
                  borderColor: '#cf222e',
                  borderDash: [6, 4],
                  pointRadius: 0,
                },
              ]),
        ],
      },
      options: {
        ...COMMON,
        scales: {
          x: { stacked: true },
          y: { stacked: false, beginAtZero: true },
        },
      },
    });
  }

  // ---- the latest verifications --------------------------------------------

  function cell(row, text, label) {
    const td = document.createElement('td');
    td.textContent = text;
    if (label) td.dataset.label = label;
    row.append(td);
  }

  let page = 1;

  /** The filters as the form says them, as a query string (no page). */
  function filters() {
    const query = new URLSearchParams();
    const set = (name, value) => {
      if (value) query.set(name, value);
    };
    set('trace_id_prefix', $('trace-id').value.trim());
    set('status', $('filter-status').value);
    set('caller', $('filter-caller').value.trim());
    set('from', $('filter-from').value);
    set('to', $('filter-to').value);
    return query;
  }

  async function loadRecent() {
    const query = filters();
    const filtered = query.size > 0;
    query.set('limit', '50');
    query.set('page', String(page));
    const answer = await api(`/board/verifications?${query}`);
    const { verifications } = answer;
    const body = $('recent-rows');
    body.replaceChildren();
    for (const v of verifications) {
      const row = document.createElement('tr');
      row.dataset.traceId = v.trace_id ?? '';
      row.dataset.requestId = v.request_id ?? '';
      cell(row, chinaTime(v.at), 'Time (China)');
      // A named key shows its name; the id stays in the tooltip.
      cell(row, v.caller_name ?? v.caller ?? '–', 'Caller');
      if (v.caller_name) row.lastChild.title = v.caller;
      cell(row, v.masked_phone ?? '(encrypted)', 'Phone');
      cell(row, v.error ? `${v.status} (${v.error})` : v.status, 'Status');
      cell(
        row,
        v.billed ? 'billed' : v.may_have_billed ? 'may have' : 'no',
        'Billed',
      );
      cell(row, v.answered_by, 'Answered by');
      // The id its caller got: AceData's, else the request's own.
      cell(row, v.trace_id ?? v.request_id ?? '–', 'trace_id');
      if (v.trace_id && v.request_id) {
        row.lastChild.title = `request ${v.request_id}`;
      }
      body.append(row);
    }
    if (verifications.length === 0) {
      const row = document.createElement('tr');
      cell(
        row,
        filtered
          ? 'No verification matches these filters.'
          : 'No verification yet.',
      );
      row.firstChild.colSpan = 7;
      body.append(row);
    }
    $('page-number').textContent = `page ${answer.page}`;
    $('page-number').dataset.page = String(answer.page);
    $('page-previous').disabled = answer.page <= 1;
    $('page-next').disabled = !answer.has_more;
  }

  async function downloadRows() {
    const csv = await api(`/board/verifications.csv?${filters()}`, 'text/csv');
    save(csv, 'verifications.csv');
  }

  function save(blob, name) {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  // ---- reconciliation ----------------------------------------------------------

  function range() {
    return `from=${$('range-from').value}&to=${$('range-to').value}`;
  }

  async function loadRange() {
    const usage = await api(`/usage?${range()}`);
    const t = usage.totals;
    metric('range-upstream-calls', t.upstream_calls);
    metric('range-billed', t.billed);
    metric('range-may-have-billed', t.may_have_billed);
    metric('range-cache-hits', t.cache_hits);
    metric('range-shared', t.shared);
    metric('range-budget-refused', t.budget_refused);
    metric('range-rejected', t.rejected);
    const body = $('range-codes');
    body.replaceChildren();
    for (const code of usage.by_code) {
      const row = document.createElement('tr');
      cell(row, String(code.code));
      cell(row, code.status);
      cell(row, String(code.answers));
      cell(row, String(code.billed));
      body.append(row);
    }
  }

  async function downloadCsv() {
    const csv = await api(`/usage.csv?${range()}`, 'text/csv');
    save(csv, `usage-${$('range-from').value}-${$('range-to').value}.csv`);
  }

  // ---- loading -------------------------------------------------------------

  async function load() {
    showBoard();
    try {
      summary = await api('/board/summary');
      renderToday(summary);
      renderOutcomes(summary);
      renderDays(summary);
      if (!$('range-from').value) {
        $('range-from').value = summary.days[0].day;
        $('range-to').value = summary.day;
      }
      await Promise.all([loadRecent(), loadRange()]);
      $('board-error').hidden = true;
      const asOf = new Date();
      $('as-of').textContent = `as of ${chinaTime(asOf)} (China time)`;
      $('as-of').dataset.asOf = asOf.toISOString();
      document.body.dataset.loaded = 'true';
    } catch (error) {
      if (error.message === 'signed out') return;
      $('board-error').textContent =
        `The board could not be loaded: ${error.message}`;
      $('board-error').hidden = false;
    }
  }

  function guarded(work) {
    return (event) => {
      event?.preventDefault();
      work().catch((error) => {
        if (error.message === 'signed out') return;
        $('board-error').textContent = error.message;
        $('board-error').hidden = false;
      });
    };
  }

  $('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('operator-key');
    sessionStorage.setItem(KEY, input.value.trim());
    input.value = '';
    void load();
  });
  $('sign-out').addEventListener('click', () => showSignIn());
  $('trace-filter').addEventListener(
    'submit',
    guarded(() => {
      page = 1;
      return loadRecent();
    }),
  );
  $('trace-clear').addEventListener(
    'click',
    guarded(() => {
      $('trace-filter').reset();
      page = 1;
      return loadRecent();
    }),
  );
  $('page-next').addEventListener(
    'click',
    guarded(() => {
      page += 1;
      return loadRecent();
    }),
  );
  $('page-previous').addEventListener(
    'click',
    guarded(() => {
      page = Math.max(1, page - 1);
      return loadRecent();
    }),
  );
  $('rows-csv').addEventListener('click', guarded(downloadRows));
  $('range-form').addEventListener('submit', guarded(loadRange));
  $('csv-download').addEventListener('click', guarded(downloadCsv));

  $('refresh').addEventListener('click', () => void load());
  // Every 30 s while signed in and the tab is shown: the "as of" time says
  // how fresh the figures are.
  setInterval(() => {
    if (key() && !$('board').hidden && !document.hidden) void load();
  }, REFRESH_MS);

  if (key()) void load();
  else showSignIn();
})();
