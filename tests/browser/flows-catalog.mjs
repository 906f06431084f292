// Catalog administration in forms beyond scenarios (flows-admin.mjs): a matter's four lists and
// its guide's question tree, with the server's error shown beside the guide field it names; the
// bundles (一件事) created and edited in their form, an invalid code refused beside its field.
// The catalog administrator of 新田县.
import { call, elTable, staffLogin, token } from './lib-office.mjs'

const kMatter = '11431128MB170582X2000141005000001' // 食品经营许可 (a question-tree guide)
const kFood = '11431128MB170582X2000141005000001' // 食品经营许可
const kShop = '11431128MB170582X2000141001000001' // 个体工商户登记

export const flows = {
  async catalogListsAndGuide({ page, baseURL, expect, snap }) {
    await staffLogin(page, 'xintian.catalog_admin')
    await page.goto(`/admin/matters/${kMatter}`)
    await page.getByRole('button', { name: /^编辑/ }).click()
    // 四个清单: 就近办 at town and village level.
    await page.getByRole('tab', { name: '四个清单与跨域通办' }).click()
    const nearby = page.getByRole('group', { name: '就近办' })
    expect(!(await nearby.getByLabel('乡镇').isChecked()), 'not yet on the 就近办 list')
    await nearby.getByLabel('乡镇').check()
    await nearby.getByLabel('村级').check()
    expect(await page.getByRole('group', { name: '掌上网上办' }).getByLabel('县级').isChecked(), 'online at county level')
    await snap(page, 'catalog-lists')
    // 智能导办: the second question's id made invalid: refused, the error beside it.
    await page.getByRole('tab', { name: '智能导办' }).click()
    const second = page.getByRole('group', { name: /^问题 2：/ })
    await second.getByLabel('问题标识').fill('2nd')
    await page.getByRole('button', { name: '保存草稿' }).click()
    await page.getByRole('alert').first().waitFor()
    // Only the id is wrong: the option that led to the question was renamed with it.
    const refusal = await page.getByRole('alert').first().textContent()
    expect(refusal.includes('guide/questions/1/id') && !refusal.includes('no question'), `refusal: ${refusal}`)
    await page.getByRole('tab', { name: /智能导办（\d+ 处错误）/ }).waitFor()
    const idError = second.locator('#g-1-id-e')
    await idError.filter({ hasText: /\S/ }).waitFor()
    expect((await second.getByLabel('问题标识').getAttribute('aria-invalid')) === 'true', 'the id is marked invalid')
    await snap(page, 'catalog-guide-error')
    // Put right, and a fourth option added to it: 不清楚 → 新办.
    await second.getByLabel('问题标识').fill('operator_type')
    await second.getByRole('button', { name: '新增选项' }).click()
    await second.getByLabel('问题 2 选项 4 选项值').fill('unsure')
    await second.getByLabel('问题 2 选项 4 选项文字').fill('不清楚')
    await second.getByLabel('问题 2 选项 4 选择后').selectOption('scenario:new')
    // The lists survive a trip through the JSON tab.
    await page.getByRole('tab', { name: '高级（JSON）' }).click()
    const json = await page.getByLabel(/完整内容/).inputValue()
    expect(JSON.parse(json).lists.nearby.join() === 'town,village', 'the JSON holds the lists')
    await page.getByRole('tab', { name: '智能导办' }).click()
    await page.getByRole('button', { name: '保存草稿' }).click()
    await page.getByRole('status').filter({ hasText: '草稿已保存' }).waitFor()
    const admin = await token(baseURL, 'xintian.catalog_admin')
    const versions = await call(baseURL, 'GET', `/api/v1/matters/${kMatter}/versions`, undefined, admin)
    const draft = versions.latest
    expect(draft.lists.nearby.join() === 'town,village', `nearby: ${JSON.stringify(draft.lists)}`)
    const q = draft.guide.questions[1]
    // The first question's option 第一次开店 still leads to it: a renamed question takes its
    // options along.
    expect(draft.guide.questions[0].options[0].next === 'operator_type', `first: ${JSON.stringify(draft.guide.questions[0].options[0])}`)
    expect(q.id === 'operator_type' && q.options.length === 4 && q.options[3].scenario === 'new' && q.options[3].label === '不清楚', `guide: ${JSON.stringify(q)}`)
    // The guide answers the new option.
    await page.goto(`/admin/matters/${kMatter}`)
    await elTable(page, '版本').getByText('草稿').waitFor()
  },

  async catalogBundles({ page, baseURL, expect, snap }) {
    await staffLogin(page, 'xintian.catalog_admin')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '一件事' }).click()
    const list = elTable(page, '一件事')
    await list.getByText('431128-yjs-canyin').waitFor()
    await list.getByText('食品经营许可').first().waitFor() // matters by name
    await snap(page, 'catalog-bundles')
    // A new bundle with a code that is no code: refused, the error beside the code.
    await page.getByRole('button', { name: '新增“一件事”' }).click()
    await page.getByLabel('编码').fill('小吃店 一件事')
    await page.getByLabel('名称').fill('开办小吃店“一件事”')
    await page.getByLabel('地区代码').fill('431128')
    await page.getByLabel('办理方式（流程）').selectOption('bundle_sequence')
    await page.getByLabel('查找事项').fill('个体工商户')
    await page.getByRole('button', { name: '查找', exact: true }).click()
    await page.getByRole('button', { name: /^加入 个体工商户/ }).first().click()
    await page.getByLabel('查找事项').fill('食品经营')
    await page.getByRole('button', { name: '查找', exact: true }).click()
    await page.getByRole('button', { name: /^加入 食品经营许可/ }).first().click()
    await page.getByRole('button', { name: '保存' }).click()
    await page.locator('#b-code-e').filter({ hasText: /\S/ }).waitFor()
    expect((await page.getByLabel('编码').getAttribute('aria-invalid')) === 'true', 'the code is marked invalid')
    await snap(page, 'catalog-bundle-error')
    await page.getByLabel('编码').fill('431128-yjs-xiaochi')
    await page.getByRole('button', { name: '保存' }).click()
    await page.getByRole('status').filter({ hasText: '已保存“开办小吃店“一件事””' }).waitFor()
    await list.getByText('开办小吃店“一件事”').waitFor()
    const bundles = (await call(baseURL, 'GET', '/api/v1/bundles')).items
    const made = bundles.find((b) => b.code === '431128-yjs-xiaochi')
    expect(made && made.process === 'bundle_sequence' && made.matters.join() === `${kShop},${kFood}`, `bundle: ${JSON.stringify(made)}`)
    // Edit it: the food licence moved first, through the JSON tab and back.
    await page.getByRole('button', { name: '编辑 开办小吃店“一件事”' }).click()
    await page.getByRole('button', { name: /^上移 食品经营许可/ }).click()
    await page.getByRole('tab', { name: '高级（JSON）' }).click()
    const json = JSON.parse(await page.getByLabel(/“一件事”的 JSON/).inputValue())
    expect(json.matters[0] === kFood, `JSON after the move: ${JSON.stringify(json)}`)
    await page.getByRole('tab', { name: '表单' }).click()
    await page.getByRole('button', { name: '保存' }).click()
    await page.getByRole('status').filter({ hasText: '已保存' }).waitFor()
    const edited = (await call(baseURL, 'GET', '/api/v1/bundles')).items.find((b) => b.code === '431128-yjs-xiaochi')
    expect(edited.matters.join() === `${kFood},${kShop}`, `edited: ${JSON.stringify(edited)}`)
  },
}
