import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const workspaceRoot = resolve(import.meta.dirname, '../..');

/**
 * The account page: plain TypeScript and the DOM, bundled for /account. `npx nx serve account-web`
 * serves it with live reload and sends /v1 to a gateway (GATEWAY_URL, default the local stack's).
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/account/',
  resolve: {
    // Only type declarations and the plain constants of account-page.ts (and domain.ts, which it reads) are taken from contracts.
    alias: { '@signoff/contracts': resolve(workspaceRoot, 'libs/contracts/src/account-page.ts') },
  },
  build: {
    outDir: resolve(workspaceRoot, 'dist/apps/account-web'),
    emptyOutDir: true,
    target: 'es2022',
    // No inline <script> or style: the gateway's CSP allows 'self' only.
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  server: {
    proxy: { '/v1': { target: process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080', ws: true } },
  },
});
