import { Button, Tooltip } from 'antd';
import { CopyOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useNotify } from './useNotify';

/** Code to copy (snippets, payloads). */
export function CodeBlock({ code, maxHeight = 420 }: { code: string; maxHeight?: number }) {
  const { t } = useTranslation();
  const notify = useNotify();
  return (
    <div style={{ position: 'relative' }}>
      <pre style={{ background: '#0f172a', color: '#e2e8f0', padding: 16, borderRadius: 8, overflow: 'auto', maxHeight, fontSize: 12.5, margin: 0 }}>{code}</pre>
      <Tooltip title={t('common.copy')}>
        <Button
          size="small"
          icon={<CopyOutlined />}
          aria-label={t('common.copy')}
          style={{ position: 'absolute', top: 8, right: 8 }}
          onClick={() => void navigator.clipboard?.writeText(code).then(() => notify.ok(t('common.copied')))}
        />
      </Tooltip>
    </div>
  );
}
