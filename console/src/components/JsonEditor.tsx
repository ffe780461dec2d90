import { Input } from 'antd';
import { useTranslation } from 'react-i18next';

/** A JSON or code text area with a monospace font; `invalid` shows the parse error. */
export function CodeInput({ value, onChange, rows = 12, invalid, label }: { value: string; onChange(v: string): void; rows?: number; invalid?: boolean; label: string }) {
  const { t } = useTranslation();
  return (
    <>
      <Input.TextArea
        aria-label={label}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        rows={rows}
        spellCheck={false}
        status={invalid ? 'error' : undefined}
        style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', fontSize: 12.5 }}
      />
      {invalid && <div style={{ color: '#cf1322', marginTop: 4 }}>{t('common.invalidJson')}</div>}
    </>
  );
}

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
