// The one list of the console: a filter box over the rows, pages of 20 (or the API's cursor pages through
// `usePaged`), the load error in the user's language, and an empty state that says what to do next: the list's
// own text and action when there is nothing yet, "nothing matches" with a way back when the filter hides all.
import { useMemo, useState, type ReactNode } from 'react';
import { Button, Input, Space, Table } from 'antd';
import type { TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { EmptyState, ErrorAlert } from './feedback';
import { Pager } from './paging';

type CursorPaging = { hasPrevious: boolean; hasNext: boolean; previous(): void; next(): void; pageNumber: number };

export type ListTableProps<T> = Omit<TableProps<T>, 'dataSource' | 'pagination' | 'locale'> & {
  rows: readonly T[] | undefined;
  /** The texts of a row the filter box matches (case-insensitive, any of them); no filter box without it. */
  search?: (row: T) => readonly (string | null | undefined)[];
  /** Placeholder of the filter box (what it searches). */
  searchPlaceholder?: string;
  /** More filters or buttons beside the filter box. */
  toolbar?: ReactNode;
  /** What to say, and offer, when the list has nothing yet. */
  empty: { text: ReactNode; action?: ReactNode };
  error?: unknown;
  pageSize?: number;
  /** Cursor pages from `usePaged`: the rows are one page of the API's, and the pager walks the cursors. */
  cursor?: CursorPaging;
};

/** Whether a row matches the filter text: any of its texts contains it, ignoring case. */
export function matches(texts: readonly (string | null | undefined)[], filter: string): boolean {
  const needle = filter.trim().toLocaleLowerCase();
  return !needle || texts.some((s) => !!s && s.toLocaleLowerCase().includes(needle));
}

export function ListTable<T extends object>({ rows, search, searchPlaceholder, toolbar, empty, error, pageSize = 20, cursor, size = 'small', ...table }: ListTableProps<T>) {
  const { t } = useTranslation();
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => (search ? (rows ?? []).filter((r) => matches(search(r), filter)) : [...(rows ?? [])]), [rows, search, filter]);
  const hidden = shown.length === 0 && (rows?.length ?? 0) > 0;
  return (
    <>
      <ErrorAlert error={error} />
      {(search || toolbar) && (
        <Space wrap style={{ marginBottom: 12 }}>
          {search && (
            <Input.Search
              allowClear
              value={filter}
              // Its accessible name is the placeholder (a search box role): no aria-label, which would also
              // answer for the form fields it names ("Filter by name" is not the Name field).
              placeholder={searchPlaceholder ?? t('common.filter')}
              onChange={(e) => setFilter(e.target.value)}
              style={{ width: 280 }}
            />
          )}
          {toolbar}
        </Space>
      )}
      <Table<T>
        size={size}
        {...table}
        dataSource={shown}
        pagination={cursor ? false : { pageSize, hideOnSinglePage: true, showSizeChanger: false }}
        locale={{
          emptyText: hidden ? (
            <EmptyState text={t('common.noMatch', { filter: filter.trim() })} action={<Button onClick={() => setFilter('')}>{t('common.clearFilter')}</Button>} />
          ) : (
            <EmptyState text={empty.text} action={empty.action} />
          ),
        }}
      />
      {cursor && <Pager paged={cursor} />}
    </>
  );
}
