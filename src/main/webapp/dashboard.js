/*
 * Tasker worker dashboard: plain browser JavaScript, no build step, no external assets.
 *
 * Reads (open): GET api/worker, api/worker/handlers, api/tasks?limit=N, api/tasks/{uuid},
 * api/tasks/{uuid}/steps, api/domain-events. Writes (role tasker-operator, HTTP basic):
 * POST api/tasks, DELETE api/tasks/{uuid}, POST api/worker/pause|resume.
 *
 * The page polls once a second while it is visible and "Live updates" is on. Every value from
 * the server is written with textContent or SVG attributes, never as HTML: task contexts, results,
 * errors and event payloads come from whoever created the task. The server's Content-Security-Policy
 * allows this file and dashboard.css only, so no inline script or style attribute may be added.
 */
(function () {
  'use strict';

  var POLL_MS = 1000;
  var TASK_LIMIT = 15;
  var EVENT_LIMIT = 25;
  var HANDLER_EVERY = 10; // handlers change rarely: refresh every 10th tick
  var REQUEST_TIMEOUT_MS = 8000;
  var SVG_NS = 'http://www.w3.org/2000/svg';

  /* Step states in display order, with the text shown next to the colour. */
  var STEP_STATES = [
    ['pending', 'pending'],
    ['enqueued', 'enqueued'],
    ['in_progress', 'in progress'],
    ['enqueued_for_orchestration', 'done, finalising'],
    ['enqueued_as_error_for_orchestration', 'failed, finalising'],
    ['waiting_for_retry', 'waiting for retry'],
    ['complete', 'complete'],
    ['error', 'error'],
    ['cancelled', 'cancelled'],
    ['resolved_manually', 'resolved manually']
  ];
  var STATE_LABEL = {};
  STEP_STATES.forEach(function (s) { STATE_LABEL[s[0]] = s[1]; });
  /* Task states borrow the colour of the closest step state. */
  var TASK_STATE_COLOUR = {
    initializing: 'pending', enqueuing_steps: 'enqueued', steps_in_process: 'in_progress',
    evaluating_results: 'enqueued_for_orchestration', waiting_for_dependencies: 'pending',
    blocked_by_failures: 'error', all_complete: 'complete', processing: 'in_progress'
  };
  /* Fills light enough to need dark text. */
  var LIGHT_STATES = { pending: true, in_progress: true, waiting_for_retry: true, unknown: true };

  var ui = {};
  var model = {
    tick: 0,
    live: true,
    running: false,
    timer: null,
    selected: null,
    dagSignature: null,
    auth: loadAuth()
  };

  /* ---------- small helpers ---------- */

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] !== undefined && attrs[k] !== null) { e.setAttribute(k, attrs[k]); }
      });
    }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG_NS, tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  /* First defined value among several field names (the REST resources use snake_case or camelCase); "a.b" walks. */
  function pick(obj) {
    if (!obj || typeof obj !== 'object') { return undefined; }
    for (var i = 1; i < arguments.length; i++) {
      var path = arguments[i].split('.');
      var v = obj;
      for (var j = 0; j < path.length && v !== undefined && v !== null; j++) { v = v[path[j]]; }
      if (v !== undefined && v !== null) { return v; }
    }
    return undefined;
  }

  /* A list either as the body itself or inside one of the usual wrapper fields. */
  function listOf(data) {
    if (Array.isArray(data)) { return data; }
    var inner = pick(data, 'items', 'tasks', 'steps', 'recent', 'events', 'handlers', 'data', 'results');
    return Array.isArray(inner) ? inner : [];
  }

  /* The last 8 hex digits: UUIDv7 (the engine's) starts with a timestamp, so the first ones repeat. */
  function shortId(uuid) { return uuid ? '…' + String(uuid).replace(/-/g, '').slice(-8) : ''; }

  function formatTime(value) {
    if (value === undefined || value === null || value === '') { return ''; }
    var d = typeof value === 'number' ? new Date(value) : new Date(String(value));
    if (isNaN(d.getTime())) { return String(value); }
    var now = new Date();
    var sameDay = d.toDateString() === now.toDateString();
    return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
  }

  function pretty(value) {
    if (value === undefined || value === null) { return ''; }
    if (typeof value === 'string') { return value; }
    try { return JSON.stringify(value, null, 2); } catch (e) { return String(value); }
  }

  function stateKey(s) {
    if (s === undefined || s === null) { return 'unknown'; }
    return String(s).toLowerCase().replace(/[\s-]+/g, '_');
  }

  function stateBadge(s) {
    var key = stateKey(s);
    var colour = STATE_LABEL[key] ? key : (TASK_STATE_COLOUR[key] || 'unknown');
    var span = el('span', { 'class': 'state', 'data-state': key },
      STATE_LABEL[key] || String(s || 'unknown').replace(/_/g, ' '));
    span.style.setProperty('--dot', 'var(--s-' + colour + ')');
    return span;
  }

  function notice(message) {
    if (message) {
      ui.notice.textContent = message;
      ui.notice.hidden = false;
    } else {
      ui.notice.hidden = true;
      ui.notice.textContent = '';
    }
  }

  /* ---------- authentication (HTTP basic, kept in sessionStorage of this tab) ---------- */

  function loadAuth() {
    try {
      var raw = window.sessionStorage.getItem('tasker.auth');
      return raw ? JSON.parse(raw) : null;
    } catch (e) { return null; }
  }

  function saveAuth(auth) {
    model.auth = auth;
    try {
      if (auth) { window.sessionStorage.setItem('tasker.auth', JSON.stringify(auth)); }
      else { window.sessionStorage.removeItem('tasker.auth'); }
    } catch (e) { /* storage may be disabled: keep it in memory */ }
    renderAuth();
  }

  function basicToken(user, password) {
    var bytes = new TextEncoder().encode(user + ':' + password);
    var bin = '';
    bytes.forEach(function (b) { bin += String.fromCharCode(b); });
    return window.btoa(bin);
  }

  function renderAuth() {
    var signedIn = !!model.auth;
    ui.authStatus.textContent = signedIn ? 'Signed in as ' + model.auth.user : 'Not signed in';
    ui.signinToggle.hidden = signedIn;
    ui.signoutBtn.hidden = !signedIn;
    if (signedIn) { showSignin(false); }
  }

  function showSignin(show) {
    ui.signinForm.hidden = !show;
    ui.signinToggle.setAttribute('aria-expanded', show ? 'true' : 'false');
    if (show) { ui.signinUser.focus(); }
  }

  /* ---------- HTTP ---------- */

  function api(path, options) {
    options = options || {};
    var headers = { 'Accept': 'application/json' };
    var body;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    if (options.auth && model.auth) { headers.Authorization = 'Basic ' + model.auth.token; }
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    return fetch(path, {
      method: options.method || 'GET',
      headers: headers,
      body: body,
      cache: 'no-store',
      credentials: 'same-origin',
      signal: controller.signal
    }).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        if (text) {
          try { data = JSON.parse(text); } catch (e) { data = text; }
        }
        return { ok: res.ok, status: res.status, data: data };
      });
    }).finally(function () { clearTimeout(timer); });
  }

  function errorText(res) {
    if (res.status === 401) { return 'Sign-in required, or the user or password is wrong (401).'; }
    if (res.status === 403) { return 'This account is not in the role tasker-operator (403).'; }
    if (res.status === 409) {
      return 'A task with the same template and context already exists (409). Change the context to run it again.';
    }
    var msg = typeof res.data === 'string' ? res.data : pick(res.data, 'message', 'error.message', 'error', 'detail');
    if (msg && typeof msg === 'object') { msg = JSON.stringify(msg); }
    return 'HTTP ' + res.status + (msg ? ': ' + String(msg).slice(0, 300) : '');
  }

  /* ---------- worker, handlers ---------- */

  function renderWorker(res) {
    if (!res || !res.ok || !res.data || typeof res.data !== 'object') {
      ui.workerState.textContent = 'unreachable';
      ui.workerState.dataset.state = 'unreachable';
      return;
    }
    var w = res.data;
    var paused = pick(w, 'paused', 'pollingPaused', 'polling_paused') === true;
    var st = String(pick(w, 'state', 'status', 'lifecycle') || 'unknown').toLowerCase();
    var shown = paused && (st === 'running' || st === 'unknown') ? 'paused' : st;
    ui.workerState.textContent = shown;
    ui.workerState.dataset.state = shown;
    ui.pauseBtn.disabled = paused;
    ui.resumeBtn.disabled = !paused;

    var used = pick(w, 'slotsInUse', 'slots_in_use', 'slotsUsed', 'slots_used', 'slots.used', 'slots.inUse',
      'inFlight', 'in_flight', 'activeSteps', 'active_steps');
    var total = pick(w, 'slotCount', 'slot_count', 'slotsTotal', 'slots_total', 'slots.total', 'slots.max',
      'maxConcurrentSteps', 'max_concurrent_steps', 'maxConcurrency', 'max_concurrency');
    ui.slotsUsed.textContent = used === undefined ? '–' : String(used);
    ui.slotsTotal.textContent = total === undefined ? '–' : String(total);
    var max = Number(total) > 0 ? Number(total) : 1;
    ui.slotsMeter.max = max;
    ui.slotsMeter.value = Math.min(Number(used) || 0, max);
    ui.slotsMeter.textContent = (used === undefined ? 0 : used) + ' of ' + (total === undefined ? '?' : total);

    /* Every other scalar field, as facts: the page keeps up with new fields without a change. */
    var skip = /^(state|status|paused|slots.*|slot.*|inflight|in_flight|activesteps|active_steps|handlers|library_path)$/i;
    var preferred = ['worker_id', 'workerId', 'library_version', 'handler_count', 'events_received', 'succeeded',
      'failed', 'pending', 'draining', 'starvation_detected'];
    clear(ui.workerFacts);
    var keys = Object.keys(w).filter(function (k) {
      var v = w[k];
      return !skip.test(k) && v !== null && (typeof v !== 'object');
    }).sort(function (a, b) {
      var ia = preferred.indexOf(a), ib = preferred.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    }).slice(0, 10);
    keys.forEach(function (k) {
      ui.workerFacts.appendChild(el('dt', null, k.replace(/_/g, ' ')));
      ui.workerFacts.appendChild(el('dd', null, String(w[k])));
    });
    if (paused) {
      ui.workerFacts.appendChild(el('dt', null, 'polling'));
      ui.workerFacts.appendChild(el('dd', null, 'paused'));
    }
  }

  function renderHandlers(res) {
    if (!res || !res.ok) { return; }
    var list = listOf(res.data);
    if (!list.length && res.data && typeof res.data === 'object' && !Array.isArray(res.data)) {
      list = Object.keys(res.data).map(function (k) { return { name: k, info: res.data[k] }; });
    }
    clear(ui.handlers);
    ui.handlerCount.textContent = '(' + list.length + ')';
    list.forEach(function (h) {
      var name = typeof h === 'string' ? h : pick(h, 'name', 'callable', 'handlerName', 'handler_name');
      var version = typeof h === 'object' ? pick(h, 'version', 'info.version') : undefined;
      var li = el('li', { 'data-handler': name });
      li.appendChild(el('code', null, name));
      if (version) { li.appendChild(el('span', { 'class': 'muted' }, ' ' + version)); }
      ui.handlers.appendChild(li);
    });
    if (!list.length) { ui.handlers.appendChild(el('li', { 'class': 'muted' }, 'none registered')); }
  }

  /* ---------- tasks ---------- */

  function taskUuid(t) { return pick(t, 'task_uuid', 'taskUuid', 'uuid', 'id'); }

  function renderTasks(res) {
    if (!res || !res.ok) {
      if (res && res.status) { notice('Could not list tasks: ' + errorText(res)); }
      return;
    }
    var tasks = listOf(res.data);
    model.tasks = tasks;
    clear(ui.tasksBody);
    if (!tasks.length) {
      var tr = el('tr');
      tr.appendChild(el('td', { colspan: '4', 'class': 'muted' }, 'No tasks yet. Create one above.'));
      ui.tasksBody.appendChild(tr);
      return;
    }
    tasks.forEach(function (t) {
      var uuid = taskUuid(t);
      var status = pick(t, 'status', 'state', 'task_state');
      var selected = uuid === model.selected;
      var row = el('tr', { 'data-task-uuid': uuid, 'data-state': stateKey(status), 'class': selected ? 'selected' : null });
      var cell = el('td');
      var btn = el('button', { type: 'button', 'class': 'row-btn', 'aria-current': selected ? 'true' : null,
        'aria-label': 'Show task ' + (pick(t, 'name') || '') + ' ' + shortId(uuid) });
      btn.appendChild(document.createTextNode((pick(t, 'name') || 'task') + ' '));
      btn.appendChild(el('span', { 'class': 'mono', title: uuid }, shortId(uuid)));
      btn.addEventListener('click', function () { select(uuid); });
      cell.appendChild(btn);
      row.appendChild(cell);
      var stCell = el('td');
      stCell.appendChild(stateBadge(status));
      row.appendChild(stCell);
      var done = pick(t, 'completed_steps', 'completedSteps');
      var total = pick(t, 'total_steps', 'totalSteps', 'step_count', 'stepCount');
      row.appendChild(el('td', null, total === undefined ? '' : (done === undefined ? '?' : done) + ' / ' + total));
      row.appendChild(el('td', null, formatTime(pick(t, 'created_at', 'createdAt'))));
      ui.tasksBody.appendChild(row);
    });
  }

  function select(uuid) {
    model.selected = uuid;
    model.dagSignature = null;
    model.stepsSignature = null;
    clear(ui.stepsBody); // open result panels belong to the previous task
    document.body.dataset.selectedTask = uuid || '';
    if (window.history && window.history.replaceState) { // a link to the page opens this task
      window.history.replaceState(null, '', uuid ? '#task=' + encodeURIComponent(uuid) : '#');
    }
    Array.prototype.forEach.call(ui.tasksBody.querySelectorAll('tr'), function (tr) {
      var on = tr.getAttribute('data-task-uuid') === uuid;
      tr.classList.toggle('selected', on);
      var btn = tr.querySelector('button');
      if (btn) {
        if (on) { btn.setAttribute('aria-current', 'true'); } else { btn.removeAttribute('aria-current'); }
      }
    });
    refreshSelected();
  }

  function refreshSelected() {
    var uuid = model.selected;
    if (!uuid) {
      ui.detailEmpty.hidden = false;
      ui.detailBody.hidden = true;
      return Promise.resolve();
    }
    var base = 'api/tasks/' + encodeURIComponent(uuid);
    return Promise.all([api(base), api(base + '/steps')]).then(function (r) {
      if (uuid !== model.selected) { return; }
      renderTaskDetail(r[0], r[1]);
    }, function () { /* network error: keep what is shown */ });
  }

  function renderTaskDetail(taskRes, stepsRes) {
    ui.detailEmpty.hidden = true;
    ui.detailBody.hidden = false;
    var task = taskRes && taskRes.ok && taskRes.data && typeof taskRes.data === 'object' ? taskRes.data : null;
    if (!task && model.tasks) {
      task = model.tasks.filter(function (t) { return taskUuid(t) === model.selected; })[0] || null;
    }
    ui.detailTitle.textContent = 'Task ' + (task ? (pick(task, 'name') || '') + ' ' : '') + shortId(model.selected);
    ui.taskDetail.dataset.taskUuid = model.selected;
    ui.taskDetail.dataset.state = stateKey(task ? pick(task, 'status', 'state') : 'unknown');

    clear(ui.taskFacts);
    if (task) {
      [['uuid', taskUuid(task)], ['status', pick(task, 'status', 'state')],
        ['execution', pick(task, 'execution_status', 'executionStatus')],
        ['template', [pick(task, 'namespace'), pick(task, 'name'), pick(task, 'version')].filter(Boolean).join(' / ')],
        ['correlation id', pick(task, 'correlation_id', 'correlationId')],
        ['created', formatTime(pick(task, 'created_at', 'createdAt'))],
        ['completed', formatTime(pick(task, 'completed_at', 'completedAt'))]
      ].forEach(function (f) {
        if (f[1] === undefined || f[1] === '') { return; }
        ui.taskFacts.appendChild(el('dt', null, f[0]));
        var dd = el('dd', null, String(f[1]));
        if (f[0] === 'status') { dd.setAttribute('data-field', 'status'); }
        ui.taskFacts.appendChild(dd);
      });
    }

    /* The task's input, as text; rewritten only on change so an open panel keeps its scroll position. */
    var input = task ? pretty(pick(task, 'context')) : '';
    if (ui.taskInputBody.textContent !== input) { ui.taskInputBody.textContent = input; }
    ui.taskInput.hidden = !input;

    var steps = stepsRes && stepsRes.ok ? listOf(stepsRes.data) : [];
    if (!steps.length && task) { steps = listOf(pick(task, 'steps')); }
    renderSteps(steps);
    renderDag(steps);
    var st = stateKey(task ? pick(task, 'status', 'state') : '');
    ui.cancelBtn.disabled = ['complete', 'error', 'cancelled', 'resolved_manually'].indexOf(st) >= 0;
  }

  function stepName(s) { return pick(s, 'name', 'step_name', 'stepName', 'named_step', 'step_uuid', 'stepUuid'); }
  function stepState(s) { return stateKey(pick(s, 'current_state', 'currentState', 'state', 'status')); }
  function stepDeps(s) {
    var d = pick(s, 'dependencies', 'depends_on', 'dependsOn', 'parents', 'parent_names', 'parentNames');
    if (d === undefined) { return undefined; }
    return Array.isArray(d) ? d.map(function (x) { return typeof x === 'string' ? x : stepName(x); }) : [];
  }

  function renderSteps(steps) {
    /* Redraw only on change, and keep open result panels open across redraws. */
    var signature = model.selected + JSON.stringify(steps);
    if (signature === model.stepsSignature) { return; }
    model.stepsSignature = signature;
    var open = {};
    Array.prototype.forEach.call(ui.stepsBody.querySelectorAll('tr[data-step] details[open]'), function (d) {
      open[d.closest('tr').getAttribute('data-step')] = true;
    });
    clear(ui.stepsBody);
    if (!steps.length) {
      var tr = el('tr');
      tr.appendChild(el('td', { colspan: '4', 'class': 'muted' }, 'No steps reported yet.'));
      ui.stepsBody.appendChild(tr);
      return;
    }
    steps.forEach(function (s) {
      var tr = el('tr', { 'data-step': stepName(s), 'data-state': stepState(s) });
      tr.appendChild(el('th', { scope: 'row' }, stepName(s)));
      var st = el('td');
      st.appendChild(stateBadge(stepState(s)));
      tr.appendChild(st);
      var attempts = pick(s, 'attempts');
      var max = pick(s, 'max_attempts', 'maxAttempts');
      tr.appendChild(el('td', null, attempts === undefined ? '' : attempts + (max !== undefined ? ' / ' + max : '')));
      var cell = el('td');
      var results = pick(s, 'results', 'result');
      var error = pick(s, 'error', 'last_error', 'lastError', 'results.error');
      var output = results && typeof results === 'object' && 'result' in results ? results.result : results;
      if (error) {
        var msg = typeof error === 'object' ? pick(error, 'message') || JSON.stringify(error) : String(error);
        var type = typeof error === 'object' ? pick(error, 'error_type', 'errorType') : undefined;
        cell.appendChild(el('div', { 'class': 'error-text' }, (type ? type + ': ' : '') + msg));
      }
      if (output !== undefined && output !== null && !(error && output === results)) {
        var det = el('details', open[stepName(s)] ? { open: '' } : null);
        det.appendChild(el('summary', null, 'result'));
        det.appendChild(el('pre', { 'class': 'payload' }, pretty(output)));
        cell.appendChild(det);
      }
      tr.appendChild(cell);
      ui.stepsBody.appendChild(tr);
    });
  }

  /* ---------- the DAG as an inline SVG ---------- */

  function layout(steps) {
    var names = steps.map(stepName);
    var index = {};
    names.forEach(function (n, i) { index[n] = i; });
    var known = steps.some(function (s) { return stepDeps(s) !== undefined; });
    var deps = steps.map(function (s) {
      return (stepDeps(s) || []).filter(function (d) { return d in index && d !== stepName(s); });
    });
    var level = new Array(steps.length);
    function depth(i, seen) {
      if (level[i] !== undefined) { return level[i]; }
      if (seen[i]) { return 0; } // a cycle: never expected, but never loop
      seen[i] = true;
      var l = 0;
      deps[i].forEach(function (d) { l = Math.max(l, depth(index[d], seen) + 1); });
      seen[i] = false;
      level[i] = l;
      return l;
    }
    if (known) {
      for (var i = 0; i < steps.length; i++) { depth(i, {}); }
    } else {
      for (var j = 0; j < steps.length; j++) { level[j] = j; } // no dependency data: creation order
    }
    var columns = [];
    level.forEach(function (l, i) { (columns[l] = columns[l] || []).push(i); });
    var row = new Array(steps.length);
    columns.forEach(function (col) {
      /* order each column by the mean row of its parents, which keeps most edges straight */
      col.sort(function (a, b) { return bary(a) - bary(b) || a - b; });
      col.forEach(function (i, r) { row[i] = r; });
    });
    function bary(i) {
      if (!deps[i].length) { return i; }
      var sum = 0;
      deps[i].forEach(function (d) { sum += row[index[d]] === undefined ? 0 : row[index[d]]; });
      return sum / deps[i].length;
    }
    return { names: names, index: index, deps: deps, level: level, row: row, columns: columns, known: known };
  }

  function renderDag(steps) {
    var signature = JSON.stringify(steps.map(function (s) { return [stepName(s), stepState(s), stepDeps(s)]; }));
    if (signature === model.dagSignature) { return; }
    model.dagSignature = signature;
    clear(ui.dag);
    if (!steps.length) {
      ui.dagCaption.textContent = '';
      return;
    }
    var L = layout(steps);
    var W = 156, H = 48, GX = 64, GY = 20, PAD = 16;
    var maxRows = 0;
    L.columns.forEach(function (c) { if (c && c.length > maxRows) { maxRows = c.length; } });
    var width = PAD * 2 + L.columns.length * W + (L.columns.length - 1) * GX;
    var height = PAD * 2 + maxRows * H + (maxRows - 1) * GY;
    function pos(i) {
      var col = L.columns[L.level[i]];
      var offset = (maxRows - col.length) * (H + GY) / 2;
      return { x: PAD + L.level[i] * (W + GX), y: PAD + offset + L.row[i] * (H + GY) };
    }

    var desc = steps.map(function (s, i) {
      return stepName(s) + ': ' + (STATE_LABEL[stepState(s)] || stepState(s)) +
        (L.deps[i].length ? ', after ' + L.deps[i].join(' and ') : '');
    }).join('; ');
    var root = svg('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height,
      role: 'img', 'aria-labelledby': 'dag-title dag-desc', 'data-edges': '0' });
    root.appendChild(svg('title', { id: 'dag-title' }, 'Workflow graph of task ' + shortId(model.selected)));
    root.appendChild(svg('desc', { id: 'dag-desc' }, desc));
    var defs = svg('defs');
    var marker = svg('marker', { id: 'dag-arrow', viewBox: '0 0 10 10', refX: '9', refY: '5',
      markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' });
    marker.appendChild(svg('path', { d: 'M0,0 L10,5 L0,10 z', 'class': 'arrow' }));
    defs.appendChild(marker);
    root.appendChild(defs);

    var edges = 0;
    var edgeLayer = svg('g', { 'class': 'edges' });
    L.deps.forEach(function (ds, i) {
      var to = pos(i);
      ds.forEach(function (d) {
        var from = pos(L.index[d]);
        var x1 = from.x + W, y1 = from.y + H / 2, x2 = to.x - 2, y2 = to.y + H / 2, mx = (x1 + x2) / 2;
        edgeLayer.appendChild(svg('path', { 'class': 'edge', d: 'M' + x1 + ',' + y1 + ' C' + mx + ',' + y1 +
          ' ' + mx + ',' + y2 + ' ' + x2 + ',' + y2, 'marker-end': 'url(#dag-arrow)',
          'data-from': d, 'data-to': L.names[i] }));
        edges++;
      });
    });
    root.appendChild(edgeLayer);
    root.setAttribute('data-edges', String(edges));

    steps.forEach(function (s, i) {
      var p = pos(i);
      var st = stepState(s);
      var g = svg('g', { 'class': 'node' + (LIGHT_STATES[st] || !STATE_LABEL[st] ? ' light' : ''),
        transform: 'translate(' + p.x + ',' + p.y + ')', 'data-step': stepName(s), 'data-state': st });
      g.appendChild(svg('title', null, stepName(s) + ' — ' + (STATE_LABEL[st] || st)));
      var rect = svg('rect', { width: W, height: H, rx: 8, ry: 8 });
      rect.style.fill = 'var(--s-' + (STATE_LABEL[st] ? st : 'unknown') + ')';
      g.appendChild(rect);
      var label = String(stepName(s));
      g.appendChild(svg('text', { x: 10, y: 20 }, label.length > 22 ? label.slice(0, 21) + '…' : label));
      var attempts = pick(s, 'attempts');
      g.appendChild(svg('text', { x: 10, y: 37, 'class': 'sub' },
        (STATE_LABEL[st] || st) + (attempts ? ' · try ' + attempts : '')));
      root.appendChild(g);
    });
    ui.dag.appendChild(root);
    ui.dagCaption.textContent = L.known
      ? steps.length + ' steps, ' + edges + ' dependencies. Arrows point from a step to the steps that wait for it.'
      : steps.length + ' steps in creation order (the server did not report dependencies).';
  }

  function renderLegend() {
    clear(ui.legend);
    STEP_STATES.forEach(function (s) {
      var li = el('li');
      li.appendChild(stateBadge(s[0]));
      ui.legend.appendChild(li);
    });
  }

  /* ---------- domain events ---------- */

  function renderEvents(res) {
    if (!res || !res.ok) { return; }
    var events = listOf(res.data).slice();
    var stamp = function (e) {
      return pick(e, 'publishedAt', 'published_at', 'receivedAt', 'received_at', 'firedAt', 'fired_at',
        'timestamp', 'metadata.firedAt', 'metadata.fired_at', 'metadata.timestamp');
    };
    events.sort(function (a, b) { return String(stamp(b) || '').localeCompare(String(stamp(a) || '')); });
    ui.eventCount.textContent = '(' + events.length + ')';
    var open = {}; // payload panels the user opened stay open across refreshes
    Array.prototype.forEach.call(ui.eventsBody.querySelectorAll('tr[data-event-id] details[open]'), function (d) {
      open[d.closest('tr').getAttribute('data-event-id')] = true;
    });
    clear(ui.eventsBody);
    if (!events.length) {
      var tr = el('tr');
      tr.appendChild(el('td', { colspan: '6', 'class': 'muted' }, 'No domain events yet.'));
      ui.eventsBody.appendChild(tr);
      return;
    }
    events.slice(0, EVENT_LIMIT).forEach(function (e) {
      var id = pick(e, 'eventId', 'event_id', 'id');
      var tr = el('tr', { 'data-event-id': id });
      tr.appendChild(el('td', null, pick(e, 'eventName', 'event_name', 'name', 'type')));
      tr.appendChild(el('td', { 'class': 'mono' }, shortId(pick(e, 'taskUuid', 'task_uuid', 'metadata.taskUuid',
        'metadata.task_uuid'))));
      tr.appendChild(el('td', null, pick(e, 'stepName', 'step_name', 'metadata.stepName', 'metadata.step_name') || ''));
      var outcome = pick(e, 'outcome', 'status');
      var subs = pick(e, 'subscribers');
      var failures = pick(e, 'failures');
      tr.appendChild(el('td', { 'data-outcome': outcome }, (outcome || '') + (subs !== undefined ? ' · ' + subs +
        (subs === 1 ? ' subscriber' : ' subscribers') : '') + (failures ? ', ' + failures + ' failed' : '')));
      tr.appendChild(el('td', null, formatTime(stamp(e))));
      var payload = pick(e, 'payload');
      var cell = el('td');
      if (payload !== undefined) {
        var det = el('details', open[id] ? { open: '' } : null);
        det.appendChild(el('summary', null, 'payload'));
        det.appendChild(el('pre', { 'class': 'payload' }, pretty(payload)));
        cell.appendChild(det);
      }
      tr.appendChild(cell);
      ui.eventsBody.appendChild(tr);
    });
  }

  /* ---------- actions ---------- */

  function createTask(ev) {
    ev.preventDefault();
    var out = ui.createResult;
    out.className = '';
    var context;
    try {
      context = JSON.parse(ui.taskContext.value || '{}');
    } catch (e) {
      out.className = 'err';
      out.textContent = 'The context is not valid JSON: ' + e.message;
      ui.taskContext.focus();
      return;
    }
    if (!context || typeof context !== 'object' || Array.isArray(context)) {
      out.className = 'err';
      out.textContent = 'The context must be a JSON object, for example {"value":3}.';
      return;
    }
    if (!model.auth) {
      out.className = 'err';
      out.textContent = 'Sign in as an operator to create tasks.';
      showSignin(true);
      return;
    }
    var body = {
      name: ui.taskName.value.trim(),
      namespace: ui.taskNamespace.value.trim(),
      version: ui.taskVersion.value.trim(),
      context: context,
      initiator: 'dashboard:' + model.auth.user,
      source_system: 'dashboard',
      reason: 'Created from the worker dashboard'
    };
    ui.createBtn.disabled = true;
    out.textContent = 'Creating…';
    api('api/tasks', { method: 'POST', body: body, auth: true }).then(function (res) {
      if (res.ok) {
        var uuid = taskUuid(res.data) || pick(res.data, 'task.task_uuid', 'task.taskUuid');
        out.className = 'ok';
        out.textContent = 'Created task ' + (uuid || '');
        out.dataset.taskUuid = uuid || '';
        if (uuid) { select(uuid); }
        poll(true);
      } else {
        out.className = 'err';
        out.textContent = 'Not created. ' + errorText(res);
        if (res.status === 401) { showSignin(true); }
      }
    }, function (e) {
      out.className = 'err';
      out.textContent = 'Not created: ' + e.message;
    }).finally(function () { ui.createBtn.disabled = false; });
  }

  function workerAction(action) {
    if (!model.auth) {
      notice('Sign in as an operator to ' + action + ' the worker.');
      showSignin(true);
      return;
    }
    api('api/worker/' + action, { method: 'POST', auth: true }).then(function (res) {
      notice(res.ok ? null : 'Could not ' + action + ' the worker. ' + errorText(res));
      poll(true);
    });
  }

  function cancelTask() {
    var uuid = model.selected;
    if (!uuid) { return; }
    if (!model.auth) {
      notice('Sign in as an operator to cancel tasks.');
      showSignin(true);
      return;
    }
    if (!window.confirm('Cancel task ' + uuid + '?')) { return; }
    api('api/tasks/' + encodeURIComponent(uuid), { method: 'DELETE', auth: true }).then(function (res) {
      notice(res.ok ? null : 'Could not cancel the task. ' + errorText(res));
      poll(true);
    });
  }

  /* ---------- the polling loop ---------- */

  function poll(now) {
    if (now) { run(); return; }
    clearTimeout(model.timer);
    if (model.live && !document.hidden) { model.timer = setTimeout(run, POLL_MS); }
  }

  function run() {
    if (model.running) { return; }
    model.running = true;
    clearTimeout(model.timer);
    var tick = model.tick++;
    var jobs = [
      api('api/worker').then(renderWorker, function () { renderWorker(null); }),
      api('api/tasks?limit=' + TASK_LIMIT).then(renderTasks),
      api('api/domain-events?limit=' + EVENT_LIMIT).then(renderEvents),
      refreshSelected()
    ];
    if (tick % HANDLER_EVERY === 0) { jobs.push(api('api/worker/handlers').then(renderHandlers)); }
    Promise.allSettled(jobs).then(function () {
      ui.updated.textContent = 'Updated ' + new Date().toLocaleTimeString();
      document.body.dataset.ticks = String(model.tick);
      model.running = false;
      poll(false);
    });
  }

  /* ---------- start ---------- */

  function init() {
    ['worker-state', 'pause-btn', 'resume-btn', 'auth-status', 'signin-toggle', 'signout-btn', 'signin-form',
      'signin-user', 'signin-password', 'notice', 'slots-used', 'slots-total', 'slots-meter', 'worker-facts',
      'handlers', 'handler-count', 'create-form', 'task-name', 'task-namespace', 'task-version', 'task-context',
      'create-btn', 'create-result', 'live-toggle', 'tasks-body', 'task-detail', 'detail-title', 'detail-empty',
      'detail-body', 'task-facts', 'task-input', 'task-input-body', 'dag', 'dag-caption', 'legend', 'steps-body', 'cancel-btn', 'events-body',
      'event-count', 'updated'].forEach(function (id) {
      ui[id.replace(/-([a-z])/g, function (m, c) { return c.toUpperCase(); })] = $(id);
    });

    ui.signinToggle.addEventListener('click', function () { showSignin(ui.signinForm.hidden); });
    ui.signoutBtn.addEventListener('click', function () { saveAuth(null); });
    ui.signinForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var user = ui.signinUser.value.trim();
      saveAuth({ user: user, token: basicToken(user, ui.signinPassword.value) });
      ui.signinPassword.value = '';
      notice(null);
    });
    ui.createForm.addEventListener('submit', createTask);
    ui.pauseBtn.addEventListener('click', function () { workerAction('pause'); });
    ui.resumeBtn.addEventListener('click', function () { workerAction('resume'); });
    ui.cancelBtn.addEventListener('click', cancelTask);
    ui.liveToggle.addEventListener('change', function () {
      model.live = ui.liveToggle.checked;
      poll(model.live);
    });
    document.addEventListener('visibilitychange', function () { if (!document.hidden) { poll(true); } });

    renderAuth();
    renderLegend();
    var linked = /^#task=([0-9a-fA-F-]{36})$/.exec(window.location.hash);
    if (linked) { select(linked[1]); }
    document.body.dataset.ready = 'true';
    poll(true);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
