// Server-Sent Events over fetch (EventSource cannot send credentials in a header): calls onEvent for
// each `data:` message until the signal aborts. Reconnects after a dropped connection.
import { request } from './client';

export async function streamEvents<T>(path: string, onEvent: (data: T) => void, signal: AbortSignal, onState?: (connected: boolean) => void) {
  while (!signal.aborted) {
    try {
      const res = await request('GET', path, { signal });
      onState?.(true);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          if (data) onEvent(JSON.parse(data) as T);
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      // 4xx will not get better: stop and let the page show it.
      if ((err as { status?: number }).status && (err as { status: number }).status < 500) throw err;
    }
    onState?.(false);
    await new Promise((r) => setTimeout(r, 2000));
  }
}
