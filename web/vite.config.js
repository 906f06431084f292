// Vite builds the pages into TONGBAN_WEB_OUT (scripts/lib/common.sh: build/web), never into the
// source tree; `tongban serve` serves that folder. Hashed names under assets/ are cached for a
// year by the server, index.html is revalidated.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: process.env.TONGBAN_WEB_OUT || '../web-dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks: { vendor: ['vue', 'vue-router'] },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
})
