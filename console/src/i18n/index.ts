// i18next with one catalogue per language, kept as one file per console area
// (console/src/locales/<language>/<area>.json, merged here), the language remembered in localStorage.
// English is bundled (it is also the fallback); the Chinese catalogues load on demand.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import dayjs from 'dayjs';
import { initialLanguage, languageOf, STORAGE_KEY, type LanguageCode } from './languages';

type Catalogue = Record<string, unknown>;
type AreaLoaders = Record<string, () => Promise<Catalogue>>;

/** One area file's top-level keys never overlap another's (the catalogue test checks), so a merge is a spread. */
const merge = (areas: Catalogue[]): Catalogue => Object.assign({}, ...areas);

const en = merge(Object.values(import.meta.glob<Catalogue>('../locales/en/*.json', { eager: true, import: 'default' })));
const loaders: Record<Exclude<LanguageCode, 'en'>, AreaLoaders> = {
  'zh-CN': import.meta.glob<Catalogue>('../locales/zh-CN/*.json', { import: 'default' }),
  'zh-TW': import.meta.glob<Catalogue>('../locales/zh-TW/*.json', { import: 'default' }),
};

async function load(code: LanguageCode) {
  if (code === 'en' || i18n.hasResourceBundle(code, 'translation')) return;
  i18n.addResourceBundle(code, 'translation', merge(await Promise.all(Object.values(loaders[code]).map((area) => area()))));
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
