import { createApp } from 'vue'
import {
  ElAlert, ElButton, ElCard, ElCol, ElConfigProvider, ElForm, ElFormItem, ElInput, ElOption,
  ElRadio, ElRadioButton, ElRadioGroup, ElRow, ElSelect, ElTabPane, ElTable, ElTableColumn,
  ElTabs, ElTag,
} from 'element-plus'
import 'element-plus/dist/index.css'
import './style.css'
import App from './App.vue'
import { router } from './router.js'
import { applyCareMode } from './session.js'

// Only the Element Plus components the pages use, so the first screen loads less script.
const components = [
  ElAlert, ElButton, ElCard, ElCol, ElConfigProvider, ElForm, ElFormItem, ElInput, ElOption,
  ElRadio, ElRadioButton, ElRadioGroup, ElRow, ElSelect, ElTabPane, ElTable, ElTableColumn,
  ElTabs, ElTag,
]

applyCareMode()
const app = createApp(App)
for (const c of components) app.component(c.name, c)
app.use(router).mount('#app')
