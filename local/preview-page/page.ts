import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildSync } from 'esbuild';

/** The preview page: one HTML document with its CSS and script inline, and the CSP that allows only those two. */
export interface PageDocument {
  html: string;
  csp: string;
}

const here = (file: string) => new URL(file, import.meta.url);

// The client shares the markdown parser and the view allow-list with the tests, so it is bundled from the same
// TypeScript sources rather than kept as a second copy. esbuild is already installed as tsx's engine.
function bundleClient(): string {
  const result = buildSync({
    entryPoints: [here('./client.js').pathname],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  // A `</script` inside the bundle would end the inline script early.
  return result.outputFiles[0]!.text.replace(/<\/script/gi, '<\\/script');
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

let cached: PageDocument | undefined;

/** Builds the page once per process (bundling takes a few tens of milliseconds). */
export function previewPage(): PageDocument {
  if (cached) return cached;
  const script = bundleClient();
  const style = readFileSync(here('./page.css'), 'utf8');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kube-wecom · local preview</title>
<link rel="icon" href="data:,">
<style>${style}</style>
</head>
<body>
<header class="topbar">
  <div class="brand"><span class="logo">K</span><div><h1>kube-wecom</h1><p>local preview · WeCom robot emulator</p></div></div>
  <div class="topbar-right"><span id="time-zone" class="subtle"></span><div id="status" class="status" data-mode="connecting"><span class="dot"></span><span id="status-text">connecting</span></div></div>
</header>
<main>
  <section id="counters" class="counters" aria-label="Pipeline counters"></section>
  <p class="counters-note">Notified, suppressed and sent can differ by a few between runs of the same events: the
  function takes what reached the queue within its batching window, as Lambda does, so which updates collapse and
  which events share a digest depends on timing.</p>
  <section class="card chart-card" aria-label="Messages per minute">
    <div class="card-title"><h2>Messages per minute, per robot <span id="chart-window" class="subtle"></span></h2><div id="legend" class="legend"></div></div>
    <div id="chart" class="chart"></div>
  </section>
  <section id="columns" class="columns" aria-label="Robots"></section>
</main>
<script>${script}</script>
</body>
</html>
`;
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  cached = { html, csp };
  return cached;
}
