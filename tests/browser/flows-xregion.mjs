// The cross-region journeys (issue 11): 浏阳市's window clerk applies by proxy for a matter of
// 铜鼓县 (the demo's simulated partner installation), follows the case until the partner has
// concluded it and records delivery; the administrator sees the partners, the agreements and
// the coverage report, and the message log with its dead letters.
import { call, staffLogin, token } from './lib-office.mjs'

const elTable = (page, name) => page.locator(`.el-table[aria-label="${name}"]`)
const nav = (page) => page.getByRole('navigation', { name: '主导航' })

export const flows = {
  async xregionProxyCaseAtTheWindow({ page, baseURL, expect, snap }) {
    await staffLogin(page, 'liuyang.window_clerk')
    await nav(page).getByRole('link', { name: '跨域通办' }).click()
    const form = page.getByRole('form', { name: '代收申请' })
    await form.getByLabel('办理地').selectOption('360926')
    // Exactly the proxy matters of the agreement with 铜鼓县 (loaded once the place is chosen).
    await form.getByLabel('事项').locator('option').nth(1).waitFor({ state: 'attached' })
    const offered = await form.getByLabel('事项').locator('option').allTextContents()
    expect(offered.length >= 2 && offered.every((t) => t === '请选择' || t.includes('异地代收代办')), `offers: ${offered}`)
    await form.getByLabel('事项').selectOption({ index: 1 })
    await form.getByLabel('申请人姓名').fill('刘洋')
    await form.getByLabel('身份证号').fill('430181199001011233')
    await form.getByLabel('已核验材料').fill('身份证')
    await snap(page, 'xregion-window')
    await form.getByRole('button', { name: '转办理地' }).click()
    await page.waitForURL('**/xregion/cases/430181-*')
    // The simulated 铜鼓县 installation opens it as a case of its catalog, whose clerk accepts and
    // approver approves and concludes it within seconds; the steps come back as messages.
    const state = page.locator('dd[aria-label="状态"]')
    for (let i = 0; i < 40; i++) {
      if ((await state.textContent()) === '已办结') break
      await page.waitForTimeout(500)
      await page.getByRole('button', { name: '刷新' }).click()
    }
    expect((await state.textContent()) === '已办结', `state: ${await state.textContent()}`)
    const kinds = await elTable(page, '办理过程').locator('tbody tr').allTextContents()
    expect(kinds.length >= 4 && kinds.some((t) => t.includes('360926') && t.includes('已受理')), `timeline: ${kinds}`)
    // 铜鼓县 opened it as a real case of its own catalog: its acceptance names its case number.
    expect(kinds.some((t) => t.includes('案件号 360926')), `timeline: ${kinds}`)
    await snap(page, 'xregion-case')
    await page.getByRole('button', { name: '结果已送达申请人' }).click()
    await state.filter({ hasText: '已送达' }).waitFor()
    // The case is in the list of cases received here.
    await nav(page).getByRole('link', { name: '跨域办件' }).click()
    await elTable(page, '跨域办件').getByText('刘洋').first().waitFor()
  },

  async xregionAdminSeesPartnersAndMessages({ page, baseURL, expect, snap }) {
    await staffLogin(page, 'liuyang.catalog_admin')
    await nav(page).getByRole('link', { name: '跨域合作' }).click()
    await elTable(page, '合作地区').getByText('铜鼓县（360926）').waitFor()
    await elTable(page, '合作地区').getByText('新余市渝水区（360502）').waitFor()
    const coverage = await page.getByRole('status', { name: '覆盖情况' }).textContent()
    const report = await call(baseURL, 'GET', '/api/v1/xregion/report', undefined, await token(baseURL, 'liuyang.catalog_admin'))
    expect(coverage.includes(`覆盖 ${report.matters} 个事项`) && coverage.includes(`全程网办 ${report.fully_online} 个`), `coverage: ${coverage}`)
    await snap(page, 'xregion-partners')
    // The backlog: messages to the partners whose demo URLs do not resolve wait, retried.
    await nav(page).getByRole('link', { name: '跨域报文' }).click()
    await page.getByLabel('状态').selectOption('pending')
    await page.getByRole('button', { name: '查询' }).click()
    await page.getByRole('columnheader', { name: '接收地区' }).waitFor()
    expect((await page.getByRole('alert').count()) === 0, 'the outbox listed without an error')
    // The message log's check is the audit administrator's (audit.verify, 三员分立), not the
    // catalog administrator's: the page shows it only to those who may run it.
    expect((await page.getByLabel('报文日志').count()) === 0, 'no log check for the catalog admin')
    const log = await call(baseURL, 'GET', '/api/v1/xregion/log/verify', undefined,
      await token(baseURL, 'liuyang.audit_admin'))
    expect(log.ok === true, `the message log verifies: ${JSON.stringify(log)}`)
    await snap(page, 'xregion-messages')
  },
}
