// End-to-end tests of the web pages in headless Chromium (Debian's, through playwright-core)
// against `tongban serve --demo` on a free port with a fresh SQLite database. Each page is
// checked by axe-core (no serious or critical violations) and photographed at desktop
// (1366x768) and phone (390x844) widths into build/browser/screenshots/. The first-screen load
// time of the portal is measured and printed; above 3 s fails.
//
//   TONGBAN_BIN=build-asan/tongban TONGBAN_WEB_DIR=build/web node run.mjs [flow...]
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { flows as coreFlows } from './flows.mjs'

const root = process.env.TONGBAN_ROOT || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')
const bin = process.env.TONGBAN_BIN || path.join(root, 'build-asan/tongban')
const webDir = process.env.TONGBAN_WEB_DIR || path.join(root, 'build/web')
const shots = process.env.TONGBAN_SCREENSHOTS || path.join(root, 'build/browser/screenshots')
const axeSource = fs.readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8')
const kDesktop = { width: 1366, height: 768 }
const kPhone = { width: 390, height: 844 }
const kFirstScreenLimitMs = 3000

function log(...args) {
  console.log(...args)
}

// Starts the server on port 0 and resolves with its base URL from the start-up log line.
async function startServer() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tongban-browser-'))
  const child = spawn(
    bin,
    ['serve', '--demo', '--db', `sqlite:${dir}/demo.db`, '--listen', '127.0.0.1:0', '--web', webDir],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } },
  )
  let output = ''
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 120_000)
    const onData = (d) => {
      output += d
      const m = output.match(/serving on (http:\/\/[0-9.]+:[0-9]+)/)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(`server exited ${code}:\n${output}`)))
  })
  return { url, child, dir }
}

const results = []
let failures = 0

async function check(page, name) {
  await page.addScriptTag({ content: axeSource })
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] })
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }))
  })
  const bad = found.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  for (const v of bad) log(`   axe ${name}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(', ')}`)
  if (bad.length) throw new Error(`${name}: ${bad.length} serious/critical accessibility violations`)
  return found.length
}

// Photographs the page at both widths and runs axe-core at each.
async function snap(page, name) {
  fs.mkdirSync(shots, { recursive: true })
  for (const [label, size] of [['desktop', kDesktop], ['phone', kPhone]]) {
    await page.setViewportSize(size)
    await page.waitForTimeout(150) // layout settles after the resize (no app state waits on it)
    await page.screenshot({ path: path.join(shots, `${name}-${label}.png`), fullPage: true })
    await check(page, `${name} (${label})`)
  }
  await page.setViewportSize(kDesktop)
}

async function flow(name, browser, baseURL, fn) {
  const t0 = Date.now()
  const context = await browser.newContext({ baseURL, viewport: kDesktop, locale: 'zh-CN' })
  const page = await context.newPage()
  const consoleErrors = []
  page.on('pageerror', (e) => consoleErrors.push(e.message))
  try {
    await fn(page, context)
    if (consoleErrors.length) throw new Error(`script errors: ${consoleErrors.join('; ')}`)
    results.push({ name, ok: true, ms: Date.now() - t0 })
    log(`ok   ${name} (${Date.now() - t0} ms)`)
  } catch (e) {
    failures++
    results.push({ name, ok: false, ms: Date.now() - t0 })
    log(`FAIL ${name}: ${e.stack || e}`)
    await page.screenshot({ path: path.join(shots, `FAILED-${name}.png`), fullPage: true }).catch(() => {})
  } finally {
    await context.close()
  }
}

// Reads the newest code the demo's SMS simulator sent to `phone`.
async function smsCode(baseURL, phone) {
  const r = await fetch(`${baseURL}/api/v1/dev/sms-outbox?phone=${phone}`)
  const body = await r.json()
  const text = body.items[0].text
  return text.match(/[0-9]{6}/)[0]
}

function expect(cond, message) {
  if (!cond) throw new Error(message)
}


// The journeys: flows.mjs, then every flows-<area>.mjs in file-name order (each area of the pages
// adds its own file).
const flows = { ...coreFlows }
const here = path.dirname(new URL(import.meta.url).pathname)
for (const file of fs.readdirSync(here).filter((f) => /^flows-.+\.mjs$/.test(f)).sort()) {
  Object.assign(flows, (await import(path.join(here, file))).flows)
}

fs.rmSync(shots, { recursive: true, force: true }) // no stale pictures of an earlier run
const server = await startServer()
log(`server ${server.url} (database ${server.dir}/demo.db)`)
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
})
try {
  const only = process.argv.slice(2)
  for (const [name, fn] of Object.entries(flows)) {
    if (only.length && !only.includes(name)) continue
    await flow(name, browser, server.url, (page, context) =>
      fn({ page, context, baseURL: server.url, snap, smsCode, expect, log, limitMs: kFirstScreenLimitMs }),
    )
  }
} finally {
  await browser.close()
  server.child.kill('SIGTERM')
  fs.rmSync(server.dir, { recursive: true, force: true })
}
log(`${results.length - failures} passed, ${failures} failed; screenshots in ${shots}`)
process.exit(failures ? 1 : 0)
