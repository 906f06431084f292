// The administration journeys: the catalog administrator edits a matter (a new version,
// approved and published), sees its decision table in dmn-js; the process administrator edits
// a deployed process in bpmn-js and deploys it; the system and security administrators create
// an account and grant it a role (三员分立), and the new account signs in with it.
import { call, elTable, signOut, staffLogin, token } from './lib-office.mjs'

const kMatter = '11431128MB17048517050103021000001' // 困难残疾人生活补贴和重度残疾人护理补贴
export const flows = {
  async adminEditsMatter({ page, baseURL, expect, snap }) {
    await staffLogin(page, 'xintian.catalog_admin')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '事项目录' }).click()
    await page.getByLabel('关键词').fill('残疾人')
    await page.getByRole('button', { name: '查询' }).click()
    await elTable(page, '事项').getByText(kMatter).waitFor()
    await snap(page, 'admin-matters')
    await elTable(page, '事项').getByRole('link', { name: /困难残疾人生活补贴/ }).first().click()
    await page.waitForURL(`**/admin/matters/${kMatter}`)
    // The guide's decision table, drawn by dmn-js.
    const dmn = page.getByRole('region', { name: '决策表（DMN）' })
    await dmn.locator('.tjs-table').waitFor()
    const cells = await dmn.locator('.tjs-table').textContent()
    expect(cells.includes('"change"') && cells.includes('has_card'), `DMN table: ${cells.slice(0, 200)}`)
    await snap(page, 'admin-matter')

    await page.getByRole('button', { name: '编辑（新建版本）' }).click()
    await page.getByLabel('咨询电话').fill('0746-4720999')
    await page.getByLabel('承诺时限（工作日）').fill('3')
    await snap(page, 'admin-matter-edit')
    await page.getByRole('button', { name: '保存草稿' }).click()
    await page.getByRole('status').filter({ hasText: '草稿已保存' }).waitFor()
    await elTable(page, '版本').getByText('草稿').waitFor()
    await page.getByRole('button', { name: '审核通过' }).click()
    await page.getByRole('status').filter({ hasText: '已审核通过' }).waitFor()
    await page.getByRole('button', { name: '发布' }).click()
    await page.getByRole('status').filter({ hasText: '已发布' }).waitFor()
    await elTable(page, '版本').getByText('第 2 版').waitFor()
    await page.getByRole('row').filter({ hasText: '承诺时限' }).getByText('3 个工作日（现行）').waitFor()
    // The portal shows the new version.
    const published = await call(baseURL, 'GET', `/api/v1/matters/${kMatter}`)
    expect(published.phone === '0746-4720999' && published.version.id.endsWith('@2'), `published: ${published.phone} ${published.version.id}`)
  },

  async adminDeploysProcess({ page, baseURL, expect, snap }) {
    await staffLogin(page, 'xintian.process_admin')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '流程管理' }).click()
    await elTable(page, '流程').getByRole('link', { name: 'parallel_approval' }).click()
    const canvas = page.getByRole('application', { name: 'BPMN 流程建模器' })
    const end = canvas.locator('[data-element-id="concluded"]')
    await end.waitFor()
    await canvas.locator('[data-element-id="decide"]').waitFor()
    await snap(page, 'admin-process')
    // Rename the end event in the modeller (direct editing), then deploy.
    await end.dblclick()
    const editor = page.locator('.djs-direct-editing-parent')
    await editor.waitFor()
    await page.keyboard.press('Control+A')
    await page.keyboard.type('办结归档')
    await canvas.locator('svg').first().click({ position: { x: 5, y: 5 } })
    await canvas.getByText('办结归档').waitFor()
    await page.getByRole('button', { name: '部署为新版本' }).click()
    await page.getByRole('status').filter({ hasText: '已部署第 2 版' }).waitFor()
    await page.getByRole('navigation', { name: '版本' }).getByRole('link', { name: '第 2 版' }).waitFor()
    const admin = await token(baseURL, 'xintian.process_admin')
    const xml = await call(baseURL, 'GET', '/api/v1/processes/parallel_approval/xml?version=2', undefined, admin)
    expect(xml.includes('name="办结归档"'), 'version 2 lacks the new name')
    expect(xml.includes('candidateGroups'), 'version 2 lost the zeebe assignments')
    expect(xml.includes('BPMNDiagram'), 'version 2 has no diagram')
    await snap(page, 'admin-process-deployed')
  },

  async adminCreatesAccountAndGrantsRole({ page, expect, snap }) {
    await staffLogin(page, 'xintian.system_admin')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '账户与角色' }).click()
    await page.getByRole('group', { name: '新建工作人员账户' }).waitFor()
    await snap(page, 'admin-accounts')
    await page.getByLabel('账号', { exact: true }).fill('xintian.approver.mzj')
    await page.getByLabel('姓名').fill('周敏')
    await page.getByLabel('初始密码').fill('approver-2026')
    await page.getByLabel('部门', { exact: true }).selectOption('431128-mzj')
    await page.getByRole('button', { name: '创建账户' }).click()
    const created = await page.getByRole('status').filter({ hasText: '已创建账户' }).textContent()
    const id = created.match(/acc_[0-9a-z]+/)[0]
    await signOut(page)

    await staffLogin(page, 'xintian.security_admin')
    await page.goto('/admin/accounts')
    await page.getByLabel('账户 ID').first().fill(id)
    await page.getByLabel('角色', { exact: true }).selectOption('approver')
    await page.getByLabel('范围：部门').selectOption('431128-mzj')
    await page.getByRole('button', { name: '授予' }).click()
    await page.getByRole('status').filter({ hasText: '已授予角色 approver' }).waitFor()
    await snap(page, 'admin-accounts-granted')
    await signOut(page)

    await page.getByRole('tab', { name: '工作人员登录' }).click()
    const pane = page.getByRole('tabpanel', { name: '工作人员登录' })
    await pane.getByLabel('账号').fill('xintian.approver.mzj')
    await pane.getByLabel('密码').fill('approver-2026')
    await pane.getByRole('button', { name: '登录' }).click()
    await page.waitForURL('**/office/inbox')
    expect(await page.getByText('周敏').count() >= 1, 'the new approver is not signed in')
  },
}
