// The back office's journeys: the supervision dashboard, cards, rectifications, demands and the
// policy officer's matching run, each against the demo data of 新田县 (431128).
import fs from 'node:fs'
import path from 'node:path'
import { call, elTable, signOut, staffLogin, token } from './lib-office.mjs'

const root = process.env.TONGBAN_ROOT || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')

// The supervision sweep of 新田县 as of a day after every demo case's time limit: yellow and
// red cards for the cases still open (the sweep of that day, run through the API).
async function sweepLate(baseURL) {
  const supervisor = await token(baseURL, 'xintian.supervisor')
  return call(baseURL, 'POST', '/api/v1/supervision/sweeps', { region: '431128', as_of: '2027-03-01' }, supervisor)
}

export const flows = {
  // The supervisor's dashboard: totals, charts with their tables, a region and a period.
  async supervisionDashboard({ page, expect, snap }) {
    await staffLogin(page, 'xintian.supervisor')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '电子监察' }).click()
    await page.waitForURL('**/office/dashboard')
    const totals = page.getByRole('list', { name: '主要指标' })
    await totals.getByText('按时办结率').waitFor()
    const applications = await totals.getByRole('listitem').filter({ hasText: '申请量' }).locator('.value').textContent()
    expect(Number(applications) >= 10, `applications on the dashboard: ${applications}`)
    // Each chart is an image described by its title, its data a table.
    await page.getByRole('img', { name: /各部门办件与按时办结/ }).locator('canvas').waitFor()
    await page.getByText('各部门办件与按时办结：数据表').click()
    const table = page.getByRole('table', { name: '各部门办件与按时办结' })
    await table.getByRole('cell', { name: '新田县人力资源和社会保障局' }).waitFor()
    await page.getByText('好差评等级分布：数据表').click()
    const ratings = page.getByRole('table', { name: '好差评等级分布' })
    const bad = await ratings.getByRole('row').filter({ hasText: '不满意' }).first().getByRole('cell').nth(1).textContent()
    expect(Number(bad) >= 1, `dissatisfied ratings: ${bad}`)
    await snap(page, 'office-dashboard')
    // Another period: a month without cases shows none.
    await page.getByLabel('统计期').selectOption({ index: 1 })
    await page.getByLabel('地区').selectOption('431128')
    await page.getByRole('button', { name: '查询' }).click()
    await page.getByRole('status').filter({ hasText: '统计期' }).waitFor()
    const q = await page.getByRole('status').filter({ hasText: '统计期' }).textContent()
    expect(/统计期 \d{4}-\d{2}-01 至/.test(q), `period shown: ${q}`)
  },

  // A department head answers a yellow card; the supervisor hands a red card over (移交) with
  // its clue.
  async oversightCards({ page, baseURL, expect, snap }) {
    const sweep = await sweepLate(baseURL)
    expect(sweep.yellow >= 1 && sweep.red >= 1, `sweep issued ${sweep.yellow} yellow, ${sweep.red} red`)
    await staffLogin(page, 'xintian.department_head')
    await page.goto('/office/cards')
    const cards = elTable(page, '红黄牌')
    await cards.getByText('黄牌').first().waitFor()
    await snap(page, 'office-cards')
    await page.getByLabel('级别').selectOption('yellow')
    await page.getByRole('button', { name: '查询' }).click()
    await page.getByRole('status').filter({ hasText: /共 \d+ 张/ }).waitFor()
    await cards.getByRole('link').first().click()
    await page.waitForURL(/\/office\/cards\/\d+$/)
    await page.getByRole('group', { name: '答复（整改情况）' }).waitFor()
    await snap(page, 'office-card')
    await page.getByLabel('整改措施').fill('已约谈承办人，逐件倒排办结时间')
    await page.getByRole('button', { name: '提交答复' }).click()
    await page.getByRole('status').filter({ hasText: '已答复' }).waitFor()
    await page.getByRole('row').filter({ hasText: '状态' }).getByText('已答复').waitFor()
    await signOut(page)

    await staffLogin(page, 'xintian.supervisor')
    await page.goto('/office/cards')
    await page.getByLabel('级别').selectOption('red')
    await page.getByLabel('状态').selectOption('open')
    await page.getByRole('button', { name: '查询' }).click()
    await elTable(page, '红黄牌').getByText('红牌').first().waitFor()
    // A red card of a case (the drill-down below opens its file).
    await elTable(page, '红黄牌').locator('.el-table__row').filter({ has: page.locator('a[href^="/office/cases/"]') }).first().getByRole('link').first().click()
    await page.getByRole('group', { name: '移交纪检监察' }).waitFor()
    await page.getByLabel('移交说明').fill('超期五个工作日以上，移交问责')
    await page.getByRole('button', { name: '移交' }).click()
    await page.getByRole('status').filter({ hasText: '已移交纪检监察' }).waitFor()
    await page.getByRole('heading', { name: '问题线索（移交案卷）' }).waitFor()
    const history = await page.locator('ol.timeline').textContent()
    expect(history.includes('移交'), `card history: ${history}`)
    await snap(page, 'office-card-handed-over')
    // Drill down to the case file.
    const number = (await page.getByRole('row').filter({ hasText: '办件' }).getByRole('link').textContent()).trim()
    await page.getByRole('row').filter({ hasText: '办件' }).getByRole('link').click()
    await page.getByRole('heading', { name: `案卷 ${number}` }).waitFor()
  },

  // The bad rating of the demo opens a rectification item; the department rectifies it.
  async rectifyBadRating({ page, expect, snap }) {
    await staffLogin(page, 'xintian.department_head')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '差评整改' }).click()
    const table = elTable(page, '整改事项')
    await table.getByText('待整改').first().waitFor()
    await snap(page, 'office-rectifications')
    // An item still to rectify (the demo's back-dated history holds rectified ones too).
    await table.locator('.el-table__row').filter({ hasText: '待整改' }).getByRole('link', { name: /不满意/ }).first().click()
    await page.getByRole('heading', { name: '差评整改事项' }).waitFor()
    await page.getByRole('group', { name: '回访核实' }).waitFor()
    await snap(page, 'office-rectification')
    await page.getByLabel('核实结果').selectOption('confirmed')
    await page.getByLabel('回访记录').fill('电话回访申请人，情况属实')
    await page.getByRole('button', { name: '记录回访' }).click()
    await page.getByRole('status').filter({ hasText: '已记录回访核实' }).waitFor()
    await page.getByLabel('处理方式').selectOption('rectify')
    await page.getByLabel('说明').fill('已在大厅公示各部门受理范围，并对窗口人员开展一次性告知培训')
    await page.getByRole('button', { name: '提交' }).click()
    await page.getByRole('status').filter({ hasText: '已提交整改' }).waitFor()
    const state = await page.getByRole('row').filter({ hasText: '状态' }).textContent()
    expect(state.includes('已整改'), `rectification state: ${state}`)
    expect((await page.getByRole('group', { name: '整改处理' }).count()) === 0, 'the item can still be rectified')
  },

  // A demand: the arbiter dispatches it to 人社局, the department returns it, the arbiter
  // re-dispatches, the department signs and closes it, the arbiter records the callback.
  async demandWorkOrder({ page, expect, snap }) {
    await staffLogin(page, 'xintian.demand_arbiter')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '企业诉求' }).click()
    await page.getByLabel('状态').selectOption('received')
    // The filtered answer, not the first (unfiltered) list, is what is read below.
    const filtered = page.waitForResponse((r) => r.url().includes('/api/v1/demands?') && r.url().includes('state=received'))
    await page.getByRole('button', { name: '查询' }).click()
    await filtered
    const list = elTable(page, '企业诉求')
    await list.getByText('已登记').first().waitFor()
    await snap(page, 'office-demands')
    const title = (await list.getByRole('link').first().textContent()).trim()
    await list.getByRole('link').first().click()
    await page.getByRole('heading', { name: title }).waitFor()
    const url = page.url()
    await page.getByLabel('承办方').selectOption('department')
    await page.getByLabel('承办部门').selectOption('431128-rsj')
    await page.getByLabel('派单说明').fill('稳岗返还属人社局')
    await snap(page, 'office-demand')
    await page.getByRole('button', { name: '派单' }).click()
    await page.getByRole('status').filter({ hasText: '已派单' }).waitFor()
    await signOut(page)

    await staffLogin(page, 'xintian.department_head')
    await page.goto(url)
    await page.getByRole('button', { name: '签收' }).waitFor()
    await page.getByLabel('退回理由').fill('请先核实企业所属区域')
    await page.getByRole('button', { name: '退回仲裁' }).click()
    await page.getByRole('status').filter({ hasText: '已退回' }).waitFor()
    await signOut(page)

    await staffLogin(page, 'xintian.demand_arbiter')
    await page.goto(url)
    await page.getByRole('group', { name: '仲裁改派' }).waitFor()
    await page.getByLabel('承办部门').selectOption('431128-rsj')
    await page.getByRole('button', { name: '派单' }).click()
    await page.getByRole('status').filter({ hasText: '已派单' }).waitFor()
    await signOut(page)

    await staffLogin(page, 'xintian.department_head')
    await page.goto(url)
    await page.getByRole('button', { name: '签收' }).click()
    await page.getByRole('status').filter({ hasText: '已签收' }).waitFor()
    await page.getByLabel('答复内容').fill('已电话告知申领条件：上年度未裁员或裁员率低于规定比例，网上申领')
    await page.getByRole('button', { name: '办结' }).click()
    await page.getByRole('status').filter({ hasText: '已办结' }).waitFor()
    await signOut(page)

    await staffLogin(page, 'xintian.demand_arbiter')
    await page.goto(url)
    await page.getByLabel('诉求人是否满意').selectOption('true')
    await page.getByLabel('回访记录').fill('企业表示满意')
    await page.getByRole('button', { name: '记录回访' }).click()
    await page.getByRole('status').filter({ hasText: '已记录回访' }).waitFor()
    const state = await page.getByRole('row').filter({ hasText: '状态' }).first().textContent()
    expect(state.includes('已回访'), `demand state: ${state}`)
    await snap(page, 'office-demand-finished')
  },

  // The clerk's acceptance queue shows each application's 第32条 deadline in its due colour.
  async acceptanceQueueDueColours({ page, expect, snap }) {
    await staffLogin(page, 'xintian.window_clerk')
    await page.waitForURL('**/window')
    const queue = page.getByRole('list', { name: '待受理办件' })
    const due = queue.getByText(/\d{4}-\d{2}-\d{2} 前受理|已超过受理期限/).first()
    await due.waitFor()
    const cls = await due.getAttribute('class')
    expect(/due-(ok|soon|overdue)/.test(cls), `due colour class: ${cls}`)
    await snap(page, 'window-queue-due')
  },

  // The policy officer publishes 困难残疾人生活补贴, tries it, runs it over the register, reads
  // each person's explanation and the funnel, and sends the notices.
  async policyOfficerRun({ page, expect, snap }) {
    // The demo published version 1 of the shipped file; the officer publishes it as version 2.
    const shipped = fs.readFileSync(path.join(root, 'data/policies/disability_living_subsidy.yaml'), 'utf8')
    const yaml = shipped.replace(/^version: 1$/m, 'version: 2')
    expect(yaml !== shipped, 'the shipped policy file is at version 1')
    await staffLogin(page, 'xintian.policy_officer')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '政策匹配' }).click()
    await page.getByLabel(/政策定义/).fill(yaml)
    await page.getByRole('button', { name: '发布' }).click()
    await page.getByRole('status').filter({ hasText: '已发布 困难残疾人生活补贴' }).waitFor()
    await snap(page, 'office-policies')
    await page.getByRole('link', { name: '困难残疾人生活补贴' }).click()
    await page.getByRole('heading', { name: '困难残疾人生活补贴' }).waitFor()
    await page.getByRole('button', { name: '试算' }).click()
    const preview = await page.getByRole('status').filter({ hasText: '试算结果' }).textContent()
    expect(/筛查 [1-9][0-9]* 人/.test(preview), `what-if: ${preview}`)
    await snap(page, 'office-policy')
    await page.getByRole('button', { name: '开始匹配' }).click()
    await page.waitForURL('**/office/runs/**')
    const people = page.getByRole('list', { name: '匹配名单' })
    await people.getByText('符合未享受').first().waitFor()
    await people.getByText(/判定依据/).first().click()
    await people.getByText('disability_certificate', { exact: true }).first().waitFor()
    await page.getByText('政策落实漏斗：数据表').click()
    const funnel = page.getByRole('table', { name: '政策落实漏斗' })
    const eligible = await funnel.getByRole('row').filter({ hasText: '符合条件' }).getByRole('cell').nth(1).textContent()
    expect(Number(eligible) >= 1, `eligible in the funnel: ${eligible}`)
    await page.getByRole('button', { name: '发送告知' }).click()
    const sent = await page.getByRole('status').filter({ hasText: '已发送告知' }).textContent()
    expect(/已发送告知 [1-9]/.test(sent), sent)
    const notified = await funnel.getByRole('row').filter({ hasText: '已告知' }).getByRole('cell').nth(1).textContent()
    expect(Number(notified) >= 1, `notified in the funnel: ${notified}`)
    await snap(page, 'office-run')
  },
}
