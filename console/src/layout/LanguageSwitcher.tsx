import { Select } from 'antd';
import { GlobalOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { changeLanguage } from '../i18n';
import { LANGUAGES, type LanguageCode } from '../i18n/languages';

export function LanguageSwitcher() {
  const { t, i18n } = useTranslation();
  return (
    <Select
      aria-label={t('layout.language')}
      data-testid="language-switcher"
      value={i18n.language as LanguageCode}
      onChange={(code: LanguageCode) => void changeLanguage(code)}
      options={LANGUAGES.map((l) => ({ value: l.code, label: l.label }))}
      prefix={<GlobalOutlined />}
      style={{ width: 150 }}
      popupMatchSelectWidth={false}
    />
  );
}
