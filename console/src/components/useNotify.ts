// Mutation feedback: success and error toasts in the user's language.
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText } from '../api/errors';

export function useNotify() {
  const { message } = App.useApp();
  const { t } = useTranslation();
  return {
    ok: (text: string) => void message.success(text),
    error: (err: unknown) => void message.error(errorText(err, t)),
  };
}
