/**
 * Messages from UI pages are wrapped so the worker can tell channels apart. A module of its own: the
 * pages' first load imports it, and importing ui-api.ts for it would bring that module's schemas and
 * their imports (the node clients, the payment code) into every page.
 */
export const UI_CHANNEL = 'satnav/ui' as const;
