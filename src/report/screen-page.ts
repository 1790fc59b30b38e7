/**
 * The room's screen (`gameday screen`): one self-contained page for a TV — inline styles and script,
 * no fonts, images or requests beyond its own origin's event stream. It draws whatever ScreenView
 * (core/screen-view.ts) the server streams; it holds no drill logic and no secrets of its own, so
 * what it can show is decided by the view model alone. Data is put in the page with textContent
 * only (a hint or a probe's detail is text, never markup). The clock ticks here, between updates,
 * from the last view's time and the moment it arrived (no reliance on the TV's clock being right).
 */

const STYLE = `
*{box-sizing:border-box}
html,body{margin:0;height:100%;background:#0b1220;color:#e6edf7;font:20px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
body{display:flex;flex-direction:column;padding:28px 36px;gap:20px}
header{display:flex;align-items:baseline;gap:24px}
h1{font-size:46px;margin:0;font-weight:700;flex:1;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.badge{font-size:22px;font-weight:700;padding:4px 16px;border-radius:999px;background:#344054;text-transform:uppercase;letter-spacing:.06em}
.badge.live{background:#b42318}.badge.briefing{background:#1570ef}.badge.ended{background:#1a7f37}.badge.waiting{background:#475467}
.meta{color:#98a2b3;font-size:18px}
#conn{font-size:16px;color:#98a2b3}#conn.down{color:#f97066}
main{flex:1;display:grid;grid-template-columns:560px 1fr 520px;gap:20px;min-height:0}
section.card{background:#111a2e;border:1px solid #1f2a44;border-radius:16px;padding:18px 22px;overflow:hidden;display:flex;flex-direction:column;gap:8px}
.col{display:flex;flex-direction:column;gap:20px;min-height:0}
h2{margin:0;font-size:18px;text-transform:uppercase;letter-spacing:.08em;color:#98a2b3;font-weight:600}
#clock{font:700 150px/1 ui-monospace,"DejaVu Sans Mono",Menlo,monospace;letter-spacing:-.02em;text-align:center;padding:10px 0}
#clock-sub{text-align:center;color:#98a2b3}
ul{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:8px}
li{display:flex;gap:12px;align-items:baseline}
.dot{width:16px;height:16px;border-radius:50%;flex:none;align-self:center;background:#667085}
.ok .dot{background:#12b76a}.bad .dot{background:#f04438}.warn .dot{background:#f79009}
.when{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;color:#98a2b3;min-width:88px;text-align:right;flex:none}
.grow{flex:1}
.pill{font-size:16px;padding:2px 12px;border-radius:999px;background:#344054;flex:none}
.pill.met{background:#1a7f37}.pill.missed{background:#b42318}.pill.pending{background:#344054}
#briefing{white-space:pre-wrap;font-size:24px;line-height:1.45}
#hints li{flex-direction:column;gap:2px;background:#0f2547;border-left:4px solid #2e90fa;padding:8px 12px;border-radius:8px}
#hints .text{font-size:24px}
#log{font-size:18px;flex:1;min-height:0;overflow:hidden;justify-content:flex-end;-webkit-mask-image:linear-gradient(to bottom,transparent,#000 56px);mask-image:linear-gradient(to bottom,transparent,#000 56px)}#log li{gap:16px;flex:none}
.tone-good{color:#75e0a7}.tone-bad{color:#fda29b}.tone-warn{color:#fec84b}.tone-info{color:#b2ddff}.tone-dim{color:#98a2b3}
#result{display:none;gap:36px;align-items:center;background:#111a2e;border:2px solid #1a7f37;border-radius:16px;padding:16px 28px}
#result.failed{border-color:#b42318}
#score{font:700 84px/1 system-ui,sans-serif}
.empty{color:#667085;font-style:italic}
`;

