// Administration beyond flows-admin.mjs: the staff accounts listed (GET /accounts) with their
// roles, filtered by role and department, and handed to the grant form; a matter's decision
// table edited in dmn-js and saved through the API. Demo accounts of 新田县.
import { call, elTable, staffLogin, token } from './lib-office.mjs'

const kMatter = '11431128MB17048517050103021000001' // 困难残疾人生活补贴和重度残疾人护理补贴
export const flows = {
  async accountsListed({ page, expect, snap }) {
    await staffLogin(page, 'xintian.security_admin')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '账户与角色' }).click()
    const list = elTable(page, '工作人员账户')
    await list.getByText('xintian.approver', { exact: true }).waitFor()
    // Only 新田县's accounts: the security administrator's grant is 新田县's.
    const all = await list.locator('.el-table__row').count()
    expect(all >= 15, `accounts listed: ${all}`)
    expect((await list.getByText(/^liuyang\./).count()) === 0, 'no account of 浏阳市')
    await snap(page, 'admin2-accounts')
    await page.getByLabel('按角色').selectOption('approver')
    await page.getByRole('button', { name: '查询账户' }).click()
    // The status line already read 已列出 N from the first listing: wait for the filtered one.
    await page.getByRole('status').filter({ hasText: new RegExp(`已列出 (?!${all} )\\d+ 个账户`) }).waitFor()
    const approvers = await list.locator('.el-table__row').allTextContents()
    expect(approvers.length >= 1 && approvers.every((t) => t.includes('审批')), `approvers only: ${approvers}`)
    expect(approvers.some((t) => t.includes('赵伟')), 'the approver 赵伟 listed')
    await page.getByLabel('按角色').selectOption('')
    await page.getByLabel('按部门').selectOption('431128-scjgj')
    await page.getByRole('button', { name: '查询账户' }).click()
    await page.getByRole('status').filter({ hasText: /已列出 1 个账户/ }).waitFor()
    await list.getByText('xintian.certificate_issuer').waitFor()
    await page.getByRole('button', { name: '选择 xintian.certificate_issuer' }).click()
    const id = await page.getByLabel('账户 ID').first().inputValue()
    expect(/^acc_/.test(id), `grant form account: ${id}`)
  },

  // The guide's decision table in dmn-js' modeller: a rule's output cell edited to a FEEL
  // expression the engine refuses (the error shown, nothing saved), then to a valid one; the
  // draft the API keeps has the edited rule.
  async adminEditsDecisionTable({ page, baseURL, expect, snap }) {
    await staffLogin(page, 'xintian.catalog_admin')
    await page.goto(`/admin/matters/${kMatter}`)
    await page.getByRole('button', { name: /^编辑/ }).click()
    const dmn = page.getByRole('region', { name: '编辑决策表（DMN）' })
    // The third rule's output (the demo's "stop").
    const cell = dmn.locator('td.output-cell').nth(2)
    await cell.filter({ hasText: '"stop"' }).waitFor()
    await snap(page, 'admin2-decision-table')
    const edit = async (text) => {
      const box = cell.getByRole('textbox')
      await box.click()
      await box.fill(text)
      await box.blur()
    }
    await edit('"stop')
    await page.getByRole('button', { name: '保存草稿' }).click()
    const alert = page.getByRole('alert')
    await alert.waitFor()
    const message = await alert.textContent()
    expect(/decision_table|决策表|guide/.test(message), `the engine's refusal: ${message}`)
    await edit('"change"')
    await page.getByRole('button', { name: '保存草稿' }).click()
    await page.getByRole('status').filter({ hasText: '草稿已保存' }).waitFor()
    const admin = await token(baseURL, 'xintian.catalog_admin')
    const versions = await call(baseURL, 'GET', `/api/v1/matters/${kMatter}/versions`, undefined, admin)
    const table = versions.latest.guide.decision_table
    // "stop" is left only as the third rule's input; its output is now "change".
    expect((table.match(/"stop"/g) || []).length === 1 && (table.match(/"change"/g) || []).length === 3, `saved table: ${table}`)
  },
}
