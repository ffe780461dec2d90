// Cursor paging over the API's `{data, next}` lists: one page at a time, back and forth.
import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Space } from 'antd';
import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Page } from '../api/types';

export function usePaged<T>(
  key: readonly unknown[],
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  opts: { enabled?: boolean; refetchInterval?: (page: Page<T> | undefined) => number | false } = {},
) {
  // The cursors of the pages visited so far; the last is the current page's.
  const [trail, setTrail] = useState<(string | undefined)[]>([undefined]);
  const [forKey, setForKey] = useState(JSON.stringify(key));
  // A new filter starts again at the first page.
  if (forKey !== JSON.stringify(key)) {
    setForKey(JSON.stringify(key));
    setTrail([undefined]);
  }
  const cursor = trail[trail.length - 1];
  const refetch = opts.refetchInterval;
  const query = useQuery<Page<T>>({
    queryKey: [...key, cursor],
    queryFn: () => fetchPage(cursor),
    placeholderData: keepPreviousData,
    enabled: opts.enabled ?? true,
    refetchInterval: refetch && ((q) => refetch(q.state.data)),
  });
  return {
    ...query,
    rows: query.data?.data ?? [],
    pageNumber: trail.length,
    hasPrevious: trail.length > 1,
    hasNext: !!query.data?.next,
    previous: () => setTrail((t) => (t.length > 1 ? t.slice(0, -1) : t)),
    next: () => query.data?.next && setTrail((t) => [...t, query.data!.next!]),
  };
}

export function Pager({ paged }: { paged: ReturnType<typeof usePaged<unknown>> | { hasPrevious: boolean; hasNext: boolean; previous(): void; next(): void; pageNumber: number } }) {
  const { t } = useTranslation();
  if (!paged.hasPrevious && !paged.hasNext) return null;
  return (
    <Space style={{ marginTop: 12, justifyContent: 'flex-end', width: '100%' }}>
      <Button icon={<LeftOutlined />} disabled={!paged.hasPrevious} onClick={paged.previous}>
        {t('common.previous')}
      </Button>
      <span>{t('common.page', { n: paged.pageNumber })}</span>
      <Button disabled={!paged.hasNext} onClick={paged.next}>
        {t('common.next')} <RightOutlined />
      </Button>
    </Space>
  );
}
