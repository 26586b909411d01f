/**
 * The one zod the code base uses: zod/mini, the functional build a bundler can
 * trim to what is used (classic zod ships whole, ~60 KB per bundle).
 *
 * Mini sets no message locale by itself, while error details that reach pages
 * and the popup quote zod's messages ("Too small: expected …"). Configuring the
 * English one here, in the module every schema imports, keeps them as before.
 * The one module of src/ that runs something when imported: vite.config.ts
 * says so, or the bundle would drop this call.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export { z };