const SCRIPT = String.raw`
'use strict';
var view = null, receivedAt = 0, followsLatest = document.body.dataset.follows === 'latest';
function $(id){ return document.getElementById(id); }
function el(tag, cls, text){ var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
function pad(n){ return n < 10 ? '0' + n : String(n); }
function clockText(ms){ var s = Math.max(0, Math.floor(ms / 1000)), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60; return (h ? h + ':' + pad(m) : String(m)) + ':' + pad(s % 60); }
function dur(ms){ var s = Math.max(0, Math.round(ms / 1000)); if (s < 60) return s + 's'; var m = Math.floor(s / 60); if (m < 60) return m + 'm' + (s % 60 ? pad(s % 60) + 's' : ''); return Math.floor(m / 60) + 'h' + pad(m % 60) + 'm'; }
function at(ms){ return (ms < 0 ? '-' : '+') + clockText(Math.abs(ms)); }
function fill(id, items, render, emptyText){ var list = $(id); list.textContent = ''; if (!items.length && emptyText) list.appendChild(el('li', 'empty', emptyText)); items.forEach(function(x){ list.appendChild(render(x)); }); }
var PHASE = { waiting: 'waiting', briefing: 'briefing', live: 'live', ended: 'ended' };
var MARK = { detected: 'Team detected the problem', diagnosed: 'Team found the root cause', mitigated: 'Team mitigated the impact' };

function render(){
  var v = view; if (!v) return;
  document.title = v.title + ' — game day';
  document.body.dataset.seq = String(v.seq);
  document.body.dataset.phase = v.phase;
  document.body.dataset.drill = v.drillId || '';
  $('title').textContent = v.title;
  var badge = $('phase'); badge.textContent = PHASE[v.phase] || v.phase; badge.className = 'badge ' + v.phase;
  $('meta').textContent = v.drillId ? v.drillId + (v.env ? ' · ' + v.env : '') : '';
  $('briefing').textContent = v.briefing || (v.phase === 'waiting' ? 'The briefing appears when the drill starts.' : 'No briefing.');
  $('runbook').textContent = v.runbook ? 'Runbook: ' + v.runbook : '';
  fill('hints', v.hints, function(h){ var li = el('li'); li.appendChild(el('span', 'meta', 'Hint ' + h.number + ' · ' + at(h.atMs))); li.appendChild(el('span', 'text', h.text)); return li; }, 'No hints revealed.');
  $('hint-count').textContent = v.hintCount !== undefined ? v.hints.length + ' of ' + v.hintCount + ' revealed' : '';
  fill('marks', v.marks, function(m){ var li = el('li', 'ok'); li.appendChild(el('span', 'when', at(m.atMs))); li.appendChild(el('span', 'grow', (MARK[m.mark] || m.mark) + (m.text ? ': ' + m.text : ''))); return li; }, 'Nothing marked yet.');
  fill('faults', v.faults, function(f){ var bad = f.status === 'active' || f.status === 'intended' || f.status === 'reverting' || f.status === 'revert-failed'; var li = el('li', bad ? 'warn' : 'ok'); li.appendChild(el('span', 'dot')); li.appendChild(el('span', 'grow', f.label + (f.kind ? ' · ' + f.kind + ' on ' + f.target : ''))); li.appendChild(el('span', 'pill', f.status)); return li; }, 'No faults injected.');
  fill('log', v.log, function(l){ var li = el('li', 'tone-' + l.tone); li.appendChild(el('span', 'when', at(l.atMs))); li.appendChild(el('span', 'grow', l.text)); return li; });
  renderResult(v);
  tick();
}

function renderResult(v){
  var box = $('result');
  if (!v.result) { box.style.display = 'none'; return; }
  box.style.display = 'flex'; box.className = v.result.passed ? '' : 'failed';
  $('score').textContent = v.result.score + '/100';
  $('verdict').textContent = v.result.passed ? 'Objectives met' : v.result.endReason === 'completed' ? 'Objectives not met' : 'Drill ' + (v.result.endReason || 'ended');
  $('verdict-sub').textContent = 'Hints used: ' + v.result.hintsUsed + (v.result.durationMs !== undefined ? ' · drill lasted ' + dur(v.result.durationMs) : '');
}

/** What moves between updates: the clock, the countdowns, the probes' "for 2m". */
function tick(){
  var v = view; if (!v) return;
  var age = v.phase === 'ended' ? 0 : Date.now() - receivedAt, ms = v.clock.ms + (v.clock.running ? age : 0);
  $('clock').textContent = clockText(ms);
  $('clock-sub').textContent = v.phase === 'ended' ? 'the drill has ended' : v.phase === 'live' ? (v.clock.limitMs ? 'time left ' + clockText(v.clock.limitMs - ms) : 'since the failure began') : v.phase === 'briefing' ? 'the clock starts with the first fault' : '';
  fill('objectives', v.objectives, function(o){
    var state = o.met === true ? 'met' : o.met === false ? 'missed' : 'pending';
    var li = el('li', state === 'met' ? 'ok' : state === 'missed' ? 'bad' : '');
    li.appendChild(el('span', 'dot'));
    li.appendChild(el('span', 'grow', o.label + (o.withinMs !== undefined ? ' ≤ ' + dur(o.withinMs) : '')));
    var left = o.withinMs !== undefined && o.ms === undefined && v.phase === 'live' ? o.withinMs - ms : undefined;
    li.appendChild(el('span', 'pill ' + state, o.ms !== undefined ? dur(o.ms) : left !== undefined ? (left >= 0 ? dur(left) + ' left' : 'over by ' + dur(-left)) : state === 'missed' ? 'missed' : '—'));
    return li;
  }, 'No objectives.');
  fill('probes', v.probes, function(p){ var li = el('li', p.ok ? 'ok' : 'bad'); li.appendChild(el('span', 'dot')); li.appendChild(el('span', 'grow', p.name + (p.detail ? ' — ' + p.detail : ''))); li.appendChild(el('span', 'when', (p.ok ? 'up ' : 'down ') + dur(p.sinceMs + age))); return li; }, 'No probes.');
}

function connect(){
  var es = new EventSource('events' + location.search);
  es.onmessage = function(m){
    view = JSON.parse(m.data); receivedAt = Date.now();
    // an ended drill does not change again: stop listening, so the page keeps its result when gameday
    // exits — unless the screen follows the newest drill, whose next one must still reach the page
    if (view.phase === 'ended' && !followsLatest) { es.close(); $('conn').textContent = 'final'; }
    else $('conn').textContent = view.phase === 'ended' ? 'final · waiting for the next drill' : 'live';
    $('conn').className = ''; render();
  };
  es.onerror = function(){ $('conn').textContent = 'reconnecting…'; $('conn').className = 'down'; };
}
setInterval(tick, 250);
connect();
`;

