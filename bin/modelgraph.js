#!/usr/bin/env node
'use strict';
// The compiled CLI; `npm ci` builds it (the `prepare` script).
require('../dist/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.message : err); process.exitCode = 1; },
);
