// The few `chrome.*` calls e2e code evaluates inside extension pages and the worker.
declare const chrome: {
  runtime: {
    sendMessage(message: unknown): Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } } | undefined>;
    getManifest(): { manifest_version: number; name: string; version: string };
    id: string;
  };
  storage: {
    session: { get(keys: string | string[] | null): Promise<Record<string, unknown>> };
    local: { get(keys: string | string[] | null): Promise<Record<string, unknown>>; set(items: Record<string, unknown>): Promise<void> };
  };
  alarms: { getAll(): Promise<Array<{ name: string; scheduledTime: number }>> };
};

