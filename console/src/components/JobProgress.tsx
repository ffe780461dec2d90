// Progress of a long job the server runs in the background (identity rebuild, import, resync, refit): a
// bar (measured when the job knows its total, moving otherwise), what is done so far in words, how long it
// has run, and its end in the user's language. The page polls the job's status API and passes what it read.
import { Progress, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../i18n/format';

export type JobState = 'pending' | 'running' | 'done' | 'failed';

/** The share done, 0–100, when the total is known (and not 0); undefined when it cannot be measured. */
export function percentDone(done: number | null | undefined, total: number | null | undefined): number | undefined {
  if (done == null || total == null || total <= 0) return undefined;
  return Math.min(100, Math.max(0, Math.floor((done / total) * 100)));
}

export function JobProgress({
  state,
  done,
  total,
  unit,
  startedAt,
  error,
  width = 220,
}: {
  state: JobState;
  /** Items done so far (rows, events, members). */
  done?: number | null;
  /** Items in all, when the job knows it. */
  total?: number | null;
  /** What an item is, as a catalogue key taking {{count}} (e.g. `jobs.units.rows`); default "items". */
  unit?: string;
  startedAt?: string | number | null;
  error?: string | null;
  width?: number;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const percent = state === 'done' ? 100 : percentDone(done, total);
  const count = (n: number) => t(unit ?? 'jobs.units.items', { count: n, n: fmt.number(n) });
  const words =
    state === 'pending'
      ? t('jobs.pending')
      : state === 'failed'
        ? t('jobs.failed', { error: error ?? '' })
        : total != null && done != null
          ? t(state === 'done' ? 'jobs.doneOf' : 'jobs.progressOf', { done: fmt.number(done), total: count(total) })
          : done != null
            ? t(state === 'done' ? 'jobs.doneCount' : 'jobs.progressCount', { done: count(done) })
            : t(state === 'done' ? 'jobs.done' : 'jobs.running');
  return (
    <Space direction="vertical" size={0} style={{ width }} data-testid="job-progress" data-state={state}>
      <Progress
        size="small"
        // A job without a known total shows a moving bar, not a made-up share.
        percent={percent ?? (state === 'running' || state === 'pending' ? 100 : 0)}
        showInfo={percent !== undefined}
        status={state === 'failed' ? 'exception' : state === 'done' ? 'success' : 'active'}
        strokeColor={percent === undefined && state !== 'failed' && state !== 'done' ? '#91caff' : undefined}
        aria-label={words}
      />
      <Typography.Text type={state === 'failed' ? 'danger' : 'secondary'} style={{ fontSize: 12 }} role="status">
        {words}
        {startedAt && state === 'running' ? ` · ${t('jobs.since', { time: fmt.dateTime(startedAt) })}` : ''}
      </Typography.Text>
    </Space>
  );
}
