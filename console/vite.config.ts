import { defineConfig } from 'vite'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))

// The console (README § Console): built to dist/console, served by the gateway at /console/ with a strict CSP —
// no inline script or style (modulePreload's polyfill is inline, so it is off), every asset named by its hash.
export default defineConfig({
  root: here,
  base: '/console/',
  publicDir: 'public',
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false
  }
})
