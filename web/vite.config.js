// Vite builds the pages into TONGBAN_WEB_OUT (build_web in scripts/lib/common.sh: build/web),
// never into the source tree; `tongban serve` serves that folder. Hashed names under assets/
// are cached for a year by the server, index.html is revalidated.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig(({ command }) => {
  const outDir = process.env.TONGBAN_WEB_OUT
  if (command === 'build' && !outDir) {
    throw new Error('set TONGBAN_WEB_OUT, or build with build_web from scripts/lib/common.sh')
  }
  return {
    plugins: [vue()],
    build: {
      outDir,
      emptyOutDir: true,
      rollupOptions: { output: { manualChunks: { vendor: ['vue', 'vue-router'] } } },
    },
    // `vite` (development) in build/web-src next to a running `tongban serve`.
    server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  }
})
