// i18next with one catalogue per language (console/src/locales/*.json), the language remembered in localStorage.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import dayjs from 'dayjs';
import en from '../locales/en.json';
import zhCN from '../locales/zh-CN.json';
import zhTW from '../locales/zh-TW.json';
import { initialLanguage, languageOf, STORAGE_KEY, type LanguageCode } from './languages';

export const catalogues = { en, 'zh-CN': zhCN, 'zh-TW': zhTW } as const;

const lng = initialLanguage();
void i18n.use(initReactI18next).init({
  resources: Object.fromEntries(Object.entries(catalogues).map(([code, translation]) => [code, { translation }])),
  lng,
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
});
dayjs.locale(languageOf(lng).dayjs);
document.documentElement.lang = lng;

export function changeLanguage(code: LanguageCode) {
  localStorage.setItem(STORAGE_KEY, code);
  dayjs.locale(languageOf(code).dayjs);
  document.documentElement.lang = code;
  return i18n.changeLanguage(code);
}

export default i18n;
