// Errors in the user's language and empty states that say what to do next.
import type { ReactNode } from 'react';
import { Alert, Empty, Popconfirm } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText } from '../api/errors';

export function ErrorAlert({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  return <Alert type="error" showIcon role="alert" message={errorText(error, t)} style={{ marginBottom: 16 }} />;
}

export function EmptyState({ text, action }: { text: ReactNode; action?: ReactNode }) {
  return (
    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={text}>
      {action}
    </Empty>
  );
}

/** A page heading with its actions on the right. */
export function PageHeader({ title, extra, sub }: { title: ReactNode; extra?: ReactNode; sub?: ReactNode }) {
  return (
    <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', gap: 16, marginBottom: 16, flexWrap: 'wrap' }}>
      <div>
        <h1 style={{ fontSize: 22, margin: 0 }}>{title}</h1>
        {sub && <div style={{ color: 'rgba(0,0,0,.55)', marginTop: 4 }}>{sub}</div>}
      </div>
      {extra}
    </div>
  );
}

/** Asks "are you sure?" with yes / no in the user's language before `onConfirm` (removals, replays). */
export function Confirm({ title, onConfirm, children }: { title: ReactNode; onConfirm: () => void; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Popconfirm title={title} onConfirm={onConfirm} okText={t('common.yes')} cancelText={t('common.no')}>
      {children}
    </Popconfirm>
  );
}

/**
 * The submit button of a form whose visible button lives elsewhere (a Modal's OK): browsers submit a form
 * on Enter only when it has one. Out of sight and out of the tab order; the visible button stays the one to click.
 */
export function EnterSubmits() {
  return <button type="submit" tabIndex={-1} aria-hidden style={{ position: 'absolute', left: -10000, width: 1, height: 1, overflow: 'hidden' }} />;
}
