// A request flood in a process of its own (so that its work does not delay the timing
// of the process that measures): GET base+path, at most rate per second, from conns
// keep-alive connections (each sends its next request when the last is answered) bound
// to localAddress.  SIGUSR1 pauses it (it prints "paused" once nothing is in flight),
// SIGUSR2 resumes it (prints "resumed"); SIGTERM, or seconds passing, ends it with one
// JSON line: {sent, answered, statuses, p50, p99, seconds} (timings in ms).
//
//   node tests/faults/flood.mjs BASE PATH RATE CONNS LOCAL_ADDRESS SECONDS
import nodeHttp from 'node:http';

const [base, path, rateArg, connsArg, localAddress, seconds] = process.argv.slice(2);
const rate = Number(rateArg);
const conns = Number(connsArg);
const agent = new nodeHttp.Agent({ keepAlive: true, maxSockets: conns, localAddress });
const times = [];
const statuses = {};
let sent = 0;
let inFlight = 0;
let stop = false;
let paused = false;
let wake = null; // resolves the loops waiting out a pause
let nextDue = performance.now();
const t0 = performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function one() {
  return new Promise((resolve) => {
    const s = performance.now();
    const req = nodeHttp.get(base + path, { agent }, (res) => {
      res.resume();
      res.on('end', () => {
        times.push(performance.now() - s);
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        resolve();
      });
      res.on('error', resolve);
    });
    req.on('error', (e) => { statuses[e.code ?? 'error'] = (statuses[e.code ?? 'error'] ?? 0) + 1; resolve(); });
  });
}

async function loop() {
  while (!stop) {
    if (paused) {
      await new Promise((r) => { wake = wake ?? []; wake.push(r); });
      continue;
    }
    const due = Math.max(nextDue, performance.now());
    nextDue = due + 1000 / rate;
    if (due > performance.now()) await sleep(due - performance.now());
    if (stop || paused) continue;
    sent++;
    inFlight++;
    await one();
    inFlight--;
    if (paused && inFlight === 0) process.stdout.write('paused\n');
  }
}

function finish() {
  if (stop) return;
  stop = true;
  const s = [...times].sort((a, b) => a - b);
  const pct = (p) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : null);
  process.stdout.write(`${JSON.stringify({ sent, answered: s.length, statuses, p50: pct(50), p99: pct(99),
    seconds: (performance.now() - t0) / 1000 })}\n`, () => process.exit(0));
  agent.destroy();
}

process.on('SIGUSR1', () => {
  paused = true;
  if (inFlight === 0) process.stdout.write('paused\n');
});
process.on('SIGUSR2', () => {
  paused = false;
  nextDue = performance.now();
  const w = wake ?? [];
  wake = null;
  w.forEach((r) => r());
  process.stdout.write('resumed\n');
});
process.on('SIGTERM', finish);
setTimeout(finish, Number(seconds) * 1000);
for (let i = 0; i < conns; i++) loop();
