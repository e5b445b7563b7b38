// Vite build of the web UI: web/index.html → web/dist, which the service serves at `/`.
// The dev server proxies the API to a local service on 8090 so `vite` works beside `npm start`.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8090',
      '/ws': { target: 'ws://127.0.0.1:8090', ws: true },
      '/health': 'http://127.0.0.1:8090',
    },
  },
});
