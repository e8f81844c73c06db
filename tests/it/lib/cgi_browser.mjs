// cgi_browser.mjs: headless Chromium against the site and bin/nightly.cgi
// served by lighttpd (tests/it/cgi.sh starts the server): the strategy
// page's switch really saves through the CGI, and a reload shows it.
//
//   node --experimental-websocket tests/it/lib/cgi_browser.mjs BASE ID ANALYST:PW VIEWER:PW
//
// ANALYST owns strategy ID, whose auto-update is off. Basic auth: the
// credentials go into every request of a page as an Authorization header
// (DevTools Network.setExtraHTTPHeaders), as a browser does once its user
// has signed in; credentials in the URL would leak into the page's own
// URL, from which fetch() refuses to build requests.
//   1. the analyst opens strategies/ID.html: "Auto: Off";
//   2. clicks the switch: the script PATCHes, the page says "Saved";
//   3. reloads: the re-rendered page says "Auto: On", the box is checked,
//      and index.html's row says "Auto: On";
//   4. a viewer flips the same switch: refused (403), the page says so and
//      puts the switch back; after a reload it is still on.
// Prints "ok - ..." / "not ok - ..." lines; exits 1 on any failure. Chromium
// runs in a process group of its own, killed at the end (also on a
// timeout or a signal), with its temporary profile removed.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [BASE, ID, ANALYST, VIEWER] = process.argv.slice(2);
const CHROME = process.env.CHROME || 'chromium';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let failures = 0;

function check(name, cond, detail) {
  if (cond) console.log(`ok - ${name}`);
  else console.log(`not ok - ${name}${detail === undefined ? '' : ' (' + JSON.stringify(detail).slice(0, 300) + ')'}`);
  if (!cond) failures++;
}

async function waitFor(fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await sleep(100);
  }
}

const profile = mkdtempSync(join(tmpdir(), 'bn-cgi-chrome-'));
const chrome = spawn(CHROME, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
  `--user-data-dir=${profile}`, '--remote-debugging-port=0', '--window-size=1280,900', 'about:blank'],
{ stdio: ['ignore', 'ignore', 'pipe'], detached: true });

let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  try { process.kill(-chrome.pid, 'SIGKILL'); } catch { /* already gone */ }
  try { rmSync(profile, { recursive: true, force: true }); } catch { /* ignore */ }
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => { cleanup(); process.exit(2); });
}
const watchdog = setTimeout(() => {
  console.log('not ok - the browser checks finished within 90 s');
  cleanup();
  process.exit(1);
}, 90000);

try {
  const wsUrl = await new Promise((resolve, reject) => {
    let buf = '';
    chrome.stderr.on('data', (d) => {
      buf += d;
      const m = buf.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    chrome.on('exit', () => reject(new Error('chromium exited: ' + buf.slice(0, 300))));
    setTimeout(() => reject(new Error('chromium did not start')), 20000);
  });

  const ws = new WebSocket(wsUrl);
  await new Promise((r, j) => { ws.addEventListener('open', r, { once: true }); ws.addEventListener('error', j, { once: true }); });
  let nextId = 1;
  const pending = new Map();
  const listeners = [];
  ws.addEventListener('message', (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg.result);
    } else if (msg.method) {
      listeners.forEach((l) => l(msg));
    }
  });
  const send = (method, params = {}, sessionId) => {
    const id = nextId++;
    ws.send(JSON.stringify({ id, method, params, sessionId }));
    return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
  };

  async function newPage(userpw) {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    await send('Page.enable', {}, sessionId);
    await send('Runtime.enable', {}, sessionId);
    await send('Network.enable', {}, sessionId);
    await send('Network.setExtraHTTPHeaders',
      { headers: { Authorization: 'Basic ' + Buffer.from(userpw).toString('base64') } }, sessionId);
    const errors = [];
    listeners.push((m) => {
      if (m.sessionId === sessionId && m.method === 'Runtime.exceptionThrown') errors.push(m.params.exceptionDetails.text);
    });
    const loaded = () => new Promise((r) => {
      const l = (m) => {
        if (m.sessionId === sessionId && m.method === 'Page.loadEventFired') {
          listeners.splice(listeners.indexOf(l), 1);
          r();
        }
      };
      listeners.push(l);
    });
    return {
      errors,
      async goto(path) {
        const done = loaded();
        await send('Page.navigate', { url: BASE + path }, sessionId);
        await done;
        await sleep(200);
      },
      async reload() {
        const done = loaded();
        await send('Page.reload', {}, sessionId);
        await done;
        await sleep(200);
      },
      async eval(expr) {
        const r = await send('Runtime.evaluate', { expression: expr, awaitPromise: true, returnByValue: true }, sessionId);
        if (r.exceptionDetails) throw new Error(expr + ': ' + JSON.stringify(r.exceptionDetails));
        return r.result.value;
      },
    };
  }

  const pill = "(() => { const p = document.querySelector('.pill-auto'); return p ? p.innerText.trim() : null; })()";
  const box = "document.getElementById('auto-update-enabled').checked";
  const status = "(document.querySelector('.save-status') || {}).textContent || ''";

  // 1-3: the owner turns auto-update on
  const a = await newPage(ANALYST);
  await a.goto(`strategies/${ID}.html`);
  check(`the analyst's strategy page through lighttpd says "Auto: Off" before the click`,
    (await a.eval(pill)) === 'Auto: Off' && (await a.eval(box)) === false, await a.eval(pill));
  await a.eval("document.getElementById('auto-update-enabled').click()");
  const saved = await waitFor(async () => {
    const s = await a.eval(status);
    return /^(Saved|Not saved)/.test(s) ? s : null;
  });
  check('clicking the switch PATCHes through the CGI and the page says "Saved"',
    typeof saved === 'string' && saved.startsWith('Saved'), saved || await a.eval(status));
  await a.reload();
  const after = await a.eval(pill);
  check('after a reload the re-rendered page says "Auto: On" and the box is checked',
    after === 'Auto: On' && (await a.eval(box)) === true, after);
  await a.goto('index.html');
  const row = await a.eval(`(() => { const l = document.querySelector('a[href="strategies/${ID}.html"]');
    const tr = l && l.closest('tr'); return tr ? tr.innerText : null; })()`);
  check('index.html shows the strategy with "Auto: On"', typeof row === 'string' && row.includes('Auto: On'), row);
  check('no script errors on the analyst\'s pages', a.errors.length === 0, a.errors);

  // 4: a viewer may not
  const v = await newPage(VIEWER);
  await v.goto(`strategies/${ID}.html`);
  await v.eval("document.getElementById('auto-update-enabled').click()");
  const refused = await waitFor(async () => {
    const s = await v.eval(status);
    return s && !s.startsWith('Saving') ? s : null;
  });
  check('a viewer\'s click is refused: the page shows the CGI\'s reason and puts the switch back',
    typeof refused === 'string' && /viewer/.test(refused) && (await v.eval(box)) === true, refused);
  await v.reload();
  check('after the viewer\'s reload the strategy is still "Auto: On"', (await v.eval(pill)) === 'Auto: On',
    await v.eval(pill));
  ws.close();
} catch (e) {
  check('the browser checks ran', false, String(e && e.stack || e));
} finally {
  clearTimeout(watchdog);
  cleanup();
}
process.exit(failures ? 1 : 0);
