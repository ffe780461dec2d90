// The console's languages: UI catalogue, Ant Design locale and dayjs locale of each, and which one to start in.
import type { Locale } from 'antd/es/locale';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import zhTW from 'antd/locale/zh_TW';
import 'dayjs/locale/zh-cn';
import 'dayjs/locale/zh-tw';

export const LANGUAGES = [
  { code: 'en', label: 'English', antd: enUS, dayjs: 'en' },
  { code: 'zh-CN', label: '简体中文', antd: zhCN, dayjs: 'zh-cn' },
  { code: 'zh-TW', label: '繁體中文', antd: zhTW, dayjs: 'zh-tw' },
] as const satisfies readonly { code: string; label: string; antd: Locale; dayjs: string }[];
export type LanguageCode = (typeof LANGUAGES)[number]['code'];

export const STORAGE_KEY = 'meridian.language';

/** The remembered choice, else the browser's language (Traditional for Taiwan, Hong Kong, Macau and zh-Hant). */
export function initialLanguage(): LanguageCode {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (LANGUAGES.some((l) => l.code === saved)) return saved as LanguageCode;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const lower = tag.toLowerCase();
    if (/^zh-(tw|hk|mo)|^zh-hant/.test(lower)) return 'zh-TW';
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export const languageOf = (code: string) => LANGUAGES.find((l) => l.code === code) ?? LANGUAGES[0];
