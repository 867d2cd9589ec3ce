// Opens N idle Blazor circuits (headless Chromium pages, each waited on until the page is interactive) on one page of a
// running Registry, then times how long fresh pages take to become interactive while they are all open. Reads the
// server's RSS from /proc before, during and after. Run by bench/scale/circuits.sh with the node binary and the
// playwright-core package that the Microsoft.Playwright NuGet package ships into Registry.Tests' build output.
//   node circuits.js <playwright package dir> <page url> <circuits> <server pid>
'use strict';
const fs = require('fs');
const [pkg, url, count, pid] = process.argv.slice(2);
const { chromium } = require(pkg);

// Interactive = Blazor's event delegator has attached to an element (the same test as Registry.Tests/Browser/BlazorPages.cs).
const interactive = () => Array.from(document.querySelectorAll('body *')).some(el => Object.keys(el).some(k => k.startsWith('_blazorEvents_')));
const rssMiB = () => {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find(l => l.startsWith('VmRSS:'));
  return Math.round(parseInt(line.split(/\s+/)[1], 10) / 1024);
};
const now = () => Number(process.hrtime.bigint() / 1000000n);

async function open(context) {
  const page = await context.newPage();
  const t0 = now();
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120000 });
  await page.waitForFunction(interactive, null, { polling: 50, timeout: 120000 });
  return { page, ms: now() - t0 };
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--no-first-run', '--disable-renderer-backgrounding', '--disable-background-timer-throttling'],
  });
  const context = await browser.newContext();
  let errors = 0;
  // Baseline: one page opened and closed (the page's code paths compiled), then the RSS with no circuit open.
  (await open(context)).page.close();
  await new Promise(r => setTimeout(r, 2000));
  const before = rssMiB();
  const pages = [];
  const firstMs = [];
  for (let i = 0; i < Number(count); i++) {
    try { const o = await open(context); pages.push(o.page); firstMs.push(o.ms); }
    catch (e) { errors++; console.error(`circuit ${i}: ${e.message.split('\n')[0]}`); }
    if ((i + 1) % 25 === 0) console.error(`${i + 1} circuits open, server RSS ${rssMiB()} MiB`);
  }
  await new Promise(r => setTimeout(r, 5000)); // idle: what the open circuits hold at rest
  const open_ = rssMiB();
  const fresh = [];
  for (let i = 0; i < 5; i++) {
    const o = await open(context);
    fresh.push(o.ms);
    await o.page.close();
  }
  fresh.sort((a, b) => a - b);
  const alive = (await Promise.all(pages.map(p => p.evaluate(interactive).catch(() => false)))).filter(x => x).length;
  console.log(JSON.stringify({
    circuits: pages.length, errors, alive, rssBeforeMiB: before, rssOpenMiB: open_,
    perCircuitKiB: pages.length ? Math.round((open_ - before) * 1024 / pages.length) : 0,
    openMsMedian: firstMs.sort((a, b) => a - b)[Math.floor(firstMs.length / 2)] || 0,
    freshMsMedian: fresh[2], freshMsMax: fresh[4],
  }));
  await browser.close();
})().catch(e => { console.error(e); process.exit(1); });
