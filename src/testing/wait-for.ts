/** Test helper: polling for state that settles asynchronously (the devnet's payments, invoices). */

/** Polls `cond` every 10 ms; fails after `tries` rounds. */
export async function waitFor(cond: () => Promise<boolean>, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not reached');
}
