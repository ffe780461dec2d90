// A secret the API shows only once (a generated password, a new API key), with a copy button.
import { Alert, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

export function CopyOnce({ label, secret }: { label: string; secret: string }) {
  const { t } = useTranslation();
  return (
    <Alert
      type="warning"
      showIcon
      message={label}
      description={
        <>
          <Typography.Text code copyable={{ text: secret }} data-testid="secret-once">
            {secret}
          </Typography.Text>
          <div>{t('access.shownOnce')}</div>
        </>
      }
    />
  );
}
