import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

const serverPort = Number(process.env.PORT ?? 3000)
const target = `http://localhost:${serverPort}`

export default defineConfig({
  root: 'client',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    port: 5173,
    proxy: {
      '/api': target,
      '/healthz': target,
      '/socket.io': { target, ws: true },
      // Socket.IO on the café's own path (server/socket/cafePath.ts); a regex, so /cafe/… pages stay Vite's.
      '^/c/[^/]+/socket\\.io/': { target, ws: true },
      '/yjs': { target, ws: true },
    },
  },
})