/**
 * The page; `title` is only what shows before the first update arrives. `followsLatest`: the server
 * moves to each newer drill (`gameday screen --latest`), so the page keeps listening after an end.
 */
export function screenPage(title = 'Game day', opts: { followsLatest?: boolean } = {}): string {
  const esc = title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc}</title>
<style>${STYLE}</style></head>
<body${opts.followsLatest ? ' data-follows="latest"' : ''}>
<header><h1 id="title">${esc}</h1><span id="phase" class="badge waiting">connecting</span><span id="meta" class="meta"></span><span id="conn">connecting…</span></header>
<div id="result"><div id="score"></div><div><div id="verdict" style="font-size:36px;font-weight:700"></div><div id="verdict-sub" class="meta"></div></div></div>
<main>
<div class="col">
<section class="card"><div id="clock">0:00</div><div id="clock-sub"></div></section>
<section class="card"><h2>Objectives</h2><ul id="objectives"></ul></section>
<section class="card"><h2>The team</h2><ul id="marks"></ul></section>
</div>
<div class="col">
<section class="card"><h2>Briefing</h2><div id="briefing"></div><div id="runbook" class="meta"></div></section>
<section class="card" style="flex:1"><h2>Hints <span id="hint-count" class="meta"></span></h2><ul id="hints"></ul></section>
</div>
<div class="col">
<section class="card"><h2>Steady state</h2><ul id="probes"></ul></section>
<section class="card"><h2>Faults</h2><ul id="faults"></ul></section>
<section class="card" style="flex:1"><h2>What happened</h2><ul id="log"></ul></section>
</div>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
