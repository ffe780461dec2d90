// i18next with one catalogue per language (console/src/locales/*.json), the language remembered in
// localStorage. English is bundled (it is also the fallback); the Chinese catalogues load on demand.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import dayjs from 'dayjs';
import en from '../locales/en.json';
import { initialLanguage, languageOf, STORAGE_KEY, type LanguageCode } from './languages';

const loaders: Record<Exclude<LanguageCode, 'en'>, () => Promise<{ default: object }>> = {
  'zh-CN': () => import('../locales/zh-CN.json'),
  'zh-TW': () => import('../locales/zh-TW.json'),
};

async function load(code: LanguageCode) {
  if (code !== 'en' && !i18n.hasResourceBundle(code, 'translation')) i18n.addResourceBundle(code, 'translation', (await loaders[code]()).default);
}

function apply(code: LanguageCode) {
  dayjs.locale(languageOf(code).dayjs);
  document.documentElement.lang = code;
}

const lng = initialLanguage();
void i18n.use(initReactI18next).init({
  resources: { en: { translation: en } },
  lng: 'en',
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
});

/** Resolves once the starting language's catalogue is in (render after it: no flash of English). */
export const i18nReady = load(lng)
  .then(async () => {
    await i18n.changeLanguage(lng);
    apply(lng);
  })
  // A catalogue that cannot be loaded leaves the console in English rather than blank.
  .catch(() => apply('en'));

export async function changeLanguage(code: LanguageCode) {
  await load(code);
  localStorage.setItem(STORAGE_KEY, code);
  apply(code);
  await i18n.changeLanguage(code);
}

export default i18n;
