// Dates, numbers and money in the user's language (Intl), for every page.
import { useTranslation } from 'react-i18next';

export function useFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.language;
  return {
    number: (n: number | null | undefined, digits = 0) => (n == null ? '—' : new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n)),
    percent: (n: number) => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(n),
    currency: (n: number, currency: string) => new Intl.NumberFormat(locale, { style: 'currency', currency }).format(n),
    dateTime: (at: string | number | null | undefined) =>
      at == null ? '—' : new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(at)),
    date: (at: string | number) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(at)),
    shortDate: (at: string | number) => new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(at)),
  };
}
