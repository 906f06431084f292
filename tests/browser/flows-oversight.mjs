// Supervision and policy journeys beyond flows-office.mjs: the supervisor drills from the
// ratings pie to the ratings of one level (department, matter, case, comment, rectification);
// the policy officer tries a draft rule (what-if) with an error shown beside the rule, reads the
// runs with their funnels, and works through a run's visit list, recording a visited person's
// answer. Demo accounts of 新田县 (431128).
import { call, staffLogin, token } from './lib-office.mjs'

const kPolicy = 'disability_living_subsidy' // 困难残疾人生活补贴, matched by the demo's funnel

export const flows = {
  async ratingsDrillDown({ page, baseURL, expect, snap }) {
    await staffLogin(page, 'xintian.supervisor')
    await page.goto('/office/dashboard')
    // The pie's data table: each level's first cell is the same link as its slice.
    await page.getByText('好差评等级分布：数据表').click()
    const table = page.getByRole('table', { name: '好差评等级分布' })
    const row = table.getByRole('row').filter({ hasText: '非常不满意' })
    const cell = row.getByRole('cell').nth(1)
    await cell.filter({ hasText: /^[1-9]\d*$/ }).waitFor() // once the statistics are in
    const count = Number(await cell.textContent())
    expect(count >= 1, `very dissatisfied ratings in the period: ${count}`)
    await row.getByRole('link', { name: '非常不满意' }).click()
    await page.waitForURL((u) => u.pathname === '/office/ratings' && u.searchParams.get('level') === 'very_dissatisfied')
    await page.getByRole('heading', { name: '好差评明细：非常不满意的评价' }).waitFor()
    // As many ratings as the slice counts, each of that level, with its rectification.
    await page.getByRole('status').filter({ hasText: `共 ${count} 条评价` }).waitFor()
    const list = page.locator('.el-table[aria-label="评价明细"]')
    const rows = await list.locator('.el-table__row').allTextContents()
    expect(rows.length === count, `rows listed ${rows.length}, pie ${count}`)
    expect(rows.every((t) => t.includes('非常不满意')), `levels: ${rows.join(' | ')}`)
    const rectified = list.locator('.el-table__row a[href^="/office/rectifications/"]')
    expect((await rectified.count()) >= 1, 'a bad rating links its rectification')
    const state = (await rectified.first().textContent()).trim()
    expect(/待整改|已整改|已解释说明|申诉中|差评作废/.test(state), `rectification state: ${state}`)
    await snap(page, 'oversight-ratings')
    // The same ratings through the API: the page shows the listing's, no more.
    const sup = await token(baseURL, 'xintian.supervisor')
    const api = await call(baseURL, 'GET', '/api/v1/evaluations?level=very_dissatisfied&limit=500', undefined, sup)
    expect(api.items.length >= count, `API lists ${api.items.length}, page ${count}`)
    // Another level from the filter: only satisfied ones.
    await page.getByLabel('评价等级').selectOption('satisfied')
    await page.getByRole('button', { name: '查询' }).click()
    await page.getByRole('heading', { name: '好差评明细：满意的评价' }).waitFor()
    await page.getByRole('status').filter({ hasText: /共 [1-9]\d* 条评价/ }).waitFor()
    const satisfied = await list.locator('.el-table__row').allTextContents()
    expect(satisfied.length >= 1 && satisfied.every((t) => t.includes('满意') && !t.includes('不满意')), `satisfied: ${satisfied.length}`)
  },

  async policyDraftWhatIf({ page, expect, snap }) {
    await staffLogin(page, 'xintian.policy_officer')
    await page.goto(`/office/policies/${kPolicy}`)
    await page.getByRole('heading', { name: '困难残疾人生活补贴' }).waitFor()
    const rule = page.getByLabel('适用条件（FEEL）')
    expect((await rule.inputValue()).includes('minimum_living'), 'the draft starts from the rule in force')
    // A rule the engine refuses: its error beside the rule, no figures.
    await rule.fill('status = "alive" and salary < 3')
    await page.getByRole('button', { name: '草案测算' }).click()
    const error = page.locator('#wi-eligibility-e')
    await error.filter({ hasText: /\S/ }).waitFor()
    expect((await rule.getAttribute('aria-invalid')) === 'true', 'the rule is marked invalid')
    // Dropping the minimum-living condition: more persons, more money (typed: answered live).
    await rule.fill('status = "alive" and disability_certificate')
    const result = page.getByRole('status').filter({ hasText: '草案符合' })
    await result.waitFor()
    const text = await result.textContent()
    const m = text.match(/现行符合 (\d+) 人，草案符合 (\d+) 人（新增\s*(\d+)，退出 (\d+)）/)
    expect(m, `what-if: ${text}`)
    const [now, draft, entering, leaving] = m.slice(1).map(Number)
    expect(now >= 1 && draft > now && entering === draft - now && leaving === 0, `what-if counts: ${text}`)
    expect(await error.textContent() === '', 'the error is gone')
    await snap(page, 'oversight-what-if')
  },

  async policyRunsAndVisits({ page, baseURL, expect, snap }) {
    await staffLogin(page, 'xintian.policy_officer')
    await page.goto(`/office/policies/${kPolicy}`)
    // The demo's run of the article's funnel (the oldest: other journeys may have run the policy
    // since), with its funnel figures in the list.
    const runs = page.getByRole('table', { name: '历次匹配及其漏斗' })
    const first = runs.getByRole('row').last()
    await first.getByRole('cell').nth(6).filter({ hasText: /^\d+$/ }).waitFor() // the funnel is in
    const cells = await first.getByRole('cell').allTextContents()
    const [notified, consented] = [Number(cells[6]), Number(cells[7])]
    expect(notified >= 1 && consented >= 1 && consented <= notified, `run row: ${cells.join(' | ')}`)
    await snap(page, 'oversight-runs')
    await first.getByRole('link', { name: /走访名单/ }).click()
    await page.waitForURL('**/office/runs/*/visits')
    await page.getByRole('heading', { name: '走访名单' }).waitFor()
    const status = page.getByRole('status').filter({ hasText: /共 \d+ 人待走访/ })
    await status.waitFor()
    const before = Number((await status.textContent()).match(/其中 (\d+) 人尚未答复/)[1])
    expect(before >= 1, `open visits: ${await status.textContent()}`)
    const visits = page.getByRole('table', { name: '走访名单' })
    await visits.getByRole('cell', { name: '未答复' }).first().waitFor()
    await snap(page, 'oversight-visits')
    // Record an answer: too short an evidence is refused beside the field; then the grant case
    // asks for what the registers lack (certificate number, bank account, phone), and it is saved.
    const open = visits.getByRole('row').filter({ hasText: '未答复' }).first()
    const person = (await open.getByRole('cell').first().textContent()).trim()
    await open.getByRole('button', { name: /^登记答复 / }).click()
    await page.getByLabel('答复', { exact: true }).selectOption('accepted')
    await page.getByLabel(/走访情况/).fill('好')
    await page.getByRole('button', { name: '保存答复' }).click()
    await page.locator('#visit-evidence-e').filter({ hasText: /\S/ }).waitFor()
    await page.getByLabel(/走访情况/).fill('上门走访，本人同意申领，已核对残疾人证')
    await page.getByRole('button', { name: '保存答复' }).click()
    await page.getByLabel('残疾人证号').fill(`43112819700101${person.slice(0, 4)}41`)
    await page.getByLabel('社会保障卡金融账户').fill('6217995500001234567')
    await page.getByLabel('联系电话').fill('13912345678')
    await page.getByRole('button', { name: '保存答复' }).click()
    await page.getByRole('status').filter({ hasText: `已登记 ${person} 的答复：同意申领` }).waitFor()
    await page.getByRole('status').filter({ hasText: `其中 ${before - 1} 人尚未答复` }).waitFor()
    await visits.getByRole('row').filter({ hasText: person }).getByRole('cell', { name: '同意申领' }).waitFor()
    // The API agrees.
    const runId = page.url().match(/runs\/([^/]+)\/visits/)[1]
    const officer = await token(baseURL, 'xintian.policy_officer')
    const list = await call(baseURL, 'GET', `/api/v1/runs/${runId}/notices?channel=visit`, undefined, officer)
    const mine = list.items.find((n) => n.person_id.endsWith(person))
    expect(mine && mine.decision === 'accepted', `the visit's decision: ${JSON.stringify(mine)}`)
  },
}
